package com.yumzoom.ops.store;

import java.util.Objects;

/**
 * One span as the store keeps it: the columns that search, summaries and retention filter on, and
 * the span itself as OTLP protobuf bytes so that a trace is returned exactly as it was received.
 *
 * @param traceId the trace this span belongs to
 * @param spanId the span's 64-bit id
 * @param parentSpanId the parent's id, 0 for a root span
 * @param serviceName the {@code service.name} resource attribute ("unknown_service" if absent)
 * @param name the span name (operation)
 * @param kind the OTLP {@code SpanKind} number (0 unspecified, 1 internal, 2 server, 3 client, 4
 *     producer, 5 consumer)
 * @param startEpochNanos start time, nanoseconds since the epoch
 * @param durationNanos end minus start, never negative
 * @param statusCode the OTLP status code number (0 unset, 1 ok, 2 error)
 * @param tags searchable attributes, see {@link SpanTags}
 * @param envelope serialized {@code ResourceSpans} holding the resource and one {@code ScopeSpans}
 *     with the scope but no spans; spans from one scope share the same array
 * @param span serialized OTLP {@code Span}
 */
public record SpanRow(
    TraceId traceId,
    long spanId,
    long parentSpanId,
    String serviceName,
    String name,
    int kind,
    long startEpochNanos,
    long durationNanos,
    int statusCode,
    String tags,
    byte[] envelope,
    byte[] span) {

  public static final int KIND_SERVER = 2;
  public static final int KIND_CONSUMER = 5;
  public static final int STATUS_ERROR = 2;

  public SpanRow {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(span, "span");
    if (durationNanos < 0) {
      throw new IllegalArgumentException("durationNanos is negative: " + durationNanos);
    }
  }

  public boolean isRoot() {
    return parentSpanId == 0;
  }

  public boolean isError() {
    return statusCode == STATUS_ERROR;
  }

  /** Server and consumer spans are the entry points that RED summaries count. */
  public boolean isEntry() {
    return kind == KIND_SERVER || kind == KIND_CONSUMER;
  }

  /** Approximate retained size, for bounding queues by memory rather than by count. */
  public long approximateBytes() {
    return 96L + tags.length() * 2L + span.length + name.length() * 2L;
  }
}
