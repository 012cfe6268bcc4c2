package com.yumzoom.ops.query;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Parses Go's {@code time.ParseDuration} syntax, which Tempo's API and TraceQL use: a possibly
 * signed sequence of decimal numbers, each with an optional fraction and a unit ({@code ns}, {@code
 * us}, {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}), such as {@code 300ms}, {@code
 * 1.5h} or {@code 2h45m}. A lone {@code 0} needs no unit.
 *
 * <p>Each component is summed exactly (BigDecimal) and the total truncated to whole nanoseconds, so
 * {@code 1.0000000001s} is one second, as in Go; results beyond a signed 64-bit count of
 * nanoseconds (about 292 years) are refused rather than wrapped.
 */
final class GoDuration {

  private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  private GoDuration() {}

  /**
   * Nanoseconds of a Go duration string.
   *
   * @throws IllegalArgumentException naming the string and what is wrong with it
   */
  static long parseNanos(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("invalid duration \"\"");
    }
    String s = text;
    int i = 0;
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i++;
    }
    if (s.substring(i).equals("0")) {
      return 0;
    }
    if (i == s.length()) {
      throw new IllegalArgumentException("invalid duration \"" + text + "\"");
    }
    BigDecimal total = BigDecimal.ZERO;
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && isNumberChar(s.charAt(i))) {
        i++;
      }
      String number = s.substring(numberStart, i);
      if (number.isEmpty()
          || number.equals(".")
          || number.indexOf('.') != number.lastIndexOf('.')) {
        throw new IllegalArgumentException("invalid duration \"" + text + "\"");
      }
      int unitStart = i;
      while (i < s.length() && !isNumberChar(s.charAt(i))) {
        i++;
      }
      if (unitStart == i) {
        throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
      }
      String unit = s.substring(unitStart, i);
      long unitNanos = unitNanos(unit, text);
      total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)));
    }
    if (negative) {
      total = total.negate();
    }
    total = total.setScale(0, RoundingMode.DOWN);
    if (total.compareTo(MAX) > 0 || total.compareTo(MIN) < 0) {
      throw new IllegalArgumentException("invalid duration \"" + text + "\": out of range");
    }
    return total.longValueExact();
  }

  /** ASCII digits and the decimal point; Character.isDigit would accept other scripts' digits. */
  private static boolean isNumberChar(char c) {
    return (c >= '0' && c <= '9') || c == '.';
  }

  private static long unitNanos(String unit, String text) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "\u00b5s", "\u03bcs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default ->
          throw new IllegalArgumentException(
              "unknown unit \"" + unit + "\" in duration \"" + text + "\"");
    };
  }
}
