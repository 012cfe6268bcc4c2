package com.yumzoom.ops.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The whole server configuration: immutable, validated once at start. Every value has a safe
 * default so {@code yumzoom serve} needs no file; {@link ConfigLoader} reads the optional YAML
 * file, environment variables and flags into it.
 *
 * @param dataDir where the store keeps its files ({@code data-dir})
 * @param host the address all listeners bind ({@code server.host})
 * @param httpPort UI, query APIs, OTLP/HTTP and Zipkin ({@code server.http-port})
 * @param otlpGrpcPort OTLP gRPC ({@code otlp.grpc-port})
 * @param otlpHttpPort OTLP/HTTP ({@code otlp.http-port})
 * @param limits per-request ingest limits ({@code ingest.*})
 * @param pipeline ingest queue and group commit ({@code pipeline.*})
 * @param retention how long spans are kept ({@code retention.*})
 * @param selfScrapeInterval how often the server scrapes its own metrics into its metrics store
 *     ({@code metrics.self-scrape-interval})
 * @param metrics the metrics store, its limits and scraping ({@code metrics.*})
 */
public record YumzoomConfig(
    Path dataDir,
    String host,
    int httpPort,
    int otlpGrpcPort,
    int otlpHttpPort,
    IngestLimits limits,
    PipelineSettings pipeline,
    RetentionSettings retention,
    Duration selfScrapeInterval,
    MetricsSettings metrics) {

  public YumzoomConfig {
    Objects.requireNonNull(dataDir, "data-dir");
    Objects.requireNonNull(host, "server.host");
    port("server.http-port", httpPort);
    port("otlp.grpc-port", otlpGrpcPort);
    port("otlp.http-port", otlpHttpPort);
    Objects.requireNonNull(limits, "ingest");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(selfScrapeInterval, "metrics.self-scrape-interval");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** Without metrics settings: the defaults of {@link MetricsSettings}. */
  public YumzoomConfig(
      Path dataDir,
      String host,
      int httpPort,
      int otlpGrpcPort,
      int otlpHttpPort,
      IngestLimits limits,
      PipelineSettings pipeline,
      RetentionSettings retention,
      Duration selfScrapeInterval) {
    this(
        dataDir,
        host,
        httpPort,
        otlpGrpcPort,
        otlpHttpPort,
        limits,
        pipeline,
        retention,
        selfScrapeInterval,
        MetricsSettings.DEFAULTS);
  }

  /** The defaults, as documented in docs/configuration.md. */
  public static YumzoomConfig defaults() {
    return ConfigLoader.load(null, java.util.Map.of(), java.util.Map.of());
  }

  /**
   * Bounds of the ingest pipeline.
   *
   * @param queueMaxSpans spans waiting for commit before ingest answers 429/UNAVAILABLE
   * @param commitMaxSpans most spans written in one group commit
   * @param maxConcurrentRequests ingest requests decoded at once before 429/UNAVAILABLE
   * @param retryAfter what overloaded clients are told to wait
   */
  public record PipelineSettings(
      int queueMaxSpans, int commitMaxSpans, int maxConcurrentRequests, Duration retryAfter) {
    public PipelineSettings {
      if (queueMaxSpans <= 0) {
        throw new ConfigException(
            "pipeline.queue-max-spans", "must be positive, got " + queueMaxSpans);
      }
      if (commitMaxSpans <= 0) {
        throw new ConfigException(
            "pipeline.commit-max-spans", "must be positive, got " + commitMaxSpans);
      }
      if (maxConcurrentRequests <= 0) {
        throw new ConfigException(
            "pipeline.max-concurrent-requests", "must be positive, got " + maxConcurrentRequests);
      }
      if (retryAfter.isNegative() || retryAfter.isZero()) {
        throw new ConfigException("pipeline.retry-after", "must be positive, got " + retryAfter);
      }
    }
  }

  /**
   * Age-based retention.
   *
   * @param maxAge spans that started longer ago than this are deleted
   * @param checkInterval how often the deletion runs
   */
  public record RetentionSettings(Duration maxAge, Duration checkInterval) {
    public RetentionSettings {
      if (maxAge.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new ConfigException("retention.max-age", "must be at least 1m, got " + maxAge);
      }
      if (checkInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new ConfigException(
            "retention.check-interval", "must be at least 1s, got " + checkInterval);
      }
    }
  }

  private static void port(String key, int port) {
    if (port < 0 || port > 65535) {
      throw new ConfigException(key, "must be a port between 0 and 65535, got " + port);
    }
  }
}
