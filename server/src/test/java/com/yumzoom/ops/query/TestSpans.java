package com.yumzoom.ops.query;

import com.google.protobuf.ByteString;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanTags;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds stored rows from real OTLP messages, the way ingest would. */
final class TestSpans {

  private TestSpans() {}

  static TraceId traceId(long n) {
    return new TraceId(0x0af7651916cd43ddL, n);
  }

  /** A serialized ResourceSpans with the resource and one scope, no spans. */
  static byte[] envelope(String service, String scope, Map<String, String> resourceAttributes) {
    Resource.Builder resource = Resource.newBuilder().addAttributes(kv("service.name", service));
    resourceAttributes.forEach((k, v) -> resource.addAttributes(kv(k, v)));
    return ResourceSpans.newBuilder()
        .setResource(resource)
        .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
        .addScopeSpans(
            ScopeSpans.newBuilder()
                .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                .setScope(InstrumentationScope.newBuilder().setName(scope).setVersion("1.0")))
        .build()
        .toByteArray();
  }

  static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static SpanBuilder span(TraceId traceId, long spanId) {
    return new SpanBuilder(traceId, spanId);
  }

  static final class SpanBuilder {
    private final TraceId traceId;
    private final long spanId;
    private long parent;
    private String service = "api";
    private String name = "GET /";
    private int kind = SpanRow.KIND_SERVER;
    private long start;
    private long duration = 1_000_000;
    private int status;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final Map<String, String> resourceAttributes = new LinkedHashMap<>();
    private byte[] envelope;

    private SpanBuilder(TraceId traceId, long spanId) {
      this.traceId = traceId;
      this.spanId = spanId;
    }

    SpanBuilder parent(long parent) {
      this.parent = parent;
      return this;
    }

    SpanBuilder service(String service) {
      this.service = service;
      return this;
    }

    SpanBuilder name(String name) {
      this.name = name;
      return this;
    }

    SpanBuilder kind(int kind) {
      this.kind = kind;
      return this;
    }

    SpanBuilder start(long epochNanos) {
      this.start = epochNanos;
      return this;
    }

    SpanBuilder duration(long nanos) {
      this.duration = nanos;
      return this;
    }

    SpanBuilder error() {
      this.status = SpanRow.STATUS_ERROR;
      return this;
    }

    SpanBuilder attribute(String key, String value) {
      attributes.put(key, value);
      return this;
    }

    SpanBuilder resourceAttribute(String key, String value) {
      resourceAttributes.put(key, value);
      return this;
    }

    /** Shares this envelope array, as spans of one received batch do. */
    SpanBuilder envelope(byte[] envelope) {
      this.envelope = envelope;
      return this;
    }

    Span proto() {
      Span.Builder b =
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(traceId.toBytes()))
              .setSpanId(ByteString.copyFrom(longBytes(spanId)))
              .setName(name)
              .setKindValue(kind)
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(start + duration)
              .setStatus(Status.newBuilder().setCodeValue(status));
      if (parent != 0) {
        b.setParentSpanId(ByteString.copyFrom(longBytes(parent)));
      }
      attributes.forEach((k, v) -> b.addAttributes(kv(k, v)));
      return b.build();
    }

    SpanRow row() {
      byte[] env =
          envelope != null
              ? envelope
              : TestSpans.envelope(service, "test-scope", resourceAttributes);
      Map<String, String> tags = new LinkedHashMap<>(attributes);
      tags.put("service.name", service);
      tags.putAll(resourceAttributes);
      return new SpanRow(
          traceId,
          spanId,
          parent,
          service,
          name,
          kind,
          start,
          duration,
          status,
          SpanTags.of(tags),
          env,
          proto().toByteArray());
    }
  }

  static byte[] longBytes(long v) {
    byte[] out = new byte[8];
    TraceId.writeLong(out, 0, v);
    return out;
  }
}
