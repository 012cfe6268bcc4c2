package com.yumzoom.ops.store;

/**
 * Request, error and duration figures (RED) of entry spans (server or consumer kind, or roots) over
 * a time range, for one service or one service operation.
 *
 * @param operation the span name, or null when the row covers the whole service
 */
public record OperationStats(
    String serviceName,
    String operation,
    long requestCount,
    long errorCount,
    long p50Nanos,
    long p95Nanos,
    long p99Nanos) {}
