package com.yumzoom.ops.cache.l1;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.CacheLayer;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * In-process layer on Caffeine (W-TinyLFU admission and eviction). Each entry expires at its own
 * {@link CacheEntry#expiresAt()} through a variable {@link Expiry}, so entries promoted from L2
 * keep the remaining life they had there.
 *
 * <p>Tag and pattern invalidation walk the map instead of keeping a tag index: an index would have
 * to be kept consistent with Caffeine's own evictions and races, while a walk of even 100,000
 * entries costs a few milliseconds and invalidations are rare next to reads.
 *
 * @param <V> value type
 */
public final class CaffeineLayer<V> implements CacheLayer<V> {
  private final Cache<String, CacheEntry<V>> cache;
  private final Clock clock;
  private final LongAdder evictions;

  private CaffeineLayer(Cache<String, CacheEntry<V>> cache, Clock clock, LongAdder evictions) {
    this.cache = cache;
    this.clock = clock;
    this.evictions = evictions;
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
            .expireAfter(new EntryExpiry<V>(clock))
            .removalListener(
                (String k, CacheEntry<V> v, RemovalCause cause) -> {
                  if (cause == RemovalCause.SIZE) {
                    evicted.increment();
                  }
                });
    // Expiry is judged on the cache's clock, so Caffeine and the cache agree on when an entry
    // ends, and a test's fake clock drives both. The system clocks keep Caffeine's own ticker.
    if (!clock.equals(Clock.systemUTC()) && !clock.equals(Clock.systemDefaultZone())) {
      Ticker ticker = () -> clock.millis() * 1_000_000L;
      b.ticker(ticker);
    }
    if (weigher == null) {
      b.maximumSize(bound);
    } else {
      b.maximumWeight(bound)
          .weigher(
              (String k, CacheEntry<V> e) ->
                  e.value() == null ? 1 : Math.max(1, weigher.applyAsInt(e.value())));
    }
    return new CaffeineLayer<>(b.build(), clock, evicted);
  }

  @Override
  public String name() {
    return "l1";
  }

  @Override
  public CacheEntry<V> get(String key) {
    // Caffeine hides entries past their expiry on read (its ticker follows the same clock), so no
    // second clock read is needed on the hot path.
    return cache.getIfPresent(key);
  }

  @Override
  public void put(String key, CacheEntry<V> entry) {
    if (entry.expiresAt() <= clock.millis()) {
      cache.invalidate(key);
      return;
    }
    cache.put(key, entry);
  }

  @Override
  public void invalidate(String key) {
    cache.invalidate(key);
  }

  @Override
  public long invalidatePattern(String glob) {
    Pattern p = Glob.compile(glob);
    long[] n = {0};
    cache
        .asMap()
        .keySet()
        .removeIf(
            k -> {
              boolean m = p.matcher(k).matches();
              if (m) {
                n[0]++;
              }
              return m;
            });
    return n[0];
  }

  @Override
  public long invalidateTag(String tag) {
    long[] n = {0};
    cache
        .asMap()
        .values()
        .removeIf(
            e -> {
              boolean m = e.tags().contains(tag);
              if (m) {
                n[0]++;
              }
              return m;
            });
    return n[0];
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

  /** Runs Caffeine's pending maintenance (evictions); for tests and reports. */
  public void cleanUp() {
    cache.cleanUp();
  }

  private record EntryExpiry<V>(Clock clock) implements Expiry<String, CacheEntry<V>> {
    private long remaining(CacheEntry<V> e) {
      long ms = e.expiresAt() - clock.millis();
      return ms <= 0
          ? 0
          : Math.multiplyExact(Math.min(ms, Long.MAX_VALUE / 2_000_000L), 1_000_000L);
    }

    @Override
    public long expireAfterCreate(String key, CacheEntry<V> value, long currentTime) {
      return remaining(value);
    }

    @Override
    public long expireAfterUpdate(
        String key, CacheEntry<V> value, long currentTime, long currentDuration) {
      return remaining(value);
    }

    @Override
    public long expireAfterRead(
        String key, CacheEntry<V> value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
