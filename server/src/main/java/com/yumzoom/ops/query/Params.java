package com.yumzoom.ops.query;

import com.linecorp.armeria.common.QueryParams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Small readers of request parameters that answer 400 with the parameter's name. */
final class Params {

  private Params() {}

  /** The first value, or null when absent or empty (Tempo treats "x=" as absent too). */
  static String optional(QueryParams params, String name) {
    String value = params.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /** A positive integer, {@code dflt} when absent, clamped to {@code max} as Tempo does. */
  static int limit(QueryParams params, String name, int dflt, int max) {
    String text = optional(params, name);
    if (text == null) {
      return dflt;
    }
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw BadRequestException.parameter(name, "must be a positive integer, got \"" + text + "\"");
    }
    if (value <= 0) {
      throw BadRequestException.parameter(name, "must be a positive integer, got " + value);
    }
    return (int) Math.min(value, max);
  }

  /** A Go duration as nanoseconds, or {@code dflt} when absent; never negative. */
  static long duration(QueryParams params, String name, long dflt) {
    String text = optional(params, name);
    if (text == null) {
      return dflt;
    }
    long nanos;
    try {
      nanos = GoDuration.parseNanos(text.trim());
    } catch (IllegalArgumentException e) {
      throw BadRequestException.parameter(
          name, "is not a duration such as 100ms or 1.5s: " + e.getMessage());
    }
    if (nanos < 0) {
      throw BadRequestException.parameter(name, "must not be negative, got " + text);
    }
    return nanos;
  }

  /**
   * Percent-decodes once more when the text still holds escapes: Grafana encodes tag names twice in
   * paths. Unlike URLDecoder, '+' stays '+'; malformed escapes leave the text as it was.
   */
  static String decodeAgain(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '%') {
        if (i + 2 >= bytes.length) {
          return text;
        }
        int hi = Character.digit(bytes[i + 1], 16);
        int lo = Character.digit(bytes[i + 2], 16);
        if (hi < 0 || lo < 0) {
          return text;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
