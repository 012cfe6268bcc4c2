package com.yumzoom.ops.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most frequent keys of a stream in bounded memory: Space-Saving (Metwally, Agrawal and El
 * Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data Streams", ICDT 2005). With
 * {@code capacity} counters, every key seen more than {@code n/capacity} times is kept, and a kept
 * key's count over-estimates its true count by at most its recorded error.
 *
 * <p>Fed only on the miss path (which already paid for a load), so a lock is cheap enough; the
 * minimum is found by a scan, fine for the few dozen counters a report needs.
 */
final class TopKeys {
  private final int capacity;
  private final Map<String, long[]> counters; // key -> {count, error}

  TopKeys(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("topKeys.capacity must be positive");
    }
    this.capacity = capacity;
    this.counters = new HashMap<>(capacity * 2);
  }

  synchronized void offer(String key) {
    long[] c = counters.get(key);
    if (c != null) {
      c[0]++;
      return;
    }
    if (counters.size() < capacity) {
      counters.put(key, new long[] {1, 0});
      return;
    }
    String minKey = null;
    long min = Long.MAX_VALUE;
    for (Map.Entry<String, long[]> e : counters.entrySet()) {
      if (e.getValue()[0] < min) {
        min = e.getValue()[0];
        minKey = e.getKey();
      }
    }
    counters.remove(minKey);
    counters.put(key, new long[] {min + 1, min});
  }

  synchronized List<CacheReport.KeyCount> top(int n) {
    List<CacheReport.KeyCount> all = new ArrayList<>(counters.size());
    counters.forEach((k, c) -> all.add(new CacheReport.KeyCount(k, c[0], c[1])));
    all.sort(
        Comparator.comparingLong(CacheReport.KeyCount::count)
            .reversed()
            .thenComparing(CacheReport.KeyCount::key));
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }
}
