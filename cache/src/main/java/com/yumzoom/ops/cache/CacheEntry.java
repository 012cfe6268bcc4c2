package com.yumzoom.ops.cache;

import java.util.Set;

/**
 * One cached value with the times that govern it. Times are epoch milliseconds from the cache's
 * clock, because an L2 entry is shared by every node and must mean the same moment everywhere.
 *
 * <ul>
 *   <li>{@code freshUntil}: served without question before this moment;
 *   <li>{@code expiresAt}: physically dropped at this moment; between the two the entry is stale
 *       and served only under stale-while-revalidate or stale-if-error;
 *   <li>{@code loadNanos}: how long the value took to load, the "delta" of XFetch refresh-ahead.
 * </ul>
 *
 * A {@code null} value is a negative entry: the loader said the key does not exist.
 *
 * @param <V> value type
 */
public record CacheEntry<V>(
    V value, long writtenAt, long freshUntil, long expiresAt, Set<String> tags, long loadNanos) {

  /** At most this many tags on one entry; more would make every tag invalidation slow. */
  public static final int MAX_TAGS = 64;

  /** At most this many characters in one tag. */
  public static final int MAX_TAG_LENGTH = 256;

  public CacheEntry {
    if (freshUntil < writtenAt) {
      throw new IllegalArgumentException("entry.freshUntil before entry.writtenAt");
    }
    if (expiresAt < freshUntil) {
      throw new IllegalArgumentException("entry.expiresAt before entry.freshUntil");
    }
    if (loadNanos < 0) {
      throw new IllegalArgumentException("entry.loadNanos negative");
    }
    tags = Set.copyOf(tags);
    validateTags(tags);
  }

  /** Checks tag count and length; messages name the limit. */
  public static void validateTags(Set<String> tags) {
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("entry.tags more than " + MAX_TAGS + " tags");
    }
    for (String tag : tags) {
      if (tag.isEmpty()) {
        throw new IllegalArgumentException("entry.tags contains an empty tag");
      }
      if (tag.length() > MAX_TAG_LENGTH) {
        throw new IllegalArgumentException(
            "entry.tags tag longer than " + MAX_TAG_LENGTH + " characters");
      }
    }
  }

  /** True for a negative entry (the key does not exist at the source). */
  public boolean negative() {
    return value == null;
  }

  /** This entry with a shorter physical life, used when a layer caps its own copy. */
  public CacheEntry<V> cappedAt(long until) {
    if (until >= expiresAt) {
      return this;
    }
    long fresh = Math.min(freshUntil, until);
    return new CacheEntry<>(
        value,
        writtenAt,
        Math.max(fresh, writtenAt),
        Math.max(until, Math.max(fresh, writtenAt)),
        tags,
        loadNanos);
  }
}
