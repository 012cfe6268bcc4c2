package com.yumzoom.ops.cache;

import java.util.List;

/**
 * One invalidation broadcast to every node of a cache so each drops its L1 copies.
 *
 * @param origin node id of the sender; a node ignores its own messages (it already applied them)
 * @param kind what {@code values} are
 * @param values keys, one glob pattern, or tags; empty for {@link Kind#CLEAR}
 */
public record Invalidation(String origin, Kind kind, List<String> values) {
  /** What an invalidation names. */
  public enum Kind {
    KEYS,
    PATTERN,
    TAGS,
    CLEAR
  }

  public Invalidation {
    if (origin == null || origin.isEmpty()) {
      throw new IllegalArgumentException("invalidation.origin empty");
    }
    if (kind == null) {
      throw new IllegalArgumentException("invalidation.kind missing");
    }
    values = List.copyOf(values);
  }
}
