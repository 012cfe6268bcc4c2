package com.yumzoom.ops.cache;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Detects that an invalidation happened while a load was running, so the (possibly old) loaded
 * value is not stored over the invalidation. A load takes a stamp before reading any layer and
 * stores only if the stamp is unchanged after. Keys hash onto 64 striped counters: an invalidation
 * of one key bumps its stripe; pattern, tag and clear invalidations bump all. A false positive
 * (another key of the same stripe invalidated) only skips one store.
 */
final class InvalidationEpochs {
  private static final int STRIPES = 64;
  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);

  private static int index(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  long stamp(String key) {
    return stripes.get(index(key));
  }

  boolean unchanged(String key, long stamp) {
    return stripes.get(index(key)) == stamp;
  }

  void bump(String key) {
    stripes.incrementAndGet(index(key));
  }

  void bumpAll() {
    for (int i = 0; i < STRIPES; i++) {
      stripes.incrementAndGet(i);
    }
  }
}
