package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.store.TraceQuery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceQlTest {

  private static SearchFilter parse(String q) {
    SearchFilter.Builder b = SearchFilter.builder();
    TraceQl.parseInto(q, b);
    return b.build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{ }", "", "  {}  "})
  void emptySpansetMatchesEverything(String q) {
    SearchFilter f = parse(q);
    assertThat(f.services()).isEmpty();
    assertThat(f.spanNames()).isEmpty();
    assertThat(f.tags()).isEmpty();
    assertThat(f.minSpanNanos()).isZero();
    assertThat(f.maxSpanNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(f.errorsOnly()).isFalse();
    assertThat(f.hasPostFilters()).isFalse();
    assertThat(f.matchesNothing()).isFalse();
  }

  @Test
  void readsWhatGrafanasSearchBuilderEmits() {
    SearchFilter f =
        parse(
            "{resource.service.name=\"x\" && name=\"y\" && span.http.method=\"GET\""
                + " && duration>100ms && duration<=2s && status=error}");
    assertThat(f.services()).containsExactly("x");
    assertThat(f.spanNames()).containsExactly("y");
    assertThat(f.tags()).containsExactly(Map.entry("http.method", List.of("GET")));
    assertThat(f.minSpanNanos()).isEqualTo(100_000_001L);
    assertThat(f.maxSpanNanos()).isEqualTo(2_000_000_000L);
    assertThat(f.errorsOnly()).isTrue();
  }

  @Test
  void intrinsicSpellingsAndUnscopedAttributes() {
    SearchFilter f =
        parse(
            "{span:name=\"a\" && span:status=error && span:duration>=5ms && .db.system=\"pg\""
                + " && resource.deployment.environment=\"prod\" && span.http.status_code=500}");
    assertThat(f.spanNames()).containsExactly("a");
    assertThat(f.errorsOnly()).isTrue();
    assertThat(f.minSpanNanos()).isEqualTo(5_000_000L);
    assertThat(f.tags())
        .containsEntry("db.system", List.of("pg"))
        .containsEntry("deployment.environment", List.of("prod"))
        .containsEntry("http.status_code", List.of("500"));
  }

  @Test
  void multiSelectRegexBecomesAlternatives() {
    SearchFilter f =
        parse("{resource.service.name=~\"api|web\" && name=~\"^GET /v1.0|POST \\\\(x\\\\)$\"}");
    assertThat(f.services()).containsExactly("api", "web");
    assertThat(f.spanNames()).containsExactly("GET /v1.0", "POST (x)");
  }

  @Test
  void traceLevelConditionsArePostFilters() {
    SearchFilter f =
        parse(
            "{traceDuration>1s && trace:duration<1m && rootServiceName=\"api\""
                + " && trace:rootName=~\"GET /|POST /\"}");
    assertThat(f.hasPostFilters()).isTrue();
    assertThat(f.minTraceNanos()).isEqualTo(1_000_000_001L);
    assertThat(f.maxTraceNanos()).isEqualTo(59_999_999_999L);
    assertThat(f.rootServices()).containsExactly("api");
    assertThat(f.rootNames()).containsExactly("GET /", "POST /");
  }

  @Test
  void repeatedConditionsNarrowAndContradictionsMatchNothing() {
    assertThat(parse("{name=~\"a|b|c\" && name=~\"b|c|d\"}").spanNames()).containsExactly("b", "c");
    assertThat(parse("{name=\"a\" && name=\"b\"}").matchesNothing()).isTrue();
    assertThat(parse("{duration>2s && duration<1s}").matchesNothing()).isTrue();
    assertThat(parse("{duration<0s}").matchesNothing()).isTrue();
    assertThat(parse("{duration=1s}").minSpanNanos()).isEqualTo(1_000_000_000L);
  }

  @Test
  void stringEscapesAndRawStrings() {
    assertThat(parse("{name=\"say \\\"hi\\\"\"}").spanNames()).containsExactly("say \"hi\"");
    assertThat(parse("{name=`a\\b`}").spanNames()).containsExactly("a\\b");
  }

  @Test
  void alternativesExpandIntoStoreQueries() {
    SearchFilter f =
        parse("{resource.service.name=~\"a|b\" && span.http.method=~\"GET|PUT|POST\"}");
    List<TraceQuery> queries = f.toQueries(10, 20, 5);
    assertThat(queries).hasSize(6);
    assertThat(queries)
        .extracting(q -> q.serviceName() + " " + q.tags().get("http.method"))
        .containsExactlyInAnyOrder("a GET", "a PUT", "a POST", "b GET", "b PUT", "b POST");
    assertThat(queries).allSatisfy(q -> assertThat(q.limit()).isEqualTo(5));
  }

  @Test
  void tooManyAlternativesAreRefused() {
    SearchFilter f =
        parse("{resource.service.name=~\"a|b|c|d\" && name=~\"a|b|c|d\" && .x=~\"1|2|3\"}");
    assertThatThrownBy(() -> f.toQueries(0, 1, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("more than 32 store queries");
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = " ==> ",
      quoteCharacter = '~',
      value = {
        "{name=\"a\" || name=\"b\"} ==> '||' is not supported",
        "{name!=\"a\"} ==> operator '!=' is not supported for name",
        "{span.http.status_code>=500} ==> operator '>=' is not supported for span.http.status_code",
        "{kind=server} ==> intrinsic 'kind' is not supported",
        "{status=ok} ==> 'status=ok' is not supported; only status=error is",
        "{} | count() > 2 ==> pipelines ('| ...') are not supported",
        "{name=\"a\"} && {name=\"b\"} ==> combining spansets is not supported",
        "{(name=\"a\")} ==> parentheses are not supported",
        "{name=~\".*foo.*\"} ==> regular expression \".*foo.*\" is not supported",
        "{http.method=\"GET\"} ==> unknown field 'http.method'; attributes need a scope",
        "{event.name=\"x\"} ==> scope 'event' in 'event.name' is not supported",
        "{name=foo} ==> value 'foo' of name must be quoted",
        "{duration>\"1s\"} ==> a duration such as 100ms is expected",
        "{duration>5parsecs} ==> unknown unit \"parsecs\"",
        "{name=\"open} ==> unterminated string at position 6",
        "name=\"a\" ==> a query starts with '{' but found 'name' at position 0",
        "{name=\"a\" ==> expected '&&' or '}' but found end of query",
        "{name=\"a\" && } ==> expected a field such as name or span.http.method but found '}'",
      })
  void refusesWhatItCannotAnswerNamingTheConstruct(String q, String message) {
    assertThatThrownBy(() -> parse(q))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("parameter 'q': ")
        .hasMessageContaining(message);
  }
}
