package com.yumzoom.ops.metrics;

import com.yumzoom.ops.query.promql.Labels;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes the server's own {@code /metrics} text into a {@link SampleStore}, the way Prometheus
 * scrapes a target: every sample gets {@code job} and {@code instance} labels (a label the target
 * already has is kept as {@code exported_job} / {@code exported_instance}, as with {@code
 * honor_labels: false}) and the scrape's timestamp unless it carries its own, and each scrape adds
 * {@code up} (1, or 0 when rendering or parsing failed), {@code scrape_duration_seconds} and {@code
 * scrape_samples_scraped}.
 *
 * <p>The text comes from a supplier rather than over HTTP: same bytes, no socket. A scrape never
 * throws, so the scheduled task never dies.
 */
public final class SelfScraper implements AutoCloseable {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
  public static final String JOB = "yumzoom";

  private static final Logger LOG = LoggerFactory.getLogger(SelfScraper.class);

  private final Supplier<String> exposition;
  private final SampleStore store;
  private final String instance;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final AtomicLong failures = new AtomicLong();
  private volatile ScheduledFuture<?> task;

  public SelfScraper(
      Supplier<String> exposition,
      SampleStore store,
      String instance,
      Clock clock,
      LongSupplier nanoTime) {
    if (instance == null || instance.isBlank()) {
      throw new IllegalArgumentException("scraper.instance must not be blank");
    }
    this.exposition = exposition;
    this.store = store;
    this.instance = instance;
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /**
   * Scrapes every {@code interval} on {@code scheduler}, the first time one interval from now (a
   * server that just started has little to say).
   */
  public void start(ScheduledExecutorService scheduler, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("scraper.interval must be positive, got " + interval);
    }
    task =
        scheduler.scheduleAtFixedRate(
            this::scrapeOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One scrape; returns whether it succeeded ({@code up} = 1). Never throws. */
  public boolean scrapeOnce() {
    try {
      long t = clock.millis();
      long startNanos = nanoTime.getAsLong();
      boolean up;
      List<Sample> samples = new ArrayList<>();
      try {
        List<Sample> parsed = PrometheusTextParser.parse(exposition.get(), t);
        for (Sample s : parsed) {
          samples.add(new Sample(target(s.labels()), s.tMs(), s.value()));
        }
        up = true;
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        LOG.warn("self-scrape failed: {}", e.toString());
        samples.clear();
        up = false;
      }
      double seconds = (nanoTime.getAsLong() - startNanos) / 1e9;
      int scraped = samples.size();
      samples.add(new Sample(synthetic("up"), t, up ? 1 : 0));
      samples.add(new Sample(synthetic("scrape_duration_seconds"), t, seconds));
      samples.add(new Sample(synthetic("scrape_samples_scraped"), t, scraped));
      AppendResult result = store.append(samples);
      if (result.error() != null) {
        LOG.warn("self-scrape: {} samples rejected: {}", result.rejected(), result.error());
      }
      return up;
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.warn("self-scrape failed", e);
      return false;
    }
  }

  /** Scrapes that failed so far. */
  public long failures() {
    return failures.get();
  }

  private Labels target(Labels labels) {
    TreeMap<String, String> m = new TreeMap<>(labels.map());
    String job = m.remove("job");
    if (job != null) {
      m.put("exported_job", job);
    }
    String inst = m.remove("instance");
    if (inst != null) {
      m.put("exported_instance", inst);
    }
    m.put("job", JOB);
    m.put("instance", instance);
    return new Labels(m);
  }

  private Labels synthetic(String name) {
    TreeMap<String, String> m = new TreeMap<>();
    m.put(Labels.NAME, name);
    m.put("job", JOB);
    m.put("instance", instance);
    return new Labels(m);
  }

  @Override
  public void close() {
    ScheduledFuture<?> t = task;
    if (t != null) {
      t.cancel(false);
    }
  }
}
