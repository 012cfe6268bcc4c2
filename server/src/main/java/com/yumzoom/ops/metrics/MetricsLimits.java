package com.yumzoom.ops.metrics;

/**
 * Bounds of the in-memory sample store: at most {@code maxSeries} series, each holding its newest
 * {@code maxSamplesPerSeries} samples (older ones are dropped as new ones arrive).
 */
public record MetricsLimits(int maxSeries, int maxSamplesPerSeries) {
  /** 10,000 series x 5,760 samples: one day at the default 15 s scrape interval. */
  public static final MetricsLimits DEFAULTS = new MetricsLimits(10_000, 5_760);

  public MetricsLimits {
    if (maxSeries < 1 || maxSeries > 10_000_000) {
      throw new IllegalArgumentException(
          "metrics.maxSeries must be between 1 and 10000000, got " + maxSeries);
    }
    if (maxSamplesPerSeries < 1 || maxSamplesPerSeries > 1_000_000) {
      throw new IllegalArgumentException(
          "metrics.maxSamplesPerSeries must be between 1 and 1000000, got " + maxSamplesPerSeries);
    }
  }
}
