package com.yumzoom.ops.bench.cache;

import com.alicp.jetcache.Cache;
import com.alicp.jetcache.embedded.LinkedHashMapCacheBuilder;
import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.api.options.LocalCachedMapOptions.EvictionPolicy;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Hit rate of the L1 (Caffeine W-TinyLFU) on a Zipf workload next to the local caches of the
 * two-level caches our users compare us with, all the same size and fed the same key sequence:
 * Redisson's local cached map ({@code RLocalCachedMap}, its own LRU and LFU eviction, against a
 * real Redis) and JetCache's default embedded cache ({@code LinkedHashMapCache}, LRU). A plain
 * LinkedHashMap LRU is kept as the textbook baseline. Not a JMH benchmark: hit rate is a count, not
 * a time.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar com.yumzoom.ops.bench.cache.ZipfHitRate
 * [keys] [requests] [skew]} (Redis: embedded, or {@code -Dyz.redis=redis://host:port}).
 */
public final class ZipfHitRate {
  private ZipfHitRate() {}

  /** Zipf(s) over 0..n-1 by inverse CDF and binary search; deterministic for a seed. */
  static final class Zipf {
    private final double[] cdf;
    private final SplittableRandom random;

    Zipf(int n, double s, long seed) {
      cdf = new double[n];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, s);
        cdf[i] = sum;
      }
      for (int i = 0; i < n; i++) {
        cdf[i] /= sum;
      }
      random = new SplittableRandom(seed);
    }

    int next() {
      double u = random.nextDouble();
      int lo = 0;
      int hi = cdf.length - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  /**
   * Popularity phases ({@code -Dzipf.phases=N}, default 1): with N > 1 the popular keys move to a
   * different part of the key space N times during the run, as interest shifts in a real service (a
   * new restaurant trends, last week's favourite fades). A pure LFU keeps yesterday's favourites;
   * W-TinyLFU's window and aging let the new ones in.
   */
  static final int PHASES = Integer.getInteger("zipf.phases", 1);

  static String key(Zipf zipf, int request, int keys, int requests) {
    int phase = (int) ((long) request * PHASES / requests);
    return "k" + (zipf.next() + (long) phase * (keys / 2 + 7)) % keys;
  }

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    double skew = args.length > 2 ? Double.parseDouble(args[2]) : 0.9;
    System.out.printf(
        Locale.ROOT,
        "Zipf(%.2f) over %d keys, %d requests, %d popularity phase(s)%n",
        skew,
        keys,
        requests,
        PHASES);
    System.out.printf(
        Locale.ROOT,
        "%-8s %-10s %-10s %-14s %-14s %-10s %s%n",
        "size",
        "ours",
        "LRU",
        "JetCache-LHM",
        "Redisson-LRU",
        "Redisson-LFU",
        "ours / best peer");
    try (BenchRedis redis = BenchRedis.start()) {
      RedissonClient redisson = redisson(redis.uri());
      try {
        for (int size : new int[] {keys / 1000, keys / 100, keys / 10}) {
          double ours = multiLayer(keys, requests, skew, size);
          double lru = lru(keys, requests, skew, size);
          double jet = jetCache(keys, requests, skew, size);
          double rLru = redissonLocal(redisson, EvictionPolicy.LRU, keys, requests, skew, size);
          double rLfu = redissonLocal(redisson, EvictionPolicy.LFU, keys, requests, skew, size);
          double best = Math.max(Math.max(lru, jet), Math.max(rLru, rLfu));
          System.out.printf(
              Locale.ROOT,
              "%-8d %-10.4f %-10.4f %-14.4f %-14.4f %-10.4f %.3f%n",
              size,
              ours,
              lru,
              jet,
              rLru,
              rLfu,
              ours / best);
        }
      } finally {
        redisson.shutdown();
      }
    }
  }

  private static RedissonClient redisson(String uri) {
    Config config = new Config();
    config.useSingleServer().setAddress(uri).setConnectionMinimumIdleSize(1);
    return Redisson.create(config);
  }

  /**
   * Redisson's local cached map over a Redis hash that already holds every key, so a local miss is
   * one read from Redis that then caches the value locally. A request is a hit when the local cache
   * held the key before the request.
   */
  static double redissonLocal(
      RedissonClient redisson,
      EvictionPolicy policy,
      int keys,
      int requests,
      double skew,
      int size) {
    String name = "zipf-" + policy + "-" + size;
    RMap<String, String> plain = redisson.getMap(name, StringCodec.INSTANCE);
    plain.delete();
    Map<String, String> all = new HashMap<>();
    for (int i = 0; i < keys; i++) {
      all.put("k" + i, "k" + i);
      if (all.size() == 5_000) {
        plain.putAll(all);
        all.clear();
      }
    }
    plain.putAll(all);
    RLocalCachedMap<String, String> map =
        redisson.getLocalCachedMap(
            LocalCachedMapOptions.<String, String>name(name)
                .codec(StringCodec.INSTANCE)
                .cacheSize(size)
                .evictionPolicy(policy));
    try {
      Map<String, String> local = map.getCachedMap();
      Zipf zipf = new Zipf(keys, skew, 42);
      long hits = 0;
      for (int i = 0; i < requests; i++) {
        String k = key(zipf, i, keys, requests);
        if (local.containsKey(k)) {
          hits++;
        }
        map.get(k);
      }
      return (double) hits / requests;
    } finally {
      map.destroy();
      plain.delete();
    }
  }

  /** JetCache's default embedded cache (LRU over a LinkedHashMap). */
  static double jetCache(int keys, int requests, double skew, int size) {
    Zipf zipf = new Zipf(keys, skew, 42);
    Cache<Object, Object> cache =
        LinkedHashMapCacheBuilder.createLinkedHashMapCacheBuilder().limit(size).buildCache();
    long hits = 0;
    for (int i = 0; i < requests; i++) {
      String k = key(zipf, i, keys, requests);
      if (cache.get(k) != null) {
        hits++;
      } else {
        cache.put(k, k);
      }
    }
    return (double) hits / requests;
  }

  static double multiLayer(int keys, int requests, double skew, int size) {
    Zipf zipf = new Zipf(keys, skew, 42);
    try (MultiLayerCache<String> cache =
        MultiLayerCache.builder("zipf", CacheCodec.utf8())
            .strategy(CacheStrategy.L1_ONLY.withRefreshAhead(0))
            .l1MaximumSize(size)
            .l1Maintenance(Runnable::run)
            .build()) {
      for (int i = 0; i < requests; i++) {
        cache.get(key(zipf, i, keys, requests), k -> k);
      }
      return cache.stats().l1().hitRate();
    }
  }

  static double lru(int keys, int requests, double skew, int size) {
    Zipf zipf = new Zipf(keys, skew, 42);
    Map<String, String> lru =
        new LinkedHashMap<>(size * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > size;
          }
        };
    long hits = 0;
    for (int i = 0; i < requests; i++) {
      String k = key(zipf, i, keys, requests);
      if (lru.get(k) != null) {
        hits++;
      } else {
        lru.put(k, k);
      }
    }
    return (double) hits / requests;
  }
}
