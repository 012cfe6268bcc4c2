package com.yumzoom.ops.cache.l1;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.CacheLayer;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * In-process layer on Caffeine (W-TinyLFU admission and eviction). Each entry expires at its own
 * {@link CacheEntry#expiresAt()}, so entries promoted from L2 keep the remaining life they had
 * there.
 *
 * <p>Expiry is checked here on read rather than by Caffeine's variable expiry: Caffeine's timer
 * wheel costs every hit a ticker read and a re-schedule, which made our hit about twice a plain
 * size-bounded Caffeine hit, while one comparison against the cached millisecond clock is nearly
 * free. An expired entry is removed when it is next read, and a sweep (at most once per {@link
 * #SWEEP_INTERVAL_MS}, started by a write, run on the maintenance executor) removes the ones nobody
 * reads; until then they only take capacity, which stays bounded by the size or weight limit.
 *
 * <p>Tag and pattern invalidation walk the map instead of keeping a tag index: an index would have
 * to be kept consistent with Caffeine's own evictions and races, while a walk of even 100,000
 * entries costs a few milliseconds and invalidations are rare next to reads.
 *
 * @param <V> value type
 */
public final class CaffeineLayer<V> implements CacheLayer<V> {
  /** Expired entries nobody reads are swept at most this often. */
  static final long SWEEP_INTERVAL_MS = 10_000;

  private final Cache<String, CacheEntry<V>> cache;
  private final Clock clock;
  private final Executor executor;
  private final LongAdder evictions;
  private final AtomicLong nextSweepAt;
  private final AtomicBoolean sweeping = new AtomicBoolean();

  private CaffeineLayer(
      Cache<String, CacheEntry<V>> cache, Clock clock, Executor executor, LongAdder evictions) {
    this.cache = cache;
    this.clock = clock;
    this.executor = executor;
    this.evictions = evictions;
    this.nextSweepAt = new AtomicLong(clock.millis() + SWEEP_INTERVAL_MS);
  }

  /**
   * A layer bounded by entry count.
   *
   * @param maximumSize entries kept at most (W-TinyLFU chooses which)
   * @param clock time source; unless it is a JDK system clock it also drives Caffeine's ticker
   * @param executor where Caffeine runs maintenance; {@code Runnable::run} makes it deterministic
   */
  public static <V> CaffeineLayer<V> bySize(long maximumSize, Clock clock, Executor executor) {
    if (maximumSize <= 0) {
      throw new IllegalArgumentException("l1.maximumSize must be positive");
    }
    return build(clock, executor, maximumSize, null);
  }

  /**
   * A layer bounded by total weight (e.g. approximate bytes).
   *
   * @param weigher weight of one value; negative entries weigh 1
   */
  public static <V> CaffeineLayer<V> byWeight(
      long maximumWeight, ToIntFunction<? super V> weigher, Clock clock, Executor executor) {
    if (maximumWeight <= 0) {
      throw new IllegalArgumentException("l1.maximumWeight must be positive");
    }
    return build(clock, executor, maximumWeight, weigher);
  }

  private static <V> CaffeineLayer<V> build(
      Clock clock, Executor executor, long bound, ToIntFunction<? super V> weigher) {
    LongAdder evicted = new LongAdder();
    Caffeine<String, CacheEntry<V>> b =
        Caffeine.newBuilder()
            .executor(executor)
            .removalListener(
                (String k, CacheEntry<V> v, RemovalCause cause) -> {
                  if (cause == RemovalCause.SIZE) {
                    evicted.increment();
                  }
                });
    if (weigher == null) {
      b.maximumSize(bound);
    } else {
      b.maximumWeight(bound)
          .weigher(
              (String k, CacheEntry<V> e) ->
                  e.value() == null ? 1 : Math.max(1, weigher.applyAsInt(e.value())));
    }
    return new CaffeineLayer<>(b.build(), clock, executor, evicted);
  }

  @Override
  public String name() {
    return "l1";
  }

  @Override
  public CacheEntry<V> get(String key) {
    CacheEntry<V> e = cache.getIfPresent(key);
    if (e != null && e.expiresAt() <= clock.millis()) {
      // Remove only this entry: a concurrent put of a fresh value must survive.
      cache.asMap().remove(key, e);
      return null;
    }
    return e;
  }

  @Override
  public void put(String key, CacheEntry<V> entry) {
    long now = clock.millis();
    if (entry.expiresAt() <= now) {
      cache.invalidate(key);
      return;
    }
    cache.put(key, entry);
    maybeSweep(now);
  }

  private void maybeSweep(long now) {
    long due = nextSweepAt.get();
    if (now < due || !nextSweepAt.compareAndSet(due, now + SWEEP_INTERVAL_MS)) {
      return;
    }
    if (sweeping.compareAndSet(false, true)) {
      try {
        executor.execute(this::sweepGuarded);
      } catch (RuntimeException rejected) {
        sweeping.set(false);
      }
    }
  }

  private void sweepGuarded() {
    try {
      sweepExpired();
    } finally {
      sweeping.set(false);
    }
  }

  /** Removes every entry past its expiry; returns how many. */
  public long sweepExpired() {
    long now = clock.millis();
    return removeEntries((k, e) -> e.expiresAt() <= now);
  }

  /** Removes the entries matching {@code which}; returns how many. */
  private long removeEntries(BiPredicate<String, CacheEntry<V>> which) {
    long[] n = {0};
    cache
        .asMap()
        .entrySet()
        .removeIf(
            entry -> {
              boolean m = which.test(entry.getKey(), entry.getValue());
              if (m) {
                n[0]++;
              }
              return m;
            });
    return n[0];
  }

  @Override
  public void invalidate(String key) {
    cache.invalidate(key);
  }

  @Override
  public long invalidatePattern(String glob) {
    Pattern p = Glob.compile(glob);
    return removeEntries((k, e) -> p.matcher(k).matches());
  }

  @Override
  public long invalidateTag(String tag) {
    return removeEntries((k, e) -> e.tags().contains(tag));
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  @Override
  public long evictions() {
    return evictions.sum();
  }

  /** Removes expired entries and runs Caffeine's pending maintenance; for tests and reports. */
  public void cleanUp() {
    sweepExpired();
    cache.cleanUp();
  }
}
