package com.yumzoom.ops.ingest;

import static com.yumzoom.ops.ingest.OtlpTestData.array;
import static com.yumzoom.ops.ingest.OtlpTestData.bytes;
import static com.yumzoom.ops.ingest.OtlpTestData.filled;
import static com.yumzoom.ops.ingest.OtlpTestData.i;
import static com.yumzoom.ops.ingest.OtlpTestData.kv;
import static com.yumzoom.ops.ingest.OtlpTestData.kvlist;
import static com.yumzoom.ops.ingest.OtlpTestData.request;
import static com.yumzoom.ops.ingest.OtlpTestData.resource;
import static com.yumzoom.ops.ingest.OtlpTestData.s;
import static com.yumzoom.ops.ingest.OtlpTestData.scope;
import static com.yumzoom.ops.ingest.OtlpTestData.span;
import static com.yumzoom.ops.ingest.OtlpTestData.spanId;
import static com.yumzoom.ops.ingest.OtlpTestData.str;
import static com.yumzoom.ops.ingest.OtlpTestData.traceId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanTags;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpTraceDecoderTest {

  private static final IngestLimits LIMITS = new IngestLimits(1 << 20, 10, 4, 16, 20);
  private final OtlpTraceDecoder decoder = new OtlpTraceDecoder(LIMITS);

  @Test
  void mapsColumnsFromResourceAndSpan() throws InvalidProtocolBufferException {
    Span.Builder child =
        span(2)
            .setParentSpanId(spanId(1))
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStatus(
                io.opentelemetry.proto.trace.v1.Status.newBuilder()
                    .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR))
            .addAttributes(str("http.method", "GET"));
    ExportTraceServiceRequest request =
        request(
            resource("checkout", str("host.name", "h1"))
                .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
                .addScopeSpans(scope("lib-a", span(1), child).setSchemaUrl("scope-schema")));

    DecodedSpans decoded = decoder.decode(request);

    assertThat(decoded.rejectedSpans()).isZero();
    assertThat(decoded.rejectionMessage()).isEmpty();
    assertThat(decoded.rows()).hasSize(2);
    SpanRow root = decoded.rows().get(0);
    assertThat(root.traceId()).isEqualTo(new TraceId(1, 1));
    assertThat(root.spanId()).isEqualTo(1);
    assertThat(root.parentSpanId()).isZero();
    assertThat(root.serviceName()).isEqualTo("checkout");
    assertThat(root.name()).isEqualTo("op-1");
    assertThat(root.kind()).isEqualTo(2);
    assertThat(root.startEpochNanos()).isEqualTo(1001);
    assertThat(root.durationNanos()).isEqualTo(500);
    assertThat(root.statusCode()).isEqualTo(1);
    assertThat(root.tags()).isEqualTo("\nservice.name=checkout\nhost.name=h1\n");

    SpanRow row = decoded.rows().get(1);
    assertThat(row.parentSpanId()).isEqualTo(1);
    assertThat(row.kind()).isEqualTo(3);
    assertThat(row.statusCode()).isEqualTo(2);
    assertThat(row.isError()).isTrue();
    assertThat(row.tags()).isEqualTo("\nservice.name=checkout\nhost.name=h1\nhttp.method=GET\n");
    assertThat(Span.parseFrom(row.span())).isEqualTo(child.build());

    ResourceSpans envelope = ResourceSpans.parseFrom(row.envelope());
    assertThat(envelope.getResource()).isEqualTo(request.getResourceSpans(0).getResource());
    assertThat(envelope.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.26.0");
    assertThat(envelope.getScopeSpansCount()).isEqualTo(1);
    assertThat(envelope.getScopeSpans(0).getScope().getName()).isEqualTo("lib-a");
    assertThat(envelope.getScopeSpans(0).getSchemaUrl()).isEqualTo("scope-schema");
    assertThat(envelope.getScopeSpans(0).getSpansCount()).isZero();
  }

  @Test
  void sharesOneEnvelopeArrayPerScope() {
    DecodedSpans decoded =
        decoder.decode(
            request(
                resource("a")
                    .addScopeSpans(scope("s1", span(1), span(2)))
                    .addScopeSpans(scope("s2", span(3))),
                resource("b").addScopeSpans(scope("s1", span(4)))));

    List<SpanRow> rows = decoded.rows();
    assertThat(rows.get(0).envelope()).isSameAs(rows.get(1).envelope());
    assertThat(rows.get(2).envelope()).isNotSameAs(rows.get(0).envelope());
    assertThat(rows.get(3).envelope()).isNotSameAs(rows.get(0).envelope());
    assertThat(rows.get(3).serviceName()).isEqualTo("b");
  }

  @Test
  void serviceNameDefaultsToUnknownService() {
    DecodedSpans decoded =
        decoder.decode(
            request(
                resource(null).addScopeSpans(scope("s", span(1))),
                resource(null, kv("service.name", i(7))).addScopeSpans(scope("s", span(2))),
                resource("").addScopeSpans(scope("s", span(3)))));

    assertThat(decoded.rows()).extracting(SpanRow::serviceName).containsOnly("unknown_service");
  }

  @Test
  void durationIsNeverNegative() {
    DecodedSpans decoded =
        decoder.decode(
            request(
                resource("a")
                    .addScopeSpans(
                        scope(
                            "s",
                            span(1).setStartTimeUnixNano(2000).setEndTimeUnixNano(1000),
                            span(2).setEndTimeUnixNano(0)))));

    assertThat(decoded.rows()).extracting(SpanRow::durationNanos).containsExactly(0L, 0L);
  }

  @Test
  void stringifiesEveryValueType() {
    Span.Builder span =
        span(1)
            .addAttributes(kv("b", AnyValue.newBuilder().setBoolValue(false).build()))
            .addAttributes(kv("i", i(-42)))
            .addAttributes(kv("d", AnyValue.newBuilder().setDoubleValue(2.5).build()))
            .addAttributes(
                kv("bytes", AnyValue.newBuilder().setBytesValue(bytes(1, 2, 3)).build()));
    ExportTraceServiceRequest request =
        request(
            resource("a")
                .addScopeSpans(
                    scope(
                        "s",
                        span,
                        span(2)
                            .addAttributes(kv("arr", array(s("x\"y"), i(1), s("a\nb"))))
                            .addAttributes(kv("kv", kvlist(kv("k", s("v")), kv("n", array()))))
                            .addAttributes(kv("empty", AnyValue.getDefaultInstance()))
                            .addAttributes(str("multi\nline", "one\r\ntwo")))));

    List<SpanRow> rows = decoder.decode(request).rows();

    assertThat(rows.get(0).tags())
        .isEqualTo("\nservice.name=a\nb=false\ni=-42\nd=2.5\nbytes=AQID\n");
    assertThat(rows.get(1).tags())
        .isEqualTo(
            "\nservice.name=a\narr=[\"x\\\"y\",1,\"a\\nb\"]\nkv={\"k\":\"v\",\"n\":[]}\n"
                + "empty=\nmulti line=one  two\n");
  }

  @Test
  void tagStringMatchesSpanTagsFormat() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("service.name", "api");
    expected.put("region", "eu\nwest");
    expected.put("http.status_code", "200");
    expected.put("cache.hit", "true");

    SpanRow row =
        decoder
            .decode(
                request(
                    resource("api", str("region", "eu\nwest"))
                        .addScopeSpans(
                            scope(
                                "s",
                                span(1)
                                    .addAttributes(kv("http.status_code", i(200)))
                                    .addAttributes(
                                        kv(
                                            "cache.hit",
                                            AnyValue.newBuilder().setBoolValue(true).build()))))))
            .rows()
            .get(0);

    assertThat(row.tags()).isEqualTo(SpanTags.of(expected));
    assertThat(SpanTags.matches(row.tags(), "http.status_code", "200")).isTrue();
  }

  @Test
  void rejectsRequestWithTooManySpans() {
    assertThatThrownBy(() -> decoder.decode(requestOf(11)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "resourceSpans[*].scopeSpans[*].spans has 11 spans, more than the limit of 10"
                + " (ingest.max-spans-per-request)");
    assertThat(decoder.decode(requestOf(10)).rows()).hasSize(10);
  }

  @Test
  void rejectsSpanNameLongerThanLimit() {
    ExportTraceServiceRequest request =
        request(
            resource("a")
                .addScopeSpans(scope("s0", span(1)))
                .addScopeSpans(scope("s1", span(2), span(3).setName("x".repeat(21)))));

    assertThatThrownBy(() -> decoder.decode(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "resourceSpans[0].scopeSpans[1].spans[1].name is 21 characters, longer than the limit"
                + " of 20 (ingest.max-span-name-length)");
  }

  @Test
  void acceptsSpanNameAtLimit() {
    assertThat(
            decoder
                .decode(
                    request(
                        resource("a").addScopeSpans(scope("s", span(1).setName("x".repeat(20))))))
                .rows())
        .hasSize(1);
  }

  @Test
  void rejectsTooManySpanAttributes() {
    Span.Builder span = span(1);
    for (int a = 0; a < 5; a++) {
      span.addAttributes(str("k" + a, "v"));
    }
    ExportTraceServiceRequest request =
        request(resource("a"), resource("b").addScopeSpans(scope("s", span)));

    assertThatThrownBy(() -> decoder.decode(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "resourceSpans[1].scopeSpans[0].spans[0].attributes has 5 entries, more than the"
                + " limit of 4 (ingest.max-attributes-per-span)");
  }

  @Test
  void rejectsTooManyResourceAttributes() {
    ExportTraceServiceRequest request =
        request(
            resource("a", str("k1", "v"), str("k2", "v"), str("k3", "v"), str("k4", "v"))
                .addScopeSpans(scope("s", span(1))));

    assertThatThrownBy(() -> decoder.decode(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "resourceSpans[0].resource.attributes has 5 entries, more than the limit of 4"
                + " (ingest.max-attributes-per-span)");
  }

  @Test
  void rejectsAttributeValueLongerThanLimit() {
    ExportTraceServiceRequest request =
        request(
            resource("a")
                .addScopeSpans(
                    scope(
                        "s",
                        span(1).addAttributes(str("ok", "x".repeat(16))),
                        span(2)
                            .addAttributes(str("ok", "y"))
                            .addAttributes(str("http.url", "x".repeat(17))))));

    assertThatThrownBy(() -> decoder.decode(request))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "resourceSpans[0].scopeSpans[0].spans[1].attributes[1].value (key \"http.url\") is 17"
                + " characters, longer than the limit of 16 (ingest.max-attribute-value-length)");
  }

  @Test
  void rejectsLongStringInsideArraysAndLists() {
    ExportTraceServiceRequest inArray =
        request(
            resource("a")
                .addScopeSpans(
                    scope(
                        "s", span(1).addAttributes(kv("tags", array(s("a"), s("x".repeat(30))))))));
    ExportTraceServiceRequest inList =
        request(
            resource("a")
                .addScopeSpans(
                    scope(
                        "s",
                        span(1)
                            .addAttributes(kv("m", kvlist(kv("k", array(s("x".repeat(18))))))))));

    assertThatThrownBy(() -> decoder.decode(inArray))
        .hasMessage(
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values[1]"
                + " (key \"tags\") is 30 characters, longer than the limit of 16"
                + " (ingest.max-attribute-value-length)");
    assertThatThrownBy(() -> decoder.decode(inList))
        .hasMessage(
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.kvlistValue.values[0]"
                + ".value.arrayValue.values[0] (key \"m\") is 18 characters, longer than the limit"
                + " of 16 (ingest.max-attribute-value-length)");
  }

  @Test
  void rejectsLongResourceAttributeValue() {
    ExportTraceServiceRequest request =
        request(resource("a", str("host.name", "h".repeat(17))).addScopeSpans(scope("s", span(1))));

    assertThatThrownBy(() -> decoder.decode(request))
        .hasMessage(
            "resourceSpans[0].resource.attributes[1].value (key \"host.name\") is 17 characters,"
                + " longer than the limit of 16 (ingest.max-attribute-value-length)");
  }

  @Test
  void dropsSpansWithInvalidIdsAndReportsPartialSuccess() {
    ExportTraceServiceRequest request =
        request(
            resource("a")
                .addScopeSpans(
                    scope(
                        "s",
                        span(1),
                        span(2).setTraceId(filled(16, 0)),
                        span(3).setTraceId(filled(8, 1)),
                        span(4).setSpanId(ByteString.EMPTY),
                        span(5).setSpanId(filled(8, 0)),
                        span(6).setSpanId(filled(16, 1)),
                        span(7).setParentSpanId(filled(4, 1)),
                        span(8))));

    DecodedSpans decoded = decoder.decode(request);

    assertThat(decoded.rows()).extracting(SpanRow::spanId).containsExactly(1L, 8L);
    assertThat(decoded.rejectedSpans()).isEqualTo(6);
    assertThat(decoded.rejectionMessage())
        .isEqualTo(
            "rejected 2 spans with an invalid traceId (must be 16 bytes, not all zero), first at"
                + " resourceSpans[0].scopeSpans[0].spans[1]; 3 spans with an invalid spanId (must"
                + " be 8 bytes, not all zero), first at resourceSpans[0].scopeSpans[0].spans[3];"
                + " 1 span with an invalid parentSpanId (must be empty or 8 bytes), first at"
                + " resourceSpans[0].scopeSpans[0].spans[6]");
  }

  @Test
  void acceptsIdEdgeValues() {
    ExportTraceServiceRequest request =
        request(
            resource("a")
                .addScopeSpans(
                    scope(
                        "s",
                        // only the last byte set: still a valid id
                        span(1).setTraceId(traceId(0, 1)).setSpanId(spanId(1)),
                        span(2).setTraceId(traceId(-1, -1)).setSpanId(spanId(-1)),
                        // an all-zero parent means no parent, as the SDKs send it
                        span(3).setParentSpanId(filled(8, 0)))));

    List<SpanRow> rows = decoder.decode(request).rows();

    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).traceId()).isEqualTo(new TraceId(0, 1));
    assertThat(rows.get(1).traceId().toHex()).isEqualTo("f".repeat(32));
    assertThat(rows.get(1).spanId()).isEqualTo(-1L);
    assertThat(rows.get(2).isRoot()).isTrue();
  }

  @Test
  void emptyRequestDecodesToNothing() {
    DecodedSpans decoded = decoder.decode(ExportTraceServiceRequest.getDefaultInstance());
    assertThat(decoded.rows()).isEmpty();
    assertThat(decoded.rejectedSpans()).isZero();
  }

  @Test
  void decodesBatchLikeAReferenceBuiltOnTheGeneratedClasses() throws Exception {
    ExportTraceServiceRequest request = OtlpTestData.batch(64, 20);
    DecodedSpans decoded =
        new OtlpTraceDecoder(IngestLimits.DEFAULTS).decode(request.toByteArray());

    List<SpanRow> expected = new java.util.ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (var ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          Map<String, String> tags = new LinkedHashMap<>();
          for (KeyValue kv : rs.getResource().getAttributesList()) {
            tags.put(kv.getKey(), text(kv.getValue()));
          }
          for (KeyValue kv : span.getAttributesList()) {
            tags.put(kv.getKey(), text(kv.getValue()));
          }
          expected.add(
              new SpanRow(
                  TraceId.fromBytes(span.getTraceId().toByteArray()),
                  span.getSpanId().asReadOnlyByteBuffer().getLong(),
                  span.getParentSpanId().asReadOnlyByteBuffer().getLong(),
                  rs.getResource().getAttributes(0).getValue().getStringValue(),
                  span.getName(),
                  span.getKindValue(),
                  span.getStartTimeUnixNano(),
                  span.getEndTimeUnixNano() - span.getStartTimeUnixNano(),
                  span.getStatus().getCodeValue(),
                  SpanTags.of(tags),
                  new byte[0],
                  span.toByteArray()));
        }
      }
    }

    assertThat(decoded.rows()).hasSize(64);
    for (int i = 0; i < 64; i++) {
      SpanRow actual = decoded.rows().get(i);
      SpanRow want = expected.get(i);
      assertThat(actual)
          .usingRecursiveComparison()
          .ignoringFields("envelope", "span")
          .isEqualTo(want);
      assertThat(actual.span()).isEqualTo(want.span());
    }
  }

  private static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      default -> throw new AssertionError("not in the batch: " + value.getValueCase());
    };
  }

  @Test
  void readsFieldsInAnyOrderKeepsUnknownFieldsAndLastValueWins() throws Exception {
    // A span written by hand, fields out of order, a field from the future (99), the name twice.
    ByteArrayOutputStream spanBytes = new ByteArrayOutputStream();
    CodedOutputStream span = CodedOutputStream.newInstance(spanBytes);
    span.writeByteArray(9, str("late", "attr").toByteArray());
    span.writeString(99, "from a newer proto");
    span.writeString(5, "first name");
    span.writeFixed64(8, 3_000);
    span.writeFixed64(7, 1_000);
    span.writeByteArray(2, spanId(7).toByteArray());
    span.writeString(5, "second name");
    span.writeByteArray(1, traceId(3, 4).toByteArray());
    span.writeEnum(6, 4);
    span.flush();
    // A ResourceSpans with its schema url before the resource, and a ScopeSpans likewise.
    ByteArrayOutputStream scopeBytes = new ByteArrayOutputStream();
    CodedOutputStream scope = CodedOutputStream.newInstance(scopeBytes);
    scope.writeString(3, "scope-schema");
    scope.writeByteArray(2, spanBytes.toByteArray());
    scope.writeByteArray(
        1,
        io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
            .setName("lib")
            .build()
            .toByteArray());
    scope.flush();
    ByteArrayOutputStream resourceBytes = new ByteArrayOutputStream();
    CodedOutputStream resource = CodedOutputStream.newInstance(resourceBytes);
    resource.writeString(3, "resource-schema");
    resource.writeByteArray(2, scopeBytes.toByteArray());
    resource.writeByteArray(
        1,
        io.opentelemetry.proto.resource.v1.Resource.newBuilder()
            .addAttributes(str("service.name", "svc"))
            .build()
            .toByteArray());
    resource.flush();
    ByteArrayOutputStream requestBytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(requestBytes);
    out.writeByteArray(1, resourceBytes.toByteArray());
    out.flush();

    SpanRow row = decoder.decode(requestBytes.toByteArray()).rows().getFirst();

    assertThat(row.name()).isEqualTo("second name");
    assertThat(row.traceId()).isEqualTo(new TraceId(3, 4));
    assertThat(row.spanId()).isEqualTo(7);
    assertThat(row.kind()).isEqualTo(4);
    assertThat(row.startEpochNanos()).isEqualTo(1_000);
    assertThat(row.durationNanos()).isEqualTo(2_000);
    assertThat(row.serviceName()).isEqualTo("svc");
    assertThat(row.tags()).isEqualTo("\nservice.name=svc\nlate=attr\n");
    assertThat(row.span()).isEqualTo(spanBytes.toByteArray());
    ResourceSpans envelope = ResourceSpans.parseFrom(row.envelope());
    assertThat(envelope.getSchemaUrl()).isEqualTo("resource-schema");
    assertThat(envelope.getScopeSpans(0).getSchemaUrl()).isEqualTo("scope-schema");
    assertThat(envelope.getScopeSpans(0).getScope().getName()).isEqualTo("lib");
  }

  @Test
  void rejectsMalformedProtobuf() {
    byte[] valid = request(resource("a").addScopeSpans(scope("s", span(1)))).toByteArray();
    byte[] truncated = Arrays.copyOf(valid, valid.length - 3);
    byte[] badUtf8 =
        request(resource("a").addScopeSpans(scope("s", span(1).setName("\u00e9")))).toByteArray();
    // the UTF-8 of "é" is C3 A9; make it an invalid sequence
    for (int i = 0; i + 1 < badUtf8.length; i++) {
      if (badUtf8[i] == (byte) 0xC3 && badUtf8[i + 1] == (byte) 0xA9) {
        badUtf8[i + 1] = (byte) 0x28;
      }
    }

    assertThatThrownBy(() -> decoder.decode(truncated))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> decoder.decode(badUtf8))
        .isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> decoder.decode(new byte[] {(byte) 0xFF, 1, 2}))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void unusualAttributeEncodingsReadAsProtobufReadsThem() throws Exception {
    byte[] valueFirst =
        message(
            out -> {
              out.writeByteArray(2, s("v").toByteArray());
              out.writeString(1, "before");
            });
    // a value given twice is merged: the second, empty one leaves the first in place
    byte[] valueTwice =
        message(
            out -> {
              out.writeString(1, "twice");
              out.writeByteArray(2, i(7).toByteArray());
              out.writeByteArray(2, new byte[0]);
            });
    // two fields of the oneof in one value: the last wins
    byte[] lastWins =
        message(
            out -> {
              out.writeString(1, "oneof");
              out.writeByteArray(
                  2,
                  message(
                      v -> {
                        v.writeString(1, "text");
                        v.writeInt64(3, 42);
                      }));
            });
    byte[] unknownField =
        message(
            out -> {
              out.writeString(1, "unknown");
              out.writeByteArray(2, s("u").toByteArray());
              out.writeString(77, "future");
            });
    byte[] noValue = message(out -> out.writeString(1, "empty"));
    byte[] span =
        withFields(
            span(1).build().toByteArray(),
            9,
            valueFirst,
            valueTwice,
            lastWins,
            unknownField,
            noValue);

    SpanRow row =
        new OtlpTraceDecoder(IngestLimits.DEFAULTS).decode(requestWithSpan(span)).rows().getFirst();

    assertThat(row.tags())
        .isEqualTo("\nservice.name=a\nbefore=v\ntwice=7\noneof=42\nunknown=u\nempty=\n");
    assertThat(row.span()).isEqualTo(span);
  }

  @Test
  void limitsHoldOnTheUnusualPathToo() throws Exception {
    byte[] valueFirst =
        message(
            out -> {
              out.writeByteArray(2, s("x".repeat(17)).toByteArray());
              out.writeString(1, "late.key");
            });
    byte[] span = withFields(span(1).build().toByteArray(), 9, valueFirst);

    assertThatThrownBy(() -> decoder.decode(requestWithSpan(span)))
        .hasMessage(
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value (key \"late.key\") is 17"
                + " characters, longer than the limit of 16 (ingest.max-attribute-value-length)");
  }

  @Test
  void invalidUtf8AnywhereInTheSpanIsRefusedAsProtobufWould() throws Exception {
    byte[] bad = {(byte) 0xC3, 0x28};
    byte[] base = span(1).build().toByteArray();
    byte[] badEventName = withFields(base, 11, message(out -> out.writeByteArray(2, bad)));
    byte[] badTraceState = withFields(base, 3, bad);
    byte[] badStatusMessage = withFields(base, 15, message(out -> out.writeByteArray(2, bad)));
    byte[] badKey = withFields(base, 9, message(out -> out.writeByteArray(1, bad)));

    for (byte[] span : List.of(badEventName, badTraceState, badStatusMessage, badKey)) {
      assertThatThrownBy(() -> decoder.decode(requestWithSpan(span)))
          .isInstanceOf(InvalidProtocolBufferException.class)
          .hasMessageContaining("UTF-8");
      assertThatThrownBy(() -> Span.parseFrom(span))
          .isInstanceOf(InvalidProtocolBufferException.class);
    }
  }

  @Test
  void statusCodeIsReadFromAnEncodedStatus() {
    SpanRow row =
        decoder
            .decode(
                request(
                    resource("a")
                        .addScopeSpans(
                            scope(
                                "s",
                                span(1)
                                    .setStatus(
                                        io.opentelemetry.proto.trace.v1.Status.newBuilder()
                                            .setMessage("boom")
                                            .setCode(
                                                io.opentelemetry.proto.trace.v1.Status.StatusCode
                                                    .STATUS_CODE_ERROR))))))
            .rows()
            .getFirst();
    assertThat(row.statusCode()).isEqualTo(2);
  }

  /** Writes a message with the given fields. */
  private static byte[] message(Writer fields) throws java.io.IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    fields.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  private interface Writer {
    void write(CodedOutputStream out) throws java.io.IOException;
  }

  /** Appends length-delimited fields to a message (protobuf reads concatenation as a merge). */
  private static byte[] withFields(byte[] message, int field, byte[]... values)
      throws java.io.IOException {
    return message(
        out -> {
          out.writeRawBytes(message);
          for (byte[] value : values) {
            out.writeByteArray(field, value);
          }
        });
  }

  private static byte[] requestWithSpan(byte[] span) throws java.io.IOException {
    byte[] scope = message(out -> out.writeByteArray(2, span));
    byte[] resource =
        message(
            out -> {
              out.writeByteArray(1, resource("a").getResource().toByteArray());
              out.writeByteArray(2, scope);
            });
    return message(out -> out.writeByteArray(1, resource));
  }

  /** A request of n spans spread over two resources. */
  private static ExportTraceServiceRequest requestOf(int n) {
    var a = scope("s");
    var b = scope("s");
    for (int k = 0; k < n; k++) {
      (k % 2 == 0 ? a : b).addSpans(span(k + 1));
    }
    return request(resource("a").addScopeSpans(a), resource("b").addScopeSpans(b));
  }
}
