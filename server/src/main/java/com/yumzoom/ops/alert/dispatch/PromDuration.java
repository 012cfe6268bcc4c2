package com.yumzoom.ops.alert.dispatch;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus' duration syntax ({@code model.ParseDuration}), used by rule files and Alertmanager's
 * configuration: units y, w, d, h, m, s, ms in that order, each at most once ({@code 1h30m}, {@code
 * 500ms}, {@code 0}). A year is 365 days, as in Prometheus.
 */
public final class PromDuration {

  private static final Pattern SYNTAX =
      Pattern.compile(
          "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] UNIT_MS = {
    365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1
  };
  private static final String[] UNIT_NAMES = {"y", "w", "d", "h", "m", "s", "ms"};

  private PromDuration() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration string");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a valid duration string: \"" + text + "\"");
    }
    long total = 0;
    for (int i = 0; i < UNIT_MS.length; i++) {
      String g = m.group(i + 1);
      if (g != null) {
        try {
          total = Math.addExact(total, Math.multiplyExact(Long.parseLong(g), UNIT_MS[i]));
        } catch (ArithmeticException | NumberFormatException e) {
          throw new IllegalArgumentException("duration out of range: \"" + text + "\"");
        }
      }
    }
    return Duration.ofMillis(total);
  }

  /** Prometheus' rendering ({@code model.Duration.String}): {@code 1h30m}, {@code 0s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < UNIT_MS.length; i++) {
      long n = ms / UNIT_MS[i];
      if (n > 0) {
        sb.append(n).append(UNIT_NAMES[i]);
        ms -= n * UNIT_MS[i];
      }
    }
    return sb.toString();
  }
}
