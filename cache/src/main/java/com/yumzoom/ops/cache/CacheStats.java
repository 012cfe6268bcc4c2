package com.yumzoom.ops.cache;

/**
 * A snapshot of one cache's counters since it was built. Counters only grow.
 *
 * @param requests calls to get
 * @param l1 the in-process layer (absent layers report zeros and size -1)
 * @param l2 the Redis layer
 * @param loads loader calls that returned (including "does not exist")
 * @param loadFailures loader calls that threw
 * @param loadNanos total time spent in successful loader calls
 * @param negativeHits requests answered "does not exist" from a cached negative entry
 * @param staleServed requests answered with a stale value while a reload ran
 * @param staleIfErrorServed requests answered with a stale value because the reload failed
 * @param refreshes background reloads started (stale-while-revalidate and refresh-ahead)
 * @param invalidationsSent invalidations this node broadcast
 * @param invalidationsReceived invalidations from other nodes applied to this node's L1
 * @param disconnects times the broadcast channel dropped (each clears L1)
 * @param storesSkipped loaded values not stored because an invalidation raced the load
 */
public record CacheStats(
    long requests,
    LayerStats l1,
    LayerStats l2,
    long loads,
    long loadFailures,
    long loadNanos,
    long negativeHits,
    long staleServed,
    long staleIfErrorServed,
    long refreshes,
    long invalidationsSent,
    long invalidationsReceived,
    long disconnects,
    long storesSkipped) {

  /**
   * Counters of one layer.
   *
   * @param hits lookups that found an entry (fresh or stale)
   * @param misses lookups that found nothing
   * @param errors operations that failed (Redis down, unreadable entry); each degraded, none failed
   *     the caller
   * @param evictions entries evicted for size, or -1 when the layer cannot tell
   * @param size entries held now, or -1 when the layer cannot tell cheaply
   */
  public record LayerStats(long hits, long misses, long errors, long evictions, long size) {
    public double hitRate() {
      long n = hits + misses;
      return n == 0 ? 0 : (double) hits / n;
    }
  }

  /** Requests answered from any layer, over all requests. */
  public double hitRate() {
    return requests == 0 ? 0 : (double) (l1.hits() + l2.hits()) / requests;
  }

  /** Mean time of a successful load in nanoseconds. */
  public double averageLoadNanos() {
    return loads == 0 ? 0 : (double) loadNanos / loads;
  }
}
