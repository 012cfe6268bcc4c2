package com.yumzoom.ops.cache.warm;

import com.yumzoom.ops.cache.Loader;
import com.yumzoom.ops.cache.MultiLayerCache;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preloads named sets of keys (popular restaurants, today's menus) into a cache at start and on a
 * schedule. Sets run highest priority first; all keys share one rate limit so warming never floods
 * the database the cache protects. A key already cached costs one lookup and no load.
 *
 * <p>Warming never throws: a key whose load fails is counted and skipped; a set whose key supplier
 * fails is counted and skipped; the schedule survives every exception.
 *
 * @param <V> value type
 */
public final class CacheWarmer<V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CacheWarmer.class);

  /**
   * One named set.
   *
   * @param priority higher runs first
   * @param keys the keys to warm, asked afresh on every run
   * @param loader loads one key on a miss
   */
  public record WarmSet<V>(
      String name, int priority, Supplier<? extends Collection<String>> keys, Loader<V> loader) {
    public WarmSet {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("warmSet.name empty");
      }
      Objects.requireNonNull(keys, "warmSet.keys");
      Objects.requireNonNull(loader, "warmSet.loader");
    }
  }

  /** Outcome of one set in one run. */
  public record SetResult(String name, int keys, int warmed, int failed, boolean supplierFailed) {}

  /** Waits; tests pass one that moves a fake clock instead. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final MultiLayerCache<V> cache;
  private final List<WarmSet<V>> sets;
  private final double keysPerSecond;
  private final int maxKeysPerSet;
  private final Duration every;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private ScheduledFuture<?> scheduled;
  private long nextPermitNanos;

  private CacheWarmer(Builder<V> b) {
    this.cache = b.cache;
    List<WarmSet<V>> s = new ArrayList<>(b.sets);
    s.sort(Comparator.comparingInt((WarmSet<V> w) -> w.priority()).reversed());
    this.sets = List.copyOf(s);
    this.keysPerSecond = b.keysPerSecond;
    this.maxKeysPerSet = b.maxKeysPerSet;
    this.every = b.every;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.ownsScheduler = b.scheduler == null;
    this.scheduler =
        b.scheduler != null
            ? b.scheduler
            : Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("yzc-warmer-" + cache.name()).factory());
  }

  public static <V> Builder<V> builder(MultiLayerCache<V> cache) {
    return new Builder<>(cache);
  }

  /** Warms every set now, on the calling thread, and returns what happened per set. */
  public synchronized List<SetResult> warmNow() {
    List<SetResult> results = new ArrayList<>(sets.size());
    for (WarmSet<V> set : sets) {
      Collection<String> keys;
      try {
        keys = set.keys().get();
      } catch (RuntimeException e) {
        log.warn("warm set {} could not list its keys", set.name(), e);
        results.add(new SetResult(set.name(), 0, 0, 0, true));
        continue;
      }
      int warmed = 0;
      int failed = 0;
      int n = 0;
      for (String key : keys) {
        if (n++ >= maxKeysPerSet) {
          break;
        }
        if (!pace()) {
          results.add(new SetResult(set.name(), n, warmed, failed, false));
          return results;
        }
        try {
          cache.get(key, set.loader());
          warmed++;
        } catch (RuntimeException e) {
          failed++;
          log.debug("warming {} of set {} failed", key, set.name(), e);
        }
      }
      results.add(new SetResult(set.name(), Math.min(n, maxKeysPerSet), warmed, failed, false));
    }
    return results;
  }

  /** Waits for the next rate-limit permit; false when interrupted (the run stops). */
  private boolean pace() {
    long interval = (long) (1_000_000_000L / keysPerSecond);
    long now = TimeUnit.MILLISECONDS.toNanos(clock.millis());
    if (nextPermitNanos <= now) {
      nextPermitNanos = now + interval;
      return true;
    }
    long wait = nextPermitNanos - now;
    nextPermitNanos += interval;
    try {
      sleeper.sleep(Duration.ofNanos(wait));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Warms once now (in the background) and then every {@code every}. */
  public synchronized void start() {
    if (scheduled != null) {
      return;
    }
    Runnable run =
        () -> {
          try {
            warmNow();
          } catch (RuntimeException | Error e) {
            log.warn("cache warming of {} failed; next run on schedule", cache.name(), e);
          }
        };
    scheduled =
        every == null
            ? scheduler.schedule(run, 0, TimeUnit.MILLISECONDS)
            : scheduler.scheduleWithFixedDelay(run, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (scheduled != null) {
      scheduled.cancel(true);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  /** Configuration of a warmer. */
  public static final class Builder<V> {
    private final MultiLayerCache<V> cache;
    private final List<WarmSet<V>> sets = new ArrayList<>();
    private double keysPerSecond = 100;
    private int maxKeysPerSet = 10_000;
    private Duration every;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = d -> Thread.sleep(d);
    private ScheduledExecutorService scheduler;

    private Builder(MultiLayerCache<V> cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
    }

    public Builder<V> set(
        String name, int priority, Supplier<? extends Collection<String>> keys, Loader<V> loader) {
      sets.add(new WarmSet<>(name, priority, keys, loader));
      return this;
    }

    /** At most this many keys per second over all sets (default 100). */
    public Builder<V> rate(double keysPerSecond) {
      if (!(keysPerSecond > 0 && keysPerSecond <= 1_000_000)) {
        throw new IllegalArgumentException("warmer.rate outside (0, 1000000] keys per second");
      }
      this.keysPerSecond = keysPerSecond;
      return this;
    }

    /** At most this many keys of one set per run (default 10,000). */
    public Builder<V> maxKeysPerSet(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("warmer.maxKeysPerSet must be positive");
      }
      this.maxKeysPerSet = n;
      return this;
    }

    /** Run again this long after each run ends (default: only at start). */
    public Builder<V> every(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("warmer.every must be positive");
      }
      this.every = d;
      return this;
    }

    public Builder<V> clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public Builder<V> sleeper(Sleeper s) {
      this.sleeper = Objects.requireNonNull(s, "sleeper");
      return this;
    }

    public Builder<V> scheduler(ScheduledExecutorService s) {
      this.scheduler = s;
      return this;
    }

    public CacheWarmer<V> build() {
      if (sets.isEmpty()) {
        throw new IllegalArgumentException("warmer has no set");
      }
      return new CacheWarmer<>(this);
    }
  }
}
