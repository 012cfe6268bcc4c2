package com.yumzoom.ops.errors;

/**
 * Whether an issue is spiking against its own baseline: the events of the last hour compared with
 * the hourly counts of the 24 hours before it.
 *
 * <p>Design. A fixed threshold pages on issues that are always noisy and misses quiet issues that
 * suddenly triple; comparing an issue with itself avoids both. The rule is a z-score with two
 * guards: the last hour spikes when it is at least {@code mean + 3 * stddev} of the trailing hours,
 * at least twice the mean (a very regular issue has a tiny deviation, and a few more events than
 * usual are not a spike), and at least {@value #MIN_EVENTS} events (one or two events after a
 * silent day are not a spike either). Hours without events count as zero, so a new burst of an old
 * issue spikes.
 */
final class SpikeDetector {

  static final int MIN_EVENTS = 10;
  static final double DEVIATIONS = 3.0;
  static final double MIN_RATIO = 2.0;

  private SpikeDetector() {}

  /**
   * @param lastHour events in the last 60 minutes
   * @param trailing events in each of the hours before, any number of hours (24 by default),
   *     missing hours as zero
   */
  static boolean isSpiking(long lastHour, long[] trailing) {
    if (lastHour < MIN_EVENTS) {
      return false;
    }
    if (trailing.length == 0) {
      return true;
    }
    double sum = 0;
    for (long c : trailing) {
      sum += c;
    }
    double mean = sum / trailing.length;
    double squares = 0;
    for (long c : trailing) {
      squares += (c - mean) * (c - mean);
    }
    double stddev = Math.sqrt(squares / trailing.length);
    return lastHour >= mean + DEVIATIONS * stddev && lastHour >= MIN_RATIO * mean;
  }
}
