package com.yumzoom.ops.bench.cache;

import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hit rate of the L1 (Caffeine W-TinyLFU) on a Zipf workload next to an LRU of the same size: LRU
 * is what Redisson's local cached map evicts with by default ({@code EvictionPolicy.LRU}) and what
 * a LinkedHashMap-based JetCache local cache does, so it stands in for both without pulling their
 * dependencies. Not a JMH benchmark: hit rate is a count, not a time.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar com.yumzoom.ops.bench.cache.ZipfHitRate
 * [keys] [requests] [skew]}
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

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    double skew = args.length > 2 ? Double.parseDouble(args[2]) : 0.9;
    System.out.printf(Locale.ROOT, "Zipf(%.2f) over %d keys, %d requests%n", skew, keys, requests);
    System.out.printf(
        Locale.ROOT, "%-10s %-22s %-22s %s%n", "size", "multi-layer L1", "LRU", "ratio");
    for (int size : new int[] {keys / 1000, keys / 100, keys / 10}) {
      double ours = multiLayer(keys, requests, skew, size);
      double lru = lru(keys, requests, skew, size);
      System.out.printf(Locale.ROOT, "%-10d %-22.4f %-22.4f %.3f%n", size, ours, lru, ours / lru);
    }
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
        cache.get("k" + zipf.next(), k -> k);
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
      String k = "k" + zipf.next();
      if (lru.get(k) != null) {
        hits++;
      } else {
        lru.put(k, k);
      }
    }
    return (double) hits / requests;
  }
}
