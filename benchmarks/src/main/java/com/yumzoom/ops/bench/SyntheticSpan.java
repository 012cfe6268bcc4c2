package com.yumzoom.ops.bench;

import java.util.List;

/**
 * One generated span, in a neutral form that both encoders (OTLP protobuf and Zipkin JSON) read, so
 * the two ingest runs send the same spans.
 *
 * @param traceId 16 bytes
 * @param spanId 8 bytes
 * @param parentSpanId 8 bytes, or empty for the root
 * @param instance the process that emitted the span (becomes the OTLP resource)
 * @param remoteService the peer of a CLIENT span (a service, "postgres", "redis"), or null
 * @param attributes values are String, Long, Double or Boolean
 */
record SyntheticSpan(
    byte[] traceId,
    byte[] spanId,
    byte[] parentSpanId,
    ServiceInstance instance,
    String name,
    Kind kind,
    long startEpochNanos,
    long endEpochNanos,
    boolean error,
    String statusMessage,
    String remoteService,
    List<Attribute> attributes,
    List<Event> events) {

  SyntheticSpan {
    if (traceId.length != 16) {
      throw new IllegalArgumentException("span.traceId must be 16 bytes, got " + traceId.length);
    }
    if (spanId.length != 8) {
      throw new IllegalArgumentException("span.spanId must be 8 bytes, got " + spanId.length);
    }
    if (parentSpanId.length != 0 && parentSpanId.length != 8) {
      throw new IllegalArgumentException(
          "span.parentSpanId must be 0 or 8 bytes, got " + parentSpanId.length);
    }
    if (endEpochNanos < startEpochNanos) {
      throw new IllegalArgumentException("span.end before span.start");
    }
    attributes = List.copyOf(attributes);
    events = List.copyOf(events);
  }

  enum Kind {
    SERVER,
    CLIENT,
    INTERNAL,
    PRODUCER,
    CONSUMER
  }

  record Attribute(String key, Object value) {
    Attribute {
      if (!(value instanceof String
          || value instanceof Long
          || value instanceof Double
          || value instanceof Boolean)) {
        throw new IllegalArgumentException(
            "attribute " + key + " has unsupported type " + value.getClass().getSimpleName());
      }
    }
  }

  record Event(String name, long epochNanos, List<Attribute> attributes) {
    Event {
      attributes = List.copyOf(attributes);
    }
  }

  /** A running process of a service; one OTLP resource. */
  record ServiceInstance(String service, String version, String podName, String ipv4) {}
}
