package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchRequestTest {

  private static final Instant NOW = Instant.parse("2025-01-15T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L;

  private static SearchRequest parse(String... pairs) {
    QueryParamsBuilder b = QueryParams.builder();
    for (int i = 0; i < pairs.length; i += 2) {
      b.add(pairs[i], pairs[i + 1]);
    }
    return SearchRequest.parse(b.build(), CLOCK);
  }

  @Test
  void defaultsToTwentyTracesOfTheLastHour() {
    SearchRequest r = parse();
    assertThat(r.limit()).isEqualTo(20);
    assertThat(r.range().startNanos()).isEqualTo(NOW_NANOS - 3_600_000_000_000L);
    // end is a whole second that includes spans started during it, as in Tempo
    assertThat(r.range().endNanos()).isEqualTo(NOW_NANOS + 1_000_000_000L);
    assertThat(r.filter().matchesNothing()).isFalse();
  }

  @Test
  void logfmtTagsMapToServiceNameStatusAndAttributes() {
    SearchFilter f =
        parse(
                "tags",
                "service.name=\"api\" http.status_code=500 name=\"GET /x\" status=error"
                    + " span.http.method=GET resource.host.name=h1",
                "minDuration",
                "100ms",
                "maxDuration",
                "1.5s")
            .filter();
    assertThat(f.services()).containsExactly("api");
    assertThat(f.spanNames()).containsExactly("GET /x");
    assertThat(f.errorsOnly()).isTrue();
    assertThat(f.tags())
        .containsExactly(
            Map.entry("http.status_code", List.of("500")),
            Map.entry("http.method", List.of("GET")),
            Map.entry("host.name", List.of("h1")));
    assertThat(f.minSpanNanos()).isEqualTo(100_000_000L);
    assertThat(f.maxSpanNanos()).isEqualTo(1_500_000_000L);
  }

  @Test
  void resourceServiceNameIsTheServiceToo() {
    assertThat(parse("tags", "resource.service.name=web").filter().services())
        .containsExactly("web");
  }

  @Test
  void durationsParametersCombineWithTraceQl() {
    SearchFilter f = parse("q", "{duration>10ms}", "minDuration", "1s").filter();
    assertThat(f.minSpanNanos()).isEqualTo(1_000_000_000L);
  }

  @Test
  void explicitRangeAndLimit() {
    SearchRequest r = parse("start", "1736938800", "end", "1736942400", "limit", "5");
    assertThat(r.range().startNanos()).isEqualTo(1_736_938_800_000_000_000L);
    assertThat(r.range().endNanos()).isEqualTo(1_736_942_401_000_000_000L);
    assertThat(r.limit()).isEqualTo(5);
  }

  @Test
  void limitIsClampedLikeTempo() {
    assertThat(parse("limit", "100000").limit()).isEqualTo(SearchRequest.MAX_LIMIT);
  }

  @Test
  void maxDurationZeroMeansNoBoundAsInTempo() {
    assertThat(parse("maxDuration", "0s").filter().maxSpanNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void errorsNameTheParameter() {
    assertThatThrownBy(() -> parse("limit", "ten"))
        .hasMessage("parameter 'limit' must be a positive integer, got \"ten\"");
    assertThatThrownBy(() -> parse("limit", "0"))
        .hasMessage("parameter 'limit' must be a positive integer, got 0");
    assertThatThrownBy(() -> parse("minDuration", "fast"))
        .hasMessageStartingWith("parameter 'minDuration' is not a duration");
    assertThatThrownBy(() -> parse("minDuration", "-1s"))
        .hasMessage("parameter 'minDuration' must not be negative, got -1s");
    assertThatThrownBy(() -> parse("minDuration", "2s", "maxDuration", "1s"))
        .hasMessage("parameter 'maxDuration' must not be less than 'minDuration'");
    assertThatThrownBy(() -> parse("tags", "a=1 a=2"))
        .hasMessage("parameter 'tags' is not valid logfmt: tag 'a' is set twice");
    assertThatThrownBy(() -> parse("tags", "status=ok"))
        .hasMessage("parameter 'tags' status=ok is not supported; only status=error is");
    assertThatThrownBy(() -> parse("q", "{}", "tags", "a=b"))
        .hasMessage("parameters 'q' and 'tags' cannot be used together");
    assertThatThrownBy(() -> parse("start", "yesterday"))
        .hasMessage(
            "parameter 'start' must be unix seconds or an RFC 3339 timestamp, got \"yesterday\"");
    assertThatThrownBy(() -> parse("start", "1736942400", "end", "1736938800"))
        .hasMessage("parameter 'end' is before 'start'");
  }
}
