package com.yumzoom.ops.cache;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One storage layer of a {@link MultiLayerCache}: the in-process Caffeine layer ({@code l1}) or the
 * shared Redis layer ({@code l2}). Implementations never decide freshness; they store entries until
 * {@link CacheEntry#expiresAt()} and leave stale-versus-fresh to the cache.
 *
 * <p>Methods may throw on a layer failure (Redis down); the cache catches, counts and degrades.
 *
 * @param <V> value type
 */
public interface CacheLayer<V> extends AutoCloseable {

  /** Short name used in statistics: "l1" or "l2". */
  String name();

  /** The stored entry, or null when absent or physically expired. */
  CacheEntry<V> get(String key);

  /**
   * The stored entries of {@code keys}, absent ones left out. Remote layers override this with one
   * round trip.
   */
  default Map<String, CacheEntry<V>> getAll(List<String> keys) {
    Map<String, CacheEntry<V>> found = new HashMap<>();
    for (String key : keys) {
      CacheEntry<V> e = get(key);
      if (e != null) {
        found.put(key, e);
      }
    }
    return found;
  }

  /** Stores an entry until its {@link CacheEntry#expiresAt()}; a past expiry stores nothing. */
  void put(String key, CacheEntry<V> entry);

  /** Removes one key. */
  void invalidate(String key);

  /**
   * Removes the keys matching a Redis-style glob ({@code *}, {@code ?}, {@code [abc]}, {@code \}
   * escapes) and returns how many were removed.
   */
  long invalidatePattern(String glob);

  /** Removes every entry carrying the tag and returns how many were removed. */
  long invalidateTag(String tag);

  /** Removes everything this layer holds for this cache. */
  void clear();

  /** Entries held, or -1 when the layer cannot tell cheaply. */
  long size();

  /** Entries evicted for size (not expiry, not invalidation) so far, or -1 when unknown. */
  long evictions();

  @Override
  default void close() {}
}
