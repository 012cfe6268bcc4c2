package com.yumzoom.ops.store;

import java.util.List;

/** Reads spans. Every method is safe to call while a {@link SpanConsumer} writes. */
public interface SpanStore {

  /** All spans of a trace in start order, or an empty list. */
  List<SpanRow> trace(TraceId traceId);

  /** Traces matching the query, newest first, at most {@code query.limit()}. */
  List<TraceSummary> search(TraceQuery query);

  /** Service names seen, sorted. */
  List<String> serviceNames();

  /** Span names seen for a service, sorted. */
  List<String> spanNames(String serviceName);

  /**
   * Attribute keys seen on spans that started in the range, sorted; includes resource attributes.
   */
  List<String> tagKeys(long startEpochNanos, long endEpochNanos);

  /** Distinct values of one attribute in the range, sorted, at most {@code limit}. */
  List<String> tagValues(String key, long startEpochNanos, long endEpochNanos, int limit);

  /**
   * RED figures of entry spans (server/consumer kinds, or roots) that started in the range: one row
   * per service when {@code perOperation} is false, one per (service, span name) otherwise;
   * restricted to one service when {@code serviceName} is not null. Sorted by service, then
   * operation.
   */
  List<OperationStats> operationStats(
      String serviceName, boolean perOperation, long startEpochNanos, long endEpochNanos);

  /** Number of spans stored. */
  long spanCount();
}
