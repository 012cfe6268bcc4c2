package com.yumzoom.ops.bench.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.Loader;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * L1 hit of {@link MultiLayerCache#get} next to plain Caffeine in the same run (target: within
 * 1.5x). All keys are present, so every call is a hit; keys cycle through a power-of-two table so
 * the index costs one mask.
 *
 * <p>{@code caffeineGet} is Caffeine's own get-or-load ({@code cache.get(key, fn)}) with a size
 * bound only; {@code caffeineTtlGet} adds expire-after-write, as a cache of changing data needs
 * (our L1 always has per-entry expiry); {@code caffeineStatsGet} adds {@code recordStats()} (our
 * cache always counts hits); {@code caffeineGetIfPresent} is the floor.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheL1HitBenchmark {
  private static final int KEYS = 1 << 14;

  @Param({"1.0", "0"})
  public double refreshAheadBeta;

  private final String[] keys = new String[KEYS];
  private Cache<String, String> caffeine;
  private Cache<String, String> caffeineTtl;
  private Cache<String, String> caffeineStats;
  private MultiLayerCache<String> cache;
  private final Loader<String> loader = key -> "value of " + key;

  @Setup(Level.Trial)
  public void setUp() {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "restaurant:" + i;
    }
    caffeine = Caffeine.newBuilder().maximumSize(2 * KEYS).build();
    caffeineTtl =
        Caffeine.newBuilder()
            .maximumSize(2 * KEYS)
            .expireAfterWrite(java.time.Duration.ofMinutes(5))
            .build();
    caffeineStats = Caffeine.newBuilder().maximumSize(2 * KEYS).recordStats().build();
    cache =
        MultiLayerCache.builder("bench", CacheCodec.utf8())
            .strategy(CacheStrategy.L1_ONLY.withRefreshAhead(refreshAheadBeta))
            .l1MaximumSize(2 * KEYS)
            .build();
    for (String k : keys) {
      caffeine.put(k, "value of " + k);
      caffeineTtl.put(k, "value of " + k);
      caffeineStats.put(k, "value of " + k);
      cache.get(k, loader);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
  }

  /** Per-thread cursor so threads do not share a counter. */
  @State(Scope.Thread)
  public static class Cursor {
    int i;

    int next() {
      return (i = (i + 1) & (KEYS - 1));
    }
  }

  @Benchmark
  public String multiLayerGet(Cursor c) {
    return cache.get(keys[c.next()], loader);
  }

  @Benchmark
  public String caffeineGet(Cursor c) {
    return caffeine.get(keys[c.next()], k -> "value of " + k);
  }

  /** Caffeine with a TTL, as a cache of changing data is configured: pays a clock read too. */
  @Benchmark
  public String caffeineTtlGet(Cursor c) {
    return caffeineTtl.get(keys[c.next()], k -> "value of " + k);
  }

  /** Caffeine counting hits and misses, as our L1 always does. */
  @Benchmark
  public String caffeineStatsGet(Cursor c) {
    return caffeineStats.get(keys[c.next()], k -> "value of " + k);
  }

  @Benchmark
  public String caffeineGetIfPresent(Cursor c) {
    return caffeine.getIfPresent(keys[c.next()]);
  }
}
