package com.yumzoom.ops.store;

import java.util.Map;
import java.util.Objects;

/**
 * A trace search: traces having at least one span that matches every given condition, whose span
 * starts fall in [startEpochNanos, endEpochNanos).
 *
 * @param serviceName exact service, or null for any
 * @param spanName exact span name, or null for any
 * @param tags exact attribute matches (span or resource attributes), all must hold on one span
 * @param minDurationNanos the matching span lasts at least this long (0 for no bound)
 * @param maxDurationNanos the matching span lasts at most this long (Long.MAX_VALUE for no bound)
 * @param errorsOnly only spans with status error match
 * @param limit most traces returned, newest first
 */
public record TraceQuery(
    String serviceName,
    String spanName,
    Map<String, String> tags,
    long minDurationNanos,
    long maxDurationNanos,
    boolean errorsOnly,
    long startEpochNanos,
    long endEpochNanos,
    int limit) {

  public TraceQuery {
    tags = Map.copyOf(Objects.requireNonNull(tags, "tags"));
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    if (endEpochNanos < startEpochNanos) {
      throw new IllegalArgumentException("end is before start");
    }
  }
}
