package com.yumzoom.ops.cache;

import java.util.List;
import java.util.Locale;

/**
 * A human-readable summary: overall and per-layer hit rate, and the keys that miss most (the
 * candidates for warming or a longer TTL).
 *
 * @param cache cache name
 * @param stats the counters
 * @param topMissedKeys keys that most often went all the way to the loader, most first
 */
public record CacheReport(String cache, CacheStats stats, List<KeyCount> topMissedKeys) {

  /**
   * A key and how often it missed.
   *
   * @param count upper bound of the true count
   * @param error how much {@code count} may over-estimate (Space-Saving)
   */
  public record KeyCount(String key, long count, long error) {}

  public CacheReport {
    topMissedKeys = List.copyOf(topMissedKeys);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "cache %s: %d requests, hit rate %.1f%% (l1 %.1f%%, l2 %.1f%%), %d loads (%d failed,"
                + " avg %.2f ms), %d stale served, %d stale-if-error%n",
            cache,
            stats.requests(),
            100 * stats.hitRate(),
            100 * stats.l1().hitRate(),
            100 * stats.l2().hitRate(),
            stats.loads(),
            stats.loadFailures(),
            stats.averageLoadNanos() / 1e6,
            stats.staleServed(),
            stats.staleIfErrorServed()));
    b.append("top missed keys:");
    for (KeyCount k : topMissedKeys) {
      b.append(' ').append(k.key()).append('=').append(k.count());
    }
    return b.toString();
  }
}
