package com.yumzoom.ops.cache;

import java.util.Map;
import java.util.Set;

/**
 * Loads the values of several keys in one call to the source of truth (one SQL {@code IN} query,
 * one batch request) for {@link MultiLayerCache#getAll}.
 *
 * @param <V> value type
 */
@FunctionalInterface
public interface BulkLoader<V> {
  /**
   * @param keys the keys no layer could serve
   * @return the values of the keys that exist; a key left out (or mapped to null) does not exist
   *     and is cached as a negative entry
   * @throws Exception any failure; each key is then served stale if the strategy allows, else the
   *     call throws {@link CacheLoadException}
   */
  Map<String, ? extends V> loadAll(Set<String> keys) throws Exception;
}
