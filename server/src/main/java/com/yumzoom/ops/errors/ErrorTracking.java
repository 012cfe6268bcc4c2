package com.yumzoom.ops.errors;

import com.yumzoom.ops.metrics.SampleStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error tracking as one part of the server: the store ({@code errors.duckdb}), the single writer,
 * the read side and the signals. Built by the composition root, closed in its shutdown.
 */
public final class ErrorTracking implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorTracking.class);

  /**
   * @param sentryKeys public keys accepted from Sentry SDKs (the user part of the DSN)
   * @param queueMaxEvents occurrences waiting for a commit before ingest answers 429
   * @param commitMaxEvents most occurrences grouped into one commit
   * @param inApp which frames are application code
   * @param rules custom fingerprint rules, first match wins
   * @param retryAfter what overloaded clients are told to wait
   */
  public record Settings(
      List<String> sentryKeys,
      int queueMaxEvents,
      int commitMaxEvents,
      InAppRules inApp,
      List<FingerprintRule> rules,
      Duration retryAfter) {
    public Settings {
      sentryKeys = List.copyOf(sentryKeys);
      rules = List.copyOf(rules);
      if (queueMaxEvents <= 0) {
        throw new IllegalArgumentException(
            "errors.queue-max-events must be positive, got " + queueMaxEvents);
      }
      if (commitMaxEvents <= 0) {
        throw new IllegalArgumentException(
            "errors.commit-max-events must be positive, got " + commitMaxEvents);
      }
    }

    /**
     * From the server configuration; reads the fingerprint rules file (one rule per line, {@code #}
     * comments).
     *
     * @throws com.yumzoom.ops.config.ConfigException naming the file and line of a bad rule
     */
    public static Settings from(
        com.yumzoom.ops.config.YumzoomConfig.ErrorsSettings c, Duration retryAfter) {
      List<FingerprintRule> rules = new java.util.ArrayList<>();
      if (c.fingerprintRulesFile() != null) {
        List<String> lines;
        try {
          lines = java.nio.file.Files.readAllLines(c.fingerprintRulesFile());
        } catch (java.io.IOException e) {
          throw new com.yumzoom.ops.config.ConfigException(
              "errors.fingerprint-rules-file",
              "cannot read " + c.fingerprintRulesFile() + ": " + e);
        }
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          try {
            rules.add(FingerprintRule.parse(line));
          } catch (IllegalArgumentException e) {
            throw new com.yumzoom.ops.config.ConfigException(
                "errors.fingerprint-rules-file",
                c.fingerprintRulesFile() + " line " + (i + 1) + ": " + e.getMessage());
          }
        }
      }
      return new Settings(
          c.sentryKeys(),
          c.queueMaxEvents(),
          c.commitMaxEvents(),
          InAppRules.defaultsWithIncludes(c.inAppIncludes()),
          rules,
          retryAfter);
    }

    /** Defaults: key {@code yumzoom}, 50,000 queued, 5,000 per commit, default in-app rules. */
    public static Settings defaults() {
      return new Settings(
          List.of("yumzoom"),
          50_000,
          5_000,
          InAppRules.defaults(),
          List.of(),
          Duration.ofSeconds(1));
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final ErrorStore store;
  private final ErrorSignals signals = new ErrorSignals();
  private final ErrorPipeline pipeline;
  private final ErrorQueries queries;
  private final SpanErrorExtractor spans;
  private final java.util.concurrent.atomic.LongAdder droppedLogRecords =
      new java.util.concurrent.atomic.LongAdder();

  private ErrorTracking(Settings settings, Clock clock, ErrorStore store) {
    this.settings = settings;
    this.clock = clock;
    this.store = store;
    this.pipeline =
        new ErrorPipeline(
            store,
            Grouping.create(settings.inApp(), settings.rules()),
            settings.inApp(),
            signals,
            clock,
            settings.queueMaxEvents(),
            settings.commitMaxEvents(),
            settings.retryAfter());
    this.queries = new ErrorQueries(store);
    this.spans = new SpanErrorExtractor(pipeline, SpanErrorExtractor.DEFAULT_MAX_PENDING_SPANS);
  }

  /** Opens (creating or migrating) {@code errors.duckdb} in the data directory. */
  public static ErrorTracking open(Path dataDir, Settings settings, Clock clock) {
    ErrorStore store = ErrorStore.open(dataDir);
    try {
      return new ErrorTracking(settings, clock, store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  public Settings settings() {
    return settings;
  }

  Clock clock() {
    return clock;
  }

  public ErrorPipeline pipeline() {
    return pipeline;
  }

  ErrorQueries queries() {
    return queries;
  }

  ErrorStore store() {
    return store;
  }

  public ErrorSignals signals() {
    return signals;
  }

  /** Counts OTLP log records without exception attributes (logs are not stored yet). */
  void droppedLogRecords(int n) {
    droppedLogRecords.add(n);
  }

  /**
   * The pipeline's own health as samples: {@code yumzoom_errors_dropped_total{reason}} (events from
   * spans dropped because the error queue was full, spans skipped because the extractor was behind,
   * log records that were not errors), {@code yumzoom_errors_rejected_total} (events answered 429)
   * and {@code yumzoom_errors_queued_events}.
   */
  List<com.yumzoom.ops.metrics.Sample> healthSamples(long tMs) {
    List<com.yumzoom.ops.metrics.Sample> out = new java.util.ArrayList<>();
    out.add(sample("yumzoom_errors_dropped_total", "queue_full", tMs, pipeline.droppedEvents()));
    out.add(sample("yumzoom_errors_dropped_total", "extractor_behind", tMs, spans.droppedSpans()));
    out.add(sample("yumzoom_errors_dropped_total", "log_not_error", tMs, droppedLogRecords.sum()));
    out.add(sample("yumzoom_errors_rejected_total", null, tMs, pipeline.rejectedEvents()));
    out.add(sample("yumzoom_errors_queued_events", null, tMs, pipeline.queuedEvents()));
    return out;
  }

  private static com.yumzoom.ops.metrics.Sample sample(
      String name, String reason, long tMs, double value) {
    java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
    m.put(com.yumzoom.ops.query.promql.Labels.NAME, name);
    m.put("job", "yumzoom");
    if (reason != null) {
      m.put("reason", reason);
    }
    return new com.yumzoom.ops.metrics.Sample(
        new com.yumzoom.ops.query.promql.Labels(m), tMs, value);
  }

  /** The after-commit listener for committed spans: hands them off, never blocks the writer. */
  public SpanErrorExtractor spanExtractor() {
    return spans;
  }

  /**
   * Schedules, on {@code scheduler}: the signal flush and spike check every {@code interval}, and
   * the deletion of events older than {@code maxAge} every {@code retentionInterval}.
   */
  public void schedule(
      ScheduledExecutorService scheduler,
      Duration interval,
      SampleStore metrics,
      Duration maxAge,
      Duration retentionInterval) {
    scheduler.scheduleAtFixedRate(
        () -> {
          try {
            signals.spiking(queries.spikes(clock.millis()));
          } catch (RuntimeException e) {
            LOG.warn("error spike check failed", e);
          }
          signals.flushTo(metrics, clock.millis());
          try {
            metrics.append(healthSamples(clock.millis()));
          } catch (RuntimeException e) {
            LOG.warn("error pipeline health flush failed", e);
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    scheduler.scheduleAtFixedRate(
        () -> {
          try {
            long cutoff = clock.millis() - maxAge.toMillis();
            pipeline.command(p -> p.deleteOlderThan(cutoff));
          } catch (RuntimeException e) {
            LOG.warn("error retention failed", e);
          }
        },
        retentionInterval.toMillis(),
        retentionInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Stops the span hand-off and the writer (committing what is queued), closes the store. */
  @Override
  public void close() {
    spans.close();
    pipeline.close();
    store.close();
  }
}
