package com.yumzoom.ops.ingest;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Builders of OTLP test messages, shared by the unit tests, the ITs and the throughput main. */
final class OtlpTestData {

  private OtlpTestData() {}

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  static ByteString filled(int length, int value) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return ByteString.copyFrom(b);
  }

  static ByteString traceId(long high, long low) {
    byte[] b = new byte[16];
    com.yumzoom.ops.store.TraceId.writeLong(b, 0, high);
    com.yumzoom.ops.store.TraceId.writeLong(b, 8, low);
    return ByteString.copyFrom(b);
  }

  static ByteString spanId(long id) {
    byte[] b = new byte[8];
    com.yumzoom.ops.store.TraceId.writeLong(b, 0, id);
    return ByteString.copyFrom(b);
  }

  static KeyValue str(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static AnyValue s(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  static AnyValue i(long value) {
    return AnyValue.newBuilder().setIntValue(value).build();
  }

  static AnyValue array(AnyValue... values) {
    return AnyValue.newBuilder()
        .setArrayValue(ArrayValue.newBuilder().addAllValues(Arrays.asList(values)))
        .build();
  }

  static AnyValue kvlist(KeyValue... values) {
    return AnyValue.newBuilder()
        .setKvlistValue(KeyValueList.newBuilder().addAllValues(Arrays.asList(values)))
        .build();
  }

  /** A valid span: trace id (1, n), span id n, started at 1000 + n, lasting 500 ns. */
  static Span.Builder span(long n) {
    return Span.newBuilder()
        .setTraceId(traceId(1, n))
        .setSpanId(spanId(n))
        .setName("op-" + n)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1000 + n)
        .setEndTimeUnixNano(1500 + n)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK));
  }

  static ResourceSpans.Builder resource(String serviceName, KeyValue... more) {
    Resource.Builder resource = Resource.newBuilder();
    if (serviceName != null) {
      resource.addAttributes(str("service.name", serviceName));
    }
    resource.addAllAttributes(Arrays.asList(more));
    return ResourceSpans.newBuilder().setResource(resource);
  }

  static ScopeSpans.Builder scope(String name, Span.Builder... spans) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName(name).setVersion("1.0"));
    for (Span.Builder span : spans) {
      scope.addSpans(span);
    }
    return scope;
  }

  static ExportTraceServiceRequest request(ResourceSpans.Builder... resources) {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    for (ResourceSpans.Builder r : resources) {
      b.addResourceSpans(r);
    }
    return b.build();
  }

  /**
   * A realistic batch: {@code spans} spans over 4 services, each span with {@code attributes}
   * attributes of mixed types (mostly strings of 10-40 characters).
   */
  static ExportTraceServiceRequest batch(int spans, int attributes) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    int services = 4;
    for (int r = 0; r < services; r++) {
      ResourceSpans.Builder rs =
          resource(
              "service-" + r,
              str("host.name", "host-" + r + ".example.internal"),
              str("telemetry.sdk.language", "java"),
              str("telemetry.sdk.version", "1.55.0"),
              str("deployment.environment", "production"));
      ScopeSpans.Builder ss = scope("io.opentelemetry.instrumentation.http");
      for (int k = r; k < spans; k += services) {
        Span.Builder span =
            span(k + 1)
                .setParentSpanId(spanId(k + 1000))
                .setTraceId(traceId(0x5b8efff798038103L + k / 8, 0xd269b633813fc60cL + k / 8));
        for (int a = 0; a < attributes; a++) {
          switch (a % 5) {
            case 0 -> span.addAttributes(kv("app.count." + a, i(a * 1000L + k)));
            case 1 -> span.addAttributes(str("http.route." + a, "/api/v1/orders/{id}/items"));
            case 2 ->
                span.addAttributes(
                    kv("app.ok." + a, AnyValue.newBuilder().setBoolValue(true).build()));
            default ->
                span.addAttributes(
                    str("app.attribute." + a, "value-" + a + "-" + k + "-lorem-ipsum-dolor"));
          }
        }
        ss.addSpans(span);
      }
      rs.addScopeSpans(ss);
      request.addResourceSpans(rs);
    }
    return request.build();
  }
}
