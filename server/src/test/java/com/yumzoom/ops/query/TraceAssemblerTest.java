package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TraceAssemblerTest {

  private static final TraceId TRACE = TestSpans.traceId(1);

  @Test
  void regroupsSpansUnderResourceAndScopeInStartOrder() {
    byte[] api = TestSpans.envelope("api", "http", Map.of("host.name", "h1"));
    byte[] db = TestSpans.envelope("db", "jdbc", Map.of());
    // the same content in a distinct array, as when one service sent two batches
    byte[] api2 = TestSpans.envelope("api", "http", Map.of("host.name", "h1"));
    List<SpanRow> rows =
        List.of(
            TestSpans.span(TRACE, 4).parent(1).start(400).envelope(api2).name("d").row(),
            TestSpans.span(TRACE, 2).parent(1).start(200).envelope(db).name("b").row(),
            TestSpans.span(TRACE, 1).start(100).envelope(api).name("a").row(),
            TestSpans.span(TRACE, 3).parent(2).start(300).envelope(db).name("c").row());

    TracesData trace = TraceAssembler.assemble(rows);

    assertThat(trace.getResourceSpansCount()).isEqualTo(2);
    ResourceSpans first = trace.getResourceSpans(0);
    assertThat(first.getResource().getAttributes(0).getValue().getStringValue()).isEqualTo("api");
    assertThat(first.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.26.0");
    assertThat(first.getScopeSpansCount()).isEqualTo(1);
    assertThat(first.getScopeSpans(0).getScope().getName()).isEqualTo("http");
    assertThat(first.getScopeSpans(0).getSpansList())
        .extracting(Span::getName)
        .containsExactly("a", "d");
    ResourceSpans second = trace.getResourceSpans(1);
    assertThat(second.getScopeSpans(0).getScope().getName()).isEqualTo("jdbc");
    assertThat(second.getScopeSpans(0).getSpansList())
        .extracting(Span::getName)
        .containsExactly("b", "c");
  }

  @Test
  void spansComeBackExactlyAsStored() {
    SpanRow row =
        TestSpans.span(TRACE, 7).start(5).duration(9).attribute("http.method", "GET").error().row();
    Span span =
        TraceAssembler.assemble(List.of(row)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(span.toByteArray()).isEqualTo(row.span());
  }

  @Test
  void identicalDuplicatesAppearOnceButSharedSpanIdsAreKept() {
    byte[] env = TestSpans.envelope("api", "s", Map.of());
    SpanRow once = TestSpans.span(TRACE, 1).start(1).envelope(env).row();
    SpanRow again = TestSpans.span(TRACE, 1).start(1).envelope(env).row();
    // Zipkin's shared span: same id, one side as client, the other as server
    SpanRow client = TestSpans.span(TRACE, 2).start(2).kind(3).envelope(env).row();
    SpanRow server = TestSpans.span(TRACE, 2).start(2).kind(2).envelope(env).row();

    TracesData trace = TraceAssembler.assemble(List.of(once, again, client, server));

    assertThat(trace.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .extracting(Span::getKindValue)
        .containsExactly(2, 3, 2);
  }

  @Test
  void protobufFastPathEqualsTheMessage() throws Exception {
    List<SpanRow> rows = bigTrace(5000, new Random(42));
    TracesData assembled = TraceAssembler.assemble(rows);
    byte[] bytes = TraceAssembler.toProtobuf(rows);

    assertThat(TracesData.parseFrom(bytes)).isEqualTo(assembled);
    assertThat(bytes).isEqualTo(assembled.toByteArray());
    assertThat(
            assembled.getResourceSpansList().stream()
                .mapToInt(rs -> rs.getScopeSpans(0).getSpansCount())
                .sum())
        .isEqualTo(5000);
    long previous = Long.MIN_VALUE;
    for (ResourceSpans rs : assembled.getResourceSpansList()) {
      for (Span s : rs.getScopeSpans(0).getSpansList()) {
        if (rs == assembled.getResourceSpans(0)) {
          assertThat(s.getStartTimeUnixNano()).isGreaterThanOrEqualTo(previous);
          previous = s.getStartTimeUnixNano();
        }
      }
    }
  }

  @Test
  void emptyAndUnreadableInputsDoNotFail() throws Exception {
    assertThat(TraceAssembler.toProtobuf(List.of())).isEmpty();
    assertThat(TraceAssembler.assemble(List.of()).getResourceSpansCount()).isZero();

    SpanRow good = TestSpans.span(TRACE, 1).start(1).row();
    SpanRow corrupt =
        new SpanRow(
            TRACE,
            2,
            0,
            "api",
            "x",
            2,
            2,
            1,
            0,
            "\n",
            good.envelope(),
            new byte[] {(byte) 0xff, (byte) 0xff});
    TracesData trace = TraceAssembler.assemble(List.of(good, corrupt));
    assertThat(trace.getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(1);

    SpanRow noEnvelope =
        new SpanRow(
            TRACE, 3, 0, "api", "x", 2, 3, 1, 0, "\n", new byte[] {(byte) 0xff}, good.span());
    assertThat(
            TraceAssembler.assemble(List.of(noEnvelope))
                .getResourceSpans(0)
                .getScopeSpans(0)
                .getSpansCount())
        .isEqualTo(1);
  }

  /** Ten services, three scopes each, spans in shuffled order with shared envelope arrays. */
  static List<SpanRow> bigTrace(int spans, Random random) {
    byte[][] envelopes = new byte[30][];
    for (int i = 0; i < envelopes.length; i++) {
      envelopes[i] =
          TestSpans.envelope("svc-" + (i / 3), "scope-" + (i % 3), Map.of("host.name", "h" + i));
    }
    List<SpanRow> rows = new ArrayList<>(spans);
    for (int i = 0; i < spans; i++) {
      rows.add(
          TestSpans.span(TRACE, i + 1)
              .parent(i == 0 ? 0 : 1 + random.nextInt(i))
              .start(1_000_000L * i + random.nextInt(1000))
              .duration(1 + random.nextInt(1_000_000))
              .attribute("i", Integer.toString(i))
              .envelope(envelopes[random.nextInt(envelopes.length)])
              .row());
    }
    Collections.shuffle(rows, random);
    return rows;
  }
}
