package com.yumzoom.ops.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import zipkin2.Endpoint;

class ZipkinSpanDecoderTest {

  private static final IngestLimits LIMITS = new IngestLimits(1 << 20, 3, 4, 16, 20);
  private final ZipkinSpanDecoder decoder = new ZipkinSpanDecoder(LIMITS);

  private static final String CLIENT_SPAN =
      """
      [{
        "traceId": "86154a4ba6e91385",
        "parentId": "86154a4ba6e91385",
        "id": "4d1e00c0db9010db",
        "kind": "CLIENT",
        "name": "get /api",
        "timestamp": 1472470996199000,
        "duration": 207000,
        "localEndpoint": {"serviceName": "frontend", "ipv4": "127.0.0.1", "port": 8080},
        "remoteEndpoint": {"serviceName": "backend", "ipv4": "192.168.99.101", "port": 9000},
        "annotations": [{"timestamp": 1472470996238000, "value": "foo"}],
        "tags": {"http.method": "GET", "error": "connection refused"}
      }]
      """;

  @Test
  void mapsSpanLikeTheCollectorReceiver() throws InvalidProtocolBufferException {
    DecodedSpans decoded =
        new ZipkinSpanDecoder(IngestLimits.DEFAULTS).decode(CLIENT_SPAN.getBytes(UTF_8));

    assertThat(decoded.rejectedSpans()).isZero();
    SpanRow row = decoded.rows().getFirst();
    assertThat(row.traceId()).isEqualTo(new TraceId(0, 0x86154a4ba6e91385L));
    assertThat(row.spanId()).isEqualTo(0x4d1e00c0db9010dbL);
    assertThat(row.parentSpanId()).isEqualTo(0x86154a4ba6e91385L);
    assertThat(row.serviceName()).isEqualTo("frontend");
    assertThat(row.name()).isEqualTo("get /api");
    assertThat(row.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT_VALUE);
    assertThat(row.startEpochNanos()).isEqualTo(1472470996199000_000L);
    assertThat(row.durationNanos()).isEqualTo(207000_000L);
    assertThat(row.statusCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR_VALUE);
    assertThat(row.tags())
        .isEqualTo(
            "\nservice.name=frontend\nhttp.method=GET\nnetwork.local.address=127.0.0.1\n"
                + "network.local.port=8080\npeer.service=backend\n"
                + "network.peer.address=192.168.99.101\nnetwork.peer.port=9000\n");

    Span span = Span.parseFrom(row.span());
    assertThat(span.getTraceId().toByteArray()).isEqualTo(row.traceId().toBytes());
    assertThat(span.getTraceId().size()).isEqualTo(16);
    assertThat(span.getStatus().getMessage()).isEqualTo("connection refused");
    assertThat(span.getEndTimeUnixNano()).isEqualTo(1472470996406000_000L);
    assertThat(span.getEventsList())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getName()).isEqualTo("foo");
              assertThat(e.getTimeUnixNano()).isEqualTo(1472470996238000_000L);
            });
    assertThat(span.getAttributesList())
        .contains(
            KeyValue.newBuilder()
                .setKey("network.peer.port")
                .setValue(AnyValue.newBuilder().setIntValue(9000))
                .build());

    ResourceSpans envelope = ResourceSpans.parseFrom(row.envelope());
    assertThat(envelope.getResource().getAttributesList())
        .singleElement()
        .satisfies(
            kv -> {
              assertThat(kv.getKey()).isEqualTo("service.name");
              assertThat(kv.getValue().getStringValue()).isEqualTo("frontend");
            });
    assertThat(envelope.getScopeSpans(0).getSpansCount()).isZero();
  }

  @Test
  void mapsKindsAndKeepsFull128BitTraceIds() {
    List<zipkin2.Span> spans = new ArrayList<>();
    zipkin2.Span.Kind[] kinds = {
      zipkin2.Span.Kind.SERVER,
      zipkin2.Span.Kind.CLIENT,
      zipkin2.Span.Kind.PRODUCER,
      zipkin2.Span.Kind.CONSUMER,
      null
    };
    for (int i = 0; i < kinds.length; i++) {
      spans.add(span(i + 1).kind(kinds[i]).build());
    }

    List<SpanRow> rows = new ZipkinSpanDecoder(IngestLimits.DEFAULTS).decode(spans).rows();

    assertThat(rows).extracting(SpanRow::kind).containsExactly(2, 3, 4, 5, 0);
    assertThat(rows.getFirst().traceId().toHex()).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
  }

  @Test
  void spanKindInternalTagMakesInternalSpan() {
    SpanRow row =
        decoder
            .decode(List.of(span(1).kind(null).putTag("span.kind", "internal").build()))
            .rows()
            .getFirst();

    assertThat(row.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_INTERNAL_VALUE);
    assertThat(row.tags()).doesNotContain("span.kind");
  }

  @Test
  void errorTrueIsErrorWithoutMessage() throws InvalidProtocolBufferException {
    SpanRow row =
        decoder.decode(List.of(span(1).putTag("error", "true").build())).rows().getFirst();

    assertThat(row.statusCode()).isEqualTo(2);
    assertThat(Span.parseFrom(row.span()).getStatus().getMessage()).isEmpty();
    assertThat(row.tags()).doesNotContain("error");
  }

  @Test
  void otelStatusAndScopeTagsBecomeStatusAndScope() throws InvalidProtocolBufferException {
    SpanRow row =
        new ZipkinSpanDecoder(IngestLimits.DEFAULTS)
            .decode(
                List.of(
                    span(1)
                        .putTag("otel.status_code", "ERROR")
                        .putTag("otel.status_description", "boom")
                        .putTag("otel.scope.name", "io.opentelemetry.jdbc")
                        .putTag("otel.scope.version", "2.1")
                        .build(),
                    span(2).putTag("otel.status_code", "OK").build()))
            .rows()
            .getFirst();

    Span span = Span.parseFrom(row.span());
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(span.getStatus().getMessage()).isEqualTo("boom");
    assertThat(span.getAttributesList()).isEmpty();
    ResourceSpans envelope = ResourceSpans.parseFrom(row.envelope());
    assertThat(envelope.getScopeSpans(0).getScope().getName()).isEqualTo("io.opentelemetry.jdbc");
    assertThat(envelope.getScopeSpans(0).getScope().getVersion()).isEqualTo("2.1");
  }

  @Test
  void okStatusCodeMapsToOk() {
    SpanRow row =
        decoder.decode(List.of(span(1).putTag("otel.status_code", "OK").build())).rows().getFirst();
    assertThat(row.statusCode()).isEqualTo(1);
  }

  @Test
  void missingLocalServiceIsUnknownAndSpansOfOneServiceShareAnEnvelope()
      throws InvalidProtocolBufferException {
    zipkin2.Span orphan = zipkin2.Span.newBuilder().traceId("1").id("2").name("x").build();
    List<SpanRow> rows = decoder.decode(List.of(orphan, span(1).build(), span(2).build())).rows();

    assertThat(rows.get(0).serviceName()).isEqualTo("unknown_service");
    assertThat(rows.get(0).tags()).isEqualTo("\n");
    assertThat(ResourceSpans.parseFrom(rows.get(0).envelope()).getResource().getAttributesCount())
        .isZero();
    assertThat(rows.get(1).envelope()).isSameAs(rows.get(2).envelope());
  }

  @Test
  void rejectsWholeListWhenAnIdIsAllZeros() {
    String zeroTrace =
        "[{\"traceId\":\"0000000000000001\",\"id\":\"0000000000000001\"},"
            + "{\"traceId\":\"00000000000000000000000000000000\",\"id\":\"0000000000000001\"}]";
    String zeroId = "[{\"traceId\":\"0000000000000001\",\"id\":\"0000000000000000\"}]";

    assertThatThrownBy(() -> decoder.decode(zeroTrace.getBytes(UTF_8)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "body is not a Zipkin v2 JSON list of spans: traceId is all zeros reading List<Span>"
                + " from json");
    assertThatThrownBy(() -> decoder.decode(zeroId.getBytes(UTF_8)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("id is all zeros");
  }

  @Test
  void allZeroParentIdMeansRoot() {
    String json = "[{\"traceId\":\"1\",\"id\":\"1\",\"parentId\":\"0000000000000000\"}]";
    SpanRow row = decoder.decode(json.getBytes(UTF_8)).rows().getFirst();
    assertThat(row.isRoot()).isTrue();
    assertThat(row.traceId()).isEqualTo(new TraceId(0, 1));
  }

  @Test
  void selfParentIsRoot() {
    SpanRow row = decoder.decode(List.of(span(5).parentId("5").build())).rows().getFirst();
    assertThat(row.isRoot()).isTrue();
  }

  @Test
  void rejectsTooManySpans() {
    List<zipkin2.Span> spans =
        List.of(span(1).build(), span(2).build(), span(3).build(), span(4).build());
    assertThatThrownBy(() -> decoder.decode(spans))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("request has 4 spans, more than the limit of 3 (ingest.max-spans-per-request)");
  }

  @Test
  void rejectsLongName() {
    List<zipkin2.Span> spans = List.of(span(1).build(), span(2).name("n".repeat(21)).build());
    assertThatThrownBy(() -> decoder.decode(spans))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "spans[1].name is 21 characters, longer than the limit of 20"
                + " (ingest.max-span-name-length)");
  }

  @Test
  void rejectsTooManyTags() {
    zipkin2.Span.Builder span = span(1);
    for (int i = 0; i < 5; i++) {
      span.putTag("k" + i, "v");
    }
    assertThatThrownBy(() -> decoder.decode(List.of(span.build())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "spans[0].tags has 5 entries, more than the limit of 4"
                + " (ingest.max-attributes-per-span)");
  }

  @Test
  void rejectsLongTagValue() {
    zipkin2.Span span = span(1).putTag("sql", "s".repeat(17)).build();
    assertThatThrownBy(() -> decoder.decode(List.of(span(2).build(), span)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "spans[1].tags (key \"sql\") is 17 characters, longer than the limit of 16"
                + " (ingest.max-attribute-value-length)");
  }

  @Test
  void rejectsBodyThatIsNotZipkinJson() {
    assertThatThrownBy(() -> decoder.decode("{\"traceId\":1}".getBytes(UTF_8)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("body is not a Zipkin v2 JSON list of spans: ");
    assertThatThrownBy(() -> decoder.decode("[{\"id\":\"zz\"}]".getBytes(UTF_8)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("body is not a Zipkin v2 JSON list of spans: ");
  }

  @Test
  void emptyListDecodesToNothing() {
    assertThat(decoder.decode("[]".getBytes(UTF_8)).rows()).isEmpty();
  }

  private static zipkin2.Span.Builder span(long id) {
    return zipkin2.Span.newBuilder()
        .traceId("463ac35c9f6413ad48485a3953bb6124")
        .id(id)
        .name("op")
        .kind(zipkin2.Span.Kind.SERVER)
        .timestamp(1_700_000_000_000_000L)
        .duration(1000)
        .localEndpoint(Endpoint.newBuilder().serviceName("svc").build());
  }
}
