package com.yumzoom.ops.store.duckdb;

import java.util.Arrays;

/**
 * A set of strings that answers "is {@code s[from, to)} in the set?" without cutting a substring:
 * the writer asks it for each of ~20 tag lines of every span, and nearly always the answer is yes,
 * so the hit path must not allocate. Open addressing with linear probing; grows at half full.
 */
final class RangeSet {

  private String[] items = new String[64];
  private int[] hashes = new int[64];
  private int size;

  int size() {
    return size;
  }

  boolean contains(String s, int from, int to) {
    int h = hash(s, from, to);
    int mask = items.length - 1;
    for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
      String item = items[i];
      if (item == null) {
        return false;
      }
      if (hashes[i] == h
          && item.length() == to - from
          && s.regionMatches(from, item, 0, to - from)) {
        return true;
      }
    }
  }

  /** Adds the string; returns false if it was already present. */
  boolean add(String item) {
    if (contains(item, 0, item.length())) {
      return false;
    }
    if (size + 1 > items.length / 2) {
      grow();
    }
    insert(item, hash(item, 0, item.length()));
    size++;
    return true;
  }

  void clear() {
    Arrays.fill(items, null);
    size = 0;
  }

  private void insert(String item, int h) {
    int mask = items.length - 1;
    int i = spread(h) & mask;
    while (items[i] != null) {
      i = (i + 1) & mask;
    }
    items[i] = item;
    hashes[i] = h;
  }

  private void grow() {
    String[] oldItems = items;
    int[] oldHashes = hashes;
    items = new String[oldItems.length * 2];
    hashes = new int[oldItems.length * 2];
    for (int i = 0; i < oldItems.length; i++) {
      if (oldItems[i] != null) {
        insert(oldItems[i], oldHashes[i]);
      }
    }
  }

  private static int hash(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h;
  }

  private static int spread(int h) {
    return (h ^ (h >>> 16)) * 0x9E3779B1;
  }
}
