package com.yumzoom.ops.cache.http;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds {@code Vary} header values: the request headers a cached response depends on, so that a
 * CDN keeps one copy per value (per language, per encoding) instead of serving one user's variant
 * to another. Names are compared case-insensitively and kept once; {@code *} absorbs the rest.
 */
public final class Vary {
  private Vary() {}

  /** {@code existing} (may be null) plus {@code names}, deduplicated, first spelling kept. */
  public static String merge(String existing, String... names) {
    Map<String, String> seen = new LinkedHashMap<>();
    if (existing != null) {
      for (String n : existing.split(",")) {
        addName(seen, n);
      }
    }
    for (String n : names) {
      addName(seen, n);
    }
    if (seen.containsKey("*")) {
      return "*";
    }
    return String.join(", ", seen.values());
  }

  private static void addName(Map<String, String> seen, String raw) {
    String n = raw == null ? "" : raw.trim();
    if (n.isEmpty()) {
      return;
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '*')) {
        throw new IllegalArgumentException("vary header name '" + n + "' is not a token");
      }
    }
    seen.putIfAbsent(n.toLowerCase(Locale.ROOT), n);
  }
}
