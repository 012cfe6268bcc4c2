package com.yumzoom.ops.cache;

/**
 * Loads the value of a key from the source of truth on a miss.
 *
 * @param <V> value type
 */
@FunctionalInterface
public interface Loader<V> {
  /**
   * @return the value, or null when the key does not exist (cached as a negative entry)
   * @throws Exception any failure; the cache serves a stale value if the strategy allows, else
   *     throws {@link CacheLoadException}
   */
  V load(String key) throws Exception;
}
