package com.yumzoom.ops.cache;

/**
 * A loader that also names the tags of what it loaded, for values whose dependencies are known only
 * after loading (a search page depends on the restaurants it happens to contain).
 *
 * @param <V> value type
 */
@FunctionalInterface
public interface TaggedLoader<V> {
  /**
   * @return the value and its tags; {@code Tagged.absent()} when the key does not exist
   */
  Tagged<V> load(String key) throws Exception;
}
