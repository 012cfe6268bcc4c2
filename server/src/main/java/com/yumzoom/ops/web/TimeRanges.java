package com.yumzoom.ops.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The UI's time expressions, the same the browser writes in the URL: {@code now}, {@code now-1h},
 * {@code now-90m}, epoch milliseconds, or an ISO-8601 instant.
 */
final class TimeRanges {

  private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d{1,6})(s|m|h|d|w))?");

  private TimeRanges() {}

  static boolean isRelative(String text) {
    return text.startsWith("now");
  }

  /** Milliseconds since the epoch, or {@link IllegalArgumentException} naming what is allowed. */
  static long parse(String text, long nowMs) {
    Matcher m = RELATIVE.matcher(text);
    if (m.matches()) {
      if (m.group(1) == null) {
        return nowMs;
      }
      long n = Long.parseLong(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 7 * 86_400_000L;
          };
      return nowMs - n * unit;
    }
    if (text.matches("\\d{1,15}")) {
      return Long.parseLong(text);
    }
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "must be now, now-<n><s|m|h|d|w>, epoch milliseconds or an ISO-8601 instant");
    }
  }

  /** Refresh interval such as {@code 5s} or {@code 1m}; 0 for {@code off} or empty. */
  static long refreshMillis(String text) {
    if (text == null || text.isEmpty() || text.equals("off")) {
      return 0;
    }
    Matcher m = Pattern.compile("(\\d{1,4})(s|m|h)").matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("must be off or <n><s|m|h>");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> n * 1_000;
      case "m" -> n * 60_000;
      default -> n * 3_600_000;
    };
  }
}
