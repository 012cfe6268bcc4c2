package com.yumzoom.ops.cache;

import java.util.Set;

/**
 * A value with the dependency tags it is invalidated by.
 *
 * @param value the value, null for "does not exist"
 * @param tags e.g. {@code restaurant:42} for a menu page of restaurant 42
 */
public record Tagged<V>(V value, Set<String> tags) {
  public Tagged {
    tags = Set.copyOf(tags);
    CacheEntry.validateTags(tags);
  }

  public static <V> Tagged<V> of(V value, String... tags) {
    return new Tagged<>(value, Set.of(tags));
  }

  public static <V> Tagged<V> absent() {
    return new Tagged<>(null, Set.of());
  }
}
