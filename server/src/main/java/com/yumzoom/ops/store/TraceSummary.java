package com.yumzoom.ops.store;

/**
 * One search hit. The root is the span without a parent; when the root has not arrived, the
 * earliest span stands in for it.
 */
public record TraceSummary(
    TraceId traceId,
    String rootServiceName,
    String rootSpanName,
    long startEpochNanos,
    long durationNanos,
    int spanCount,
    int errorCount) {}
