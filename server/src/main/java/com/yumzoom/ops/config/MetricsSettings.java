package com.yumzoom.ops.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The metrics store and scraping ({@code metrics.*}).
 *
 * @param maxSeries series the store holds in total ({@code metrics.max-series})
 * @param maxSeriesPerMetric series of one metric name ({@code metrics.max-series-per-metric})
 * @param maxLabelsPerSeries labels of one series, {@code __name__} included ({@code
 *     metrics.max-labels-per-series})
 * @param headSamplesPerSeries newest samples per series kept in memory, so recent queries never
 *     read the file ({@code metrics.head-samples-per-series})
 * @param queueMaxSamples samples waiting for the group commit before appends are refused with 429
 *     ({@code metrics.queue-max-samples})
 * @param retentionRaw how long raw samples are kept ({@code metrics.retention.raw})
 * @param retention5m how long 5-minute rollups are kept ({@code metrics.retention.5m})
 * @param retention1h how long 1-hour rollups are kept ({@code metrics.retention.1h})
 * @param scrapeConfigFile Prometheus-format scrape configuration, or null for none ({@code
 *     metrics.scrape-config-file})
 */
public record MetricsSettings(
    int maxSeries,
    int maxSeriesPerMetric,
    int maxLabelsPerSeries,
    int headSamplesPerSeries,
    int queueMaxSamples,
    Duration retentionRaw,
    Duration retention5m,
    Duration retention1h,
    Path scrapeConfigFile) {

  public static final MetricsSettings DEFAULTS =
      new MetricsSettings(
          50_000,
          10_000,
          64,
          720,
          500_000,
          Duration.ofDays(15),
          Duration.ofDays(90),
          Duration.ofDays(365),
          null);

  public MetricsSettings {
    range("metrics.max-series", maxSeries, 1, 10_000_000);
    range("metrics.max-series-per-metric", maxSeriesPerMetric, 1, 10_000_000);
    range("metrics.max-labels-per-series", maxLabelsPerSeries, 2, 1_000);
    range("metrics.head-samples-per-series", headSamplesPerSeries, 2, 1_000_000);
    range("metrics.queue-max-samples", queueMaxSamples, 1_000, 100_000_000);
    atLeast("metrics.retention.raw", retentionRaw, Duration.ofHours(1));
    atLeast("metrics.retention.5m", retention5m, retentionRaw);
    atLeast("metrics.retention.1h", retention1h, retention5m);
  }

  private static void range(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static void atLeast(String key, Duration value, Duration min) {
    if (value == null || value.compareTo(min) < 0) {
      throw new ConfigException(key, "must be at least " + min + ", got " + value);
    }
  }
}
