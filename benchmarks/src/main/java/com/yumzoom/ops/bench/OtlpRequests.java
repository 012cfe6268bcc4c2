package com.yumzoom.ops.bench;

import com.google.protobuf.ByteString;
import com.yumzoom.ops.bench.SyntheticSpan.Attribute;
import com.yumzoom.ops.bench.SyntheticSpan.ServiceInstance;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes synthetic spans as one OTLP ExportTraceServiceRequest, grouped the way an OpenTelemetry
 * Collector batches them: one ResourceSpans per emitting process, one ScopeSpans per
 * instrumentation library.
 */
final class OtlpRequests {

  private OtlpRequests() {}

  static ExportTraceServiceRequest request(List<SyntheticSpan> spans) {
    Map<ServiceInstance, Map<String, ScopeSpans.Builder>> grouped = new LinkedHashMap<>();
    for (SyntheticSpan s : spans) {
      grouped
          .computeIfAbsent(s.instance(), k -> new LinkedHashMap<>())
          .computeIfAbsent(
              scopeName(s),
              name ->
                  ScopeSpans.newBuilder()
                      .setScope(
                          InstrumentationScope.newBuilder().setName(name).setVersion("2.10.0")))
          .addSpans(span(s));
    }
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    grouped.forEach(
        (instance, scopes) -> {
          ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource(instance));
          scopes.values().forEach(rs::addScopeSpans);
          request.addResourceSpans(rs);
        });
    return request.build();
  }

  /** The instrumentation library that would have produced the span in a Java service. */
  static String scopeName(SyntheticSpan s) {
    if (s.remoteService() == null) {
      return s.kind() == SyntheticSpan.Kind.SERVER
          ? "io.opentelemetry.tomcat-10.0"
          : "io.opentelemetry.opentelemetry-instrumentation-annotations-1.16";
    }
    return switch (s.remoteService()) {
      case "postgres" -> "io.opentelemetry.jdbc";
      case "redis" -> "io.opentelemetry.lettuce-5.1";
      default -> "io.opentelemetry.java-http-client";
    };
  }

  static Resource resource(ServiceInstance instance) {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", instance.service()))
        .addAttributes(kv("service.namespace", "yumzoom"))
        .addAttributes(kv("service.version", instance.version()))
        .addAttributes(kv("service.instance.id", instance.podName()))
        .addAttributes(kv("deployment.environment.name", "production"))
        .addAttributes(kv("host.name", instance.podName()))
        .addAttributes(kv("k8s.namespace.name", "yumzoom"))
        .addAttributes(kv("k8s.pod.name", instance.podName()))
        .addAttributes(kv("cloud.region", "eu-west-1"))
        .addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(kv("telemetry.sdk.language", "java"))
        .addAttributes(kv("telemetry.sdk.version", "1.55.0"))
        .build();
  }

  static Span span(SyntheticSpan s) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(s.traceId()))
            .setSpanId(ByteString.copyFrom(s.spanId()))
            .setParentSpanId(ByteString.copyFrom(s.parentSpanId()))
            .setName(s.name())
            .setKind(kind(s.kind()))
            .setStartTimeUnixNano(s.startEpochNanos())
            .setEndTimeUnixNano(s.endEpochNanos());
    for (Attribute a : s.attributes()) {
      b.addAttributes(kv(a));
    }
    for (SyntheticSpan.Event e : s.events()) {
      Span.Event.Builder event =
          Span.Event.newBuilder().setName(e.name()).setTimeUnixNano(e.epochNanos());
      e.attributes().forEach(a -> event.addAttributes(kv(a)));
      b.addEvents(event);
    }
    if (s.error()) {
      b.setStatus(
          Status.newBuilder()
              .setCode(Status.StatusCode.STATUS_CODE_ERROR)
              .setMessage(s.statusMessage()));
    }
    return b.build();
  }

  private static Span.SpanKind kind(SyntheticSpan.Kind kind) {
    return switch (kind) {
      case SERVER -> Span.SpanKind.SPAN_KIND_SERVER;
      case CLIENT -> Span.SpanKind.SPAN_KIND_CLIENT;
      case INTERNAL -> Span.SpanKind.SPAN_KIND_INTERNAL;
      case PRODUCER -> Span.SpanKind.SPAN_KIND_PRODUCER;
      case CONSUMER -> Span.SpanKind.SPAN_KIND_CONSUMER;
    };
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static KeyValue kv(Attribute a) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (a.value()) {
      case String s -> v.setStringValue(s);
      case Long l -> v.setIntValue(l);
      case Double d -> v.setDoubleValue(d);
      case Boolean bool -> v.setBoolValue(bool);
      default ->
          throw new IllegalArgumentException("attribute " + a.key() + " has unsupported type");
    }
    return KeyValue.newBuilder().setKey(a.key()).setValue(v).build();
  }
}
