package com.yumzoom.ops.cache.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An entity tag (RFC 9110 section 8.8.3). A strong tag promises byte-identical content; a weak tag
 * ({@code W/"..."}) only semantic equivalence, e.g. the same data re-rendered with another
 * whitespace or compression.
 *
 * @param opaque the characters between the quotes
 * @param weak true for {@code W/}
 */
public record ETag(String opaque, boolean weak) {
  public ETag {
    if (opaque == null) {
      throw new IllegalArgumentException("etag.opaque missing");
    }
    for (int i = 0; i < opaque.length(); i++) {
      char c = opaque.charAt(i);
      if (c == '"' || c < 0x21 || c == 0x7f) {
        throw new IllegalArgumentException(
            "etag.opaque contains a quote, space or control character");
      }
    }
  }

  /** A strong tag from the content itself: the first 16 bytes of its SHA-256, base64url. */
  public static ETag strong(byte[] content) {
    return new ETag(digest(content), false);
  }

  /** A weak tag from a version string (e.g. a row version or updated-at), hashed. */
  public static ETag weak(String version) {
    return new ETag(digest(version.getBytes(StandardCharsets.UTF_8)), true);
  }

  private static String digest(byte[] bytes) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  public String toHeaderValue() {
    return (weak ? "W/\"" : "\"") + opaque + "\"";
  }

  /** Strong comparison: both strong and identical (used by If-Match and Range). */
  public boolean strongMatch(ETag other) {
    return !weak && !other.weak && opaque.equals(other.opaque);
  }

  /** Weak comparison: identical opaque values, weakness ignored (used by If-None-Match). */
  public boolean weakMatch(ETag other) {
    return opaque.equals(other.opaque);
  }

  /**
   * Parses an If-Match / If-None-Match list. Returns null for {@code *}; malformed members are
   * skipped (a request header is untrusted input).
   */
  public static List<ETag> parseList(String header) {
    if (header == null) {
      return List.of();
    }
    String h = header.trim();
    if (h.equals("*")) {
      return null;
    }
    List<ETag> tags = new ArrayList<>();
    int i = 0;
    while (i < h.length() && tags.size() < 64) {
      char c = h.charAt(i);
      if (c == ',' || c == ' ' || c == '\t') {
        i++;
        continue;
      }
      boolean weak = false;
      if (h.startsWith("W/", i)) {
        weak = true;
        i += 2;
      }
      if (i >= h.length() || h.charAt(i) != '"') {
        int next = h.indexOf(',', i);
        i = next < 0 ? h.length() : next + 1;
        continue;
      }
      int end = h.indexOf('"', i + 1);
      if (end < 0) {
        break;
      }
      try {
        tags.add(new ETag(h.substring(i + 1, end), weak));
      } catch (IllegalArgumentException ignored) {
        // skip a member with forbidden characters
      }
      i = end + 1;
    }
    return tags;
  }
}
