package com.yumzoom.ops.pipeline;

import com.yumzoom.ops.store.StorageComponent;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes spans older than the configured age, on a schedule, in the background. */
public final class RetentionEnforcer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionEnforcer.class);

  private final StorageComponent storage;
  private final Clock clock;
  private final Duration maxAge;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("yumzoom-retention").unstarted(r));

  public RetentionEnforcer(StorageComponent storage, Clock clock, Duration maxAge) {
    this.storage = storage;
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /** Runs {@link #runOnce()} now and then every {@code interval}. */
  public void start(Duration interval) {
    scheduler.scheduleWithFixedDelay(
        this::runSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Deletes what is older than the maximum age now; returns the number of spans deleted. */
  public long runOnce() {
    long cutoff = epochNanos(clock.instant().minus(maxAge));
    long deleted = storage.deleteSpansStartedBefore(cutoff);
    if (deleted > 0) {
      LOG.info("retention deleted {} spans older than {}", deleted, maxAge);
    }
    return deleted;
  }

  private void runSafely() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      // The next run retries; a scheduled task that throws would never run again.
      LOG.warn("retention run failed; will retry at the next interval", e);
    }
  }

  private static long epochNanos(java.time.Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  @Override
  public void close() {
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
