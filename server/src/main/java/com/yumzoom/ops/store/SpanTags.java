package com.yumzoom.ops.store;

import java.util.Map;

/**
 * The searchable tag string of a span: every span and resource attribute as {@code key=value}, each
 * line framed by {@code '\n'} on both sides ({@code "\nhttp.method=GET\nservice.name=api\n"}).
 *
 * <p>Why a string: an exact tag match becomes one substring test ({@code contains(tags,
 * '\nk=v\n')}), which a columnar engine runs over millions of rows without a per-attribute table,
 * and the writer appends one value per span instead of twenty. Line breaks inside keys or values
 * are replaced by spaces so they cannot forge a frame.
 */
public final class SpanTags {

  private SpanTags() {}

  public static final char SEPARATOR = '\n';

  /** Builds the tag string; iteration order of the map is kept. */
  public static String of(Map<String, String> attributes) {
    StringBuilder sb = new StringBuilder(attributes.size() * 24 + 1);
    sb.append(SEPARATOR);
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      appendSanitized(sb, e.getKey());
      sb.append('=');
      appendSanitized(sb, e.getValue());
      sb.append(SEPARATOR);
    }
    return sb.toString();
  }

  /** The substring that matches {@code key=value} exactly inside a tag string. */
  public static String needle(String key, String value) {
    StringBuilder sb = new StringBuilder(key.length() + value.length() + 3);
    sb.append(SEPARATOR);
    appendSanitized(sb, key);
    sb.append('=');
    appendSanitized(sb, value);
    sb.append(SEPARATOR);
    return sb.toString();
  }

  public static boolean matches(String tags, String key, String value) {
    return tags.contains(needle(key, value));
  }

  private static void appendSanitized(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c == '\n' || c == '\r' ? ' ' : c);
    }
  }
}
