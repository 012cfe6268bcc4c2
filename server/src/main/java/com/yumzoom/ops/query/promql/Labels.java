package com.yumzoom.ops.query.promql;

import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** An immutable label set, sorted by name; empty values are never stored. */
public record Labels(SortedMap<String, String> map) implements Comparable<Labels> {
  public static final String NAME = "__name__";
  public static final Labels EMPTY = new Labels(new TreeMap<>());

  public Labels {
    TreeMap<String, String> copy = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (v != null && !v.isEmpty()) {
            copy.put(k, v);
          }
        });
    map = java.util.Collections.unmodifiableSortedMap(copy);
  }

  public static Labels of(Map<String, String> m) {
    return new Labels(new TreeMap<>(m));
  }

  public String get(String name) {
    return map.getOrDefault(name, "");
  }

  TreeMap<String, String> mutable() {
    return new TreeMap<>(map);
  }

  Labels with(String name, String value) {
    TreeMap<String, String> m = mutable();
    m.put(name, value);
    return new Labels(m);
  }

  Labels without(Collection<String> names) {
    TreeMap<String, String> m = mutable();
    names.forEach(m::remove);
    return new Labels(m);
  }

  Labels withoutName() {
    if (!map.containsKey(NAME)) {
      return this;
    }
    TreeMap<String, String> m = mutable();
    m.remove(NAME);
    return new Labels(m);
  }

  Labels keep(Collection<String> names) {
    TreeMap<String, String> m = new TreeMap<>();
    for (String n : names) {
      if (map.containsKey(n)) {
        m.put(n, map.get(n));
      }
    }
    return new Labels(m);
  }

  @Override
  public int compareTo(Labels o) {
    return toString().compareTo(o.toString());
  }

  /** Go's labels.String(): every label in braces, the name included as __name__. */
  public String goString() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (var e : map.entrySet()) {
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(e.getKey()).append("=\"").append(e.getValue()).append('"');
    }
    return sb.append('}').toString();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    String name = map.get(NAME);
    if (name != null) {
      sb.append(name);
    }
    sb.append('{');
    boolean first = true;
    for (var e : map.entrySet()) {
      if (e.getKey().equals(NAME)) {
        continue;
      }
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(e.getKey()).append("=\"").append(e.getValue()).append('"');
    }
    return sb.append('}').toString();
  }
}
