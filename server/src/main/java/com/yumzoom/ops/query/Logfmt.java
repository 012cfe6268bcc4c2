package com.yumzoom.ops.query;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes the logfmt tag string of Tempo's search API ({@code service.name="api"
 * http.status_code=500 name="GET /x"}), following the rules of go-logfmt, the decoder Tempo uses:
 * pairs separated by white space; a key runs to '=' or white space and may not contain '"'; a value
 * is either bare (up to white space, no '=' or '"') or double-quoted with JSON-style escapes.
 *
 * <p>Two departures, both to refuse rather than guess: a key without a value ({@code foo} or {@code
 * foo=}) is an error, where go-logfmt yields an empty value that would search for empty tags; and a
 * key given twice is an error, as in Tempo.
 */
final class Logfmt {

  private Logfmt() {}

  /**
   * Pairs in the order given.
   *
   * @throws IllegalArgumentException with the position (0-based) and the problem
   */
  static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int n = text.length();
    int i = 0;
    while (true) {
      while (i < n && isSpace(text.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return Collections.unmodifiableMap(out);
      }
      int keyStart = i;
      while (i < n && !isSpace(text.charAt(i)) && text.charAt(i) != '=') {
        if (text.charAt(i) == '"') {
          throw new IllegalArgumentException("unexpected '\"' in key at position " + i);
        }
        i++;
      }
      if (i == keyStart) {
        throw new IllegalArgumentException("unexpected '=' at position " + i);
      }
      String key = text.substring(keyStart, i);
      if (i >= n || text.charAt(i) != '=') {
        throw new IllegalArgumentException("tag '" + key + "' has no value");
      }
      i++; // '='
      String value;
      if (i < n && text.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i = readQuoted(text, i, sb);
        if (i < n && !isSpace(text.charAt(i))) {
          throw new IllegalArgumentException(
              "unexpected '" + text.charAt(i) + "' after quoted value at position " + i);
        }
        value = sb.toString();
      } else {
        int valueStart = i;
        while (i < n && !isSpace(text.charAt(i))) {
          char c = text.charAt(i);
          if (c == '=' || c == '"') {
            throw new IllegalArgumentException("unexpected '" + c + "' in value at position " + i);
          }
          i++;
        }
        value = text.substring(valueStart, i);
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException("tag '" + key + "' has an empty value");
      }
      if (out.putIfAbsent(key, value) != null) {
        throw new IllegalArgumentException("tag '" + key + "' is set twice");
      }
    }
  }

  /**
   * Reads a quoted value starting at the opening quote; returns the index after the closing one.
   */
  private static int readQuoted(String text, int open, StringBuilder sb) {
    int n = text.length();
    int i = open + 1;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c != '\\') {
        sb.append(c);
        i++;
        continue;
      }
      if (i + 1 >= n) {
        break;
      }
      char e = text.charAt(i + 1);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 6 > n) {
            throw new IllegalArgumentException("invalid \\u escape at position " + i);
          }
          try {
            sb.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
          } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("invalid \\u escape at position " + i, ex);
          }
          i += 4;
        }
        default ->
            throw new IllegalArgumentException("invalid escape '\\" + e + "' at position " + i);
      }
      i += 2;
    }
    throw new IllegalArgumentException("unterminated quoted value starting at position " + open);
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
}
