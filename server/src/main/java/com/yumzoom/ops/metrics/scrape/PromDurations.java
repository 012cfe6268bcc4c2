package com.yumzoom.ops.metrics.scrape;

import java.time.Duration;

/** Prometheus' duration text ({@code model.Duration.String}): 90s is "1m30s", 0 is "0s". */
final class PromDurations {
  private PromDurations() {}

  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] unit = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};
    String[] name = {"y", "w", "d", "h", "m", "s", "ms"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < unit.length; i++) {
      if (ms >= unit[i]) {
        sb.append(ms / unit[i]).append(name[i]);
        ms %= unit[i];
      }
    }
    return sb.toString();
  }
}
