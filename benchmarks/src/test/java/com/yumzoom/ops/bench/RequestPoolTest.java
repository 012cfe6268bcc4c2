package com.yumzoom.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import zipkin2.codec.SpanBytesDecoder;

class RequestPoolTest {

  private static final long NOW = 1_795_000_000_000_000_000L;
  private static RequestPool otlp;
  private static RequestPool zipkin;

  @BeforeAll
  static void buildPools() {
    otlp = RequestPool.build(RequestPool.Format.OTLP_PROTO, 4, 512, factory());
    zipkin = RequestPool.build(RequestPool.Format.ZIPKIN_JSON, 4, 512, factory());
  }

  private static TraceFactory factory() {
    return new TraceFactory(new SplittableRandom(7), NOW, 30_000_000_000L);
  }

  private static List<Span> spans(byte[] body) throws Exception {
    return ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().stream()
        .map(ResourceSpans::getScopeSpansList)
        .flatMap(List::stream)
        .map(ScopeSpans::getSpansList)
        .flatMap(List::stream)
        .toList();
  }

  @Test
  void otlpRequestParsesBackWith512SpansOfTenToThirtyAttributes() throws Exception {
    RequestPool.Template t = otlp.template(0);
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(t.body());
    List<Span> spans = spans(t.body());

    assertThat(spans).hasSize(512);
    assertThat(spans)
        .allSatisfy(s -> assertThat(s.getAttributesCount()).isBetween(10, 30))
        .allSatisfy(s -> assertThat(s.getEndTimeUnixNano()).isLessThanOrEqualTo(NOW));
    // attribute keys are unique within a span
    assertThat(spans)
        .allSatisfy(
            s ->
                assertThat(s.getAttributesList().stream().map(KeyValue::getKey).distinct().count())
                    .isEqualTo(s.getAttributesCount()));
    assertThat(spans.stream().mapToInt(Span::getAttributesCount).distinct().count())
        .as("attribute counts vary across the range")
        .isGreaterThan(10);
    Set<String> services =
        request.getResourceSpansList().stream()
            .map(rs -> rs.getResource().getAttributes(0).getValue().getStringValue())
            .collect(Collectors.toSet());
    assertThat(services).containsAnyElementsOf(TraceFactory.SERVICES).contains("web-gateway");
  }

  @Test
  void tracesAreTreesWithChildrenInsideTheirParents() throws Exception {
    List<Span> spans = spans(otlp.template(1).body());
    Map<String, List<Span>> byTrace =
        spans.stream().collect(Collectors.groupingBy(s -> hex(s.getTraceId().toByteArray())));
    assertThat(byTrace.size()).isBetween(512 / 40, 512 / 5 + 1);
    for (List<Span> trace : byTrace.values()) {
      Map<String, Span> byId =
          trace.stream()
              .collect(
                  Collectors.toMap(s -> hex(s.getSpanId().toByteArray()), Function.identity()));
      assertThat(byId).as("span ids unique within a trace").hasSize(trace.size());
      assertThat(trace.stream().filter(s -> s.getParentSpanId().isEmpty())).hasSize(1);
      for (Span s : trace) {
        if (!s.getParentSpanId().isEmpty()) {
          Span parent = byId.get(hex(s.getParentSpanId().toByteArray()));
          assertThat(parent).isNotNull();
          assertThat(s.getStartTimeUnixNano())
              .isGreaterThanOrEqualTo(parent.getStartTimeUnixNano());
          assertThat(s.getEndTimeUnixNano()).isLessThanOrEqualTo(parent.getEndTimeUnixNano());
        }
      }
    }
  }

  @Test
  void databaseSpansAreClientSpansWithDbAttributes() throws Exception {
    List<Span> db =
        spans(otlp.template(2).body()).stream()
            .filter(
                s -> s.getAttributesList().stream().anyMatch(a -> a.getKey().equals("db.system")))
            .toList();
    assertThat(db)
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT));
    Set<String> systems =
        db.stream()
            .flatMap(s -> s.getAttributesList().stream())
            .filter(a -> a.getKey().equals("db.system"))
            .map(a -> a.getValue().getStringValue())
            .collect(Collectors.toSet());
    assertThat(systems).containsExactlyInAnyOrder("postgresql", "redis");
  }

  @Test
  void somePoolTracesFailWithAnExceptionEvent() throws Exception {
    List<Span> errors =
        otlp.templates().stream()
            .flatMap(t -> uncheckedSpans(t.body()).stream())
            .filter(s -> s.getEventsCount() > 0)
            .toList();
    assertThat(errors)
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.getStatus().getCode().getNumber()).isEqualTo(2);
              assertThat(s.getEvents(0).getName()).isEqualTo("exception");
            });
  }

  @Test
  void patchingGivesEveryTraceTheSendsHighHalfAndKeepsTheTraces() throws Exception {
    RequestPool.Template t = otlp.template(3);
    long high = RequestPool.traceIdHigh(99, 12345);
    byte[] buffer = otlp.newBuffer();
    int length = otlp.patch(t, high, buffer);

    List<Span> patched = spans(Arrays.copyOf(buffer, length));
    List<Span> original = spans(t.body());
    assertThat(patched).hasSize(512);
    for (int i = 0; i < patched.size(); i++) {
      ByteBuffer p = ByteBuffer.wrap(patched.get(i).getTraceId().toByteArray());
      ByteBuffer o = ByteBuffer.wrap(original.get(i).getTraceId().toByteArray());
      assertThat(p.getLong(0)).isEqualTo(high);
      assertThat(p.getLong(8)).isEqualTo(o.getLong(8));
      assertThat(patched.get(i).getSpanId()).isEqualTo(original.get(i).getSpanId());
    }
    Set<String> sampled = new HashSet<>();
    for (RequestPool.SampleTrace s : t.traces()) {
      sampled.add(RequestPool.traceIdHex(high, s.traceIdLow()));
    }
    Set<String> sent =
        patched.stream().map(s -> hex(s.getTraceId().toByteArray())).collect(Collectors.toSet());
    assertThat(sent).isEqualTo(sampled);
  }

  @Test
  void zipkinJsonDecodesWithZipkinsDecoderAndPatchesToo() {
    RequestPool.Template t = zipkin.template(0);
    List<zipkin2.Span> spans = SpanBytesDecoder.JSON_V2.decodeList(t.body());
    assertThat(spans).hasSize(512);
    assertThat(spans)
        .allSatisfy(s -> assertThat(s.traceId()).hasSize(32))
        .allSatisfy(s -> assertThat(s.localServiceName()).isIn(TraceFactory.SERVICES))
        // attributes, plus otel.scope.name, plus otel.status_code and error on failed spans
        .allSatisfy(s -> assertThat(s.tags().size()).isBetween(11, 33));

    long high = RequestPool.traceIdHigh(5, 6);
    byte[] buffer = zipkin.newBuffer();
    int length = zipkin.patch(t, high, buffer);
    List<zipkin2.Span> patched = SpanBytesDecoder.JSON_V2.decodeList(Arrays.copyOf(buffer, length));
    assertThat(patched).hasSize(512);
    for (int i = 0; i < patched.size(); i++) {
      assertThat(patched.get(i).traceId()).startsWith("%016x".formatted(high));
      assertThat(patched.get(i).traceId().substring(16))
          .isEqualTo(spans.get(i).traceId().substring(16));
    }
  }

  @Test
  void sameSeedSameSpansInBothFormats() {
    List<zipkin2.Span> fromJson = SpanBytesDecoder.JSON_V2.decodeList(zipkin.template(1).body());
    List<Span> fromProto = uncheckedSpans(otlp.template(1).body());
    Set<String> jsonIds = fromJson.stream().map(zipkin2.Span::id).collect(Collectors.toSet());
    Set<String> protoIds =
        fromProto.stream().map(s -> hex(s.getSpanId().toByteArray())).collect(Collectors.toSet());
    assertThat(jsonIds).isEqualTo(protoIds);
  }

  @Test
  void traceIdHighHalvesDifferPerSend() {
    Set<Long> highs = new HashSet<>();
    for (long seq = 0; seq < 100_000; seq++) {
      highs.add(RequestPool.traceIdHigh(42, seq));
    }
    assertThat(highs).hasSize(100_000).doesNotContain(0L);
  }

  @Test
  void invalidInputIsRejectedWithTheFieldName() {
    assertThatThrownBy(() -> RequestPool.Format.parse("thrift"))
        .hasMessage("format must be otlp-proto or zipkin-json, got 'thrift'");
    assertThatThrownBy(() -> RequestPool.build(RequestPool.Format.OTLP_PROTO, 0, 512, factory()))
        .hasMessage("pool.requests must be at least 1, got 0");
    assertThatThrownBy(
            () ->
                new SyntheticSpan(
                    new byte[15],
                    new byte[8],
                    new byte[0],
                    null,
                    "x",
                    SyntheticSpan.Kind.SERVER,
                    0,
                    1,
                    false,
                    "",
                    null,
                    List.of(),
                    List.of()))
        .hasMessage("span.traceId must be 16 bytes, got 15");
  }

  private static List<Span> uncheckedSpans(byte[] body) {
    try {
      return spans(body);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
