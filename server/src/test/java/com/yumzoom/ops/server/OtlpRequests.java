package com.yumzoom.ops.server;

import com.google.protobuf.ByteString;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/** Builds OTLP export requests with known ids for server-level tests. */
final class OtlpRequests {

  private OtlpRequests() {}

  /** One trace of {@code spans} spans (a root and its children) from one service. */
  static ExportTraceServiceRequest trace(
      TraceId traceId, String service, int spans, long startNanos) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("test").setVersion("1.0"));
    for (int i = 0; i < spans; i++) {
      Span.Builder span =
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(traceId.toBytes()))
              .setSpanId(ByteString.copyFrom(spanId(i + 1)))
              .setName(i == 0 ? "GET /restaurants/{id}" : "SELECT restaurants")
              .setKind(i == 0 ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_CLIENT)
              .setStartTimeUnixNano(startNanos + i * 1_000_000L)
              .setEndTimeUnixNano(startNanos + i * 1_000_000L + 500_000L)
              .addAttributes(attr("http.request.method", "GET"))
              .addAttributes(attr("span.index", Integer.toString(i)));
      if (i > 0) {
        span.setParentSpanId(ByteString.copyFrom(spanId(1)));
      }
      scope.addSpans(span);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
                .addScopeSpans(scope))
        .build();
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static byte[] spanId(long id) {
    byte[] out = new byte[8];
    TraceId.writeLong(out, 0, id);
    return out;
  }
}
