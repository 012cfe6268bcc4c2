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
 * @param errors error tracking ({@code errors.*})
 * @param alertDelivery notification delivery, escalation and incidents ({@code
 *     alerting.config-file}, {@code alerting.delivery.*}, {@code alerting.incidents.*})
 * @param alerting rule evaluation and dispatch ({@code alerting.*})
 * @param storage span store write path ({@code storage.*})
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
    ErrorsSettings errors,
    AlertDeliverySettings alertDelivery,
    AlertingSettings alerting,
    StorageSettings storage,
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
    Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(alertDelivery, "alerting.delivery");
    Objects.requireNonNull(alerting, "alerting");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * The span store's write path.
   *
   * @param spanLogEnabled write batches to the span log and an in-memory head, moved into DuckDB in
   *     row-group-sized transactions ({@code storage.span-log.enabled}; off by default, see
   *     docs/benchmarks.md section 6)
   */
  public record StorageSettings(boolean spanLogEnabled) {}

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

  /**
   * Error tracking.
   *
   * @param sentryKeys public keys Sentry SDKs may use (the user part of their DSN)
   * @param queueMaxEvents error events waiting for a commit before ingest answers 429
   * @param commitMaxEvents most error events grouped into one commit
   * @param inAppIncludes module or path prefixes of application code (empty: every frame no default
   *     exclude matches)
   * @param fingerprintRulesFile custom fingerprint rules, one per line, or null for none
   */
  public record ErrorsSettings(
      java.util.List<String> sentryKeys,
      int queueMaxEvents,
      int commitMaxEvents,
      java.util.List<String> inAppIncludes,
      Path fingerprintRulesFile) {
    public ErrorsSettings {
      sentryKeys = java.util.List.copyOf(sentryKeys);
      inAppIncludes = java.util.List.copyOf(inAppIncludes);
      if (sentryKeys.isEmpty()) {
        throw new ConfigException("errors.sentry-keys", "must name at least one key");
      }
      for (String k : sentryKeys) {
        if (!k.matches("[0-9A-Za-z_-]{1,64}")) {
          throw new ConfigException(
              "errors.sentry-keys", "keys are 1 to 64 letters, digits, - or _, got '" + k + "'");
        }
      }
      if (queueMaxEvents <= 0) {
        throw new ConfigException(
            "errors.queue-max-events", "must be positive, got " + queueMaxEvents);
      }
      if (commitMaxEvents <= 0) {
        throw new ConfigException(
            "errors.commit-max-events", "must be positive, got " + commitMaxEvents);
      }
    }
  }

  /**
   * Alert notification delivery (issue 4, delivery side).
   *
   * @param configFile the Alertmanager-format alerting file, or null: one receiver that logs
   * @param workers concurrent deliveries
   * @param maxAttempts attempts before a delivery is dead-lettered
   * @param maxAge a delivery older than this is dead-lettered instead of retried
   * @param initialBackoff delay after the first failure (doubles, with jitter)
   * @param maxBackoff cap of the delay
   * @param requestTimeout per HTTP/SMTP attempt
   * @param maxPending undelivered deliveries before new notifications are refused
   * @param publicUrl this server's address as users reach it, for links ("" = the notification's)
   * @param linkTtl how long a signed acknowledge link stays valid
   * @param historyMaxAge delivered and dead notifications older than this are deleted
   * @param incidentSeverities severities whose alerts open incidents automatically
   */
  public record AlertDeliverySettings(
      Path configFile,
      int workers,
      int maxAttempts,
      Duration maxAge,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration requestTimeout,
      int maxPending,
      String publicUrl,
      Duration linkTtl,
      Duration historyMaxAge,
      java.util.Set<String> incidentSeverities) {
    public AlertDeliverySettings {
      if (workers < 1 || workers > 256) {
        throw new ConfigException(
            "alerting.delivery.workers", "must be between 1 and 256, got " + workers);
      }
      if (maxAttempts < 1 || maxAttempts > 1000) {
        throw new ConfigException(
            "alerting.delivery.max-attempts", "must be between 1 and 1000, got " + maxAttempts);
      }
      positive("alerting.delivery.max-age", maxAge);
      positive("alerting.delivery.initial-backoff", initialBackoff);
      positive("alerting.delivery.request-timeout", requestTimeout);
      positive("alerting.delivery.link-ttl", linkTtl);
      positive("alerting.delivery.history-max-age", historyMaxAge);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new ConfigException(
            "alerting.delivery.max-backoff", "must be at least alerting.delivery.initial-backoff");
      }
      if (maxPending < 1) {
        throw new ConfigException(
            "alerting.delivery.max-pending", "must be positive, got " + maxPending);
      }
      Objects.requireNonNull(publicUrl, "alerting.delivery.public-url");
      incidentSeverities = java.util.Set.copyOf(incidentSeverities);
    }

    private static void positive(String key, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new ConfigException(key, "must be positive, got " + d);
      }
    }
  }

  /**
   * Alerting rules and dispatch (issue 4, rule side).
   *
   * @param enabled whether rules are evaluated and notifications dispatched
   * @param ruleFiles Prometheus rule files: paths, or globs in the file-name part
   * @param evaluationInterval interval of rule groups that set none (at least 1s)
   * @param configFile Alertmanager-format YAML with {@code route} and {@code inhibit_rules}, or
   *     null
   * @param reloadInterval how often rule files and the config file are re-read
   * @param externalUrl base URL in links and notifications; empty means http://localhost:port
   * @param receiverRateLimit notifications per receiver per minute
   * @param receiverRateBurst notifications a receiver can receive at once
   * @param historyRetention how long alert state transitions are kept
   */
  public record AlertingSettings(
      boolean enabled,
      java.util.List<String> ruleFiles,
      Duration evaluationInterval,
      Path configFile,
      Duration reloadInterval,
      String externalUrl,
      int receiverRateLimit,
      int receiverRateBurst,
      Duration historyRetention) {
    public AlertingSettings {
      ruleFiles = java.util.List.copyOf(ruleFiles);
      if (evaluationInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new ConfigException(
            "alerting.evaluation-interval", "must be at least 1s, got " + evaluationInterval);
      }
      if (reloadInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new ConfigException(
            "alerting.reload-interval", "must be at least 1s, got " + reloadInterval);
      }
      if (receiverRateLimit <= 0) {
        throw new ConfigException(
            "alerting.receiver-rate-limit", "must be positive, got " + receiverRateLimit);
      }
      if (receiverRateBurst <= 0) {
        throw new ConfigException(
            "alerting.receiver-rate-burst", "must be positive, got " + receiverRateBurst);
      }
      if (historyRetention.compareTo(Duration.ofHours(1)) < 0) {
        throw new ConfigException(
            "alerting.history-retention", "must be at least 1h, got " + historyRetention);
      }
    }
  }

  private static void port(String key, int port) {
    if (port < 0 || port > 65535) {
      throw new ConfigException(key, "must be a port between 0 and 65535, got " + port);
    }
  }
}
