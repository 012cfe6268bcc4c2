package com.yumzoom.ops.alert.delivery;

import java.time.Duration;

/**
 * When a failed delivery is tried again: exponential backoff with "equal jitter" (half the delay
 * fixed, half random), so receivers recovering from an outage are not hit by every sender at the
 * same instant, yet no retry comes sooner than half its nominal delay.
 *
 * @param maxAttempts attempts before the delivery is dead-lettered
 * @param maxAge a delivery older than this is dead-lettered instead of retried
 * @param initialBackoff delay after the first failed attempt (before jitter)
 * @param maxBackoff cap of the delay
 */
record RetryPolicy(int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff) {

  static final RetryPolicy DEFAULTS =
      new RetryPolicy(10, Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofMinutes(5));

  RetryPolicy {
    if (maxAttempts < 1 || maxAttempts > 1000) {
      throw new IllegalArgumentException(
          "alerting.delivery.max-attempts must be between 1 and 1000, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("alerting.delivery.initial-backoff must be positive");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "alerting.delivery.max-backoff must be at least alerting.delivery.initial-backoff");
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("alerting.delivery.max-age must be positive");
    }
  }

  /**
   * The delay after failed attempt number {@code attempt} (1-based).
   *
   * @param random uniform in [0, 1)
   */
  Duration backoff(int attempt, double random) {
    long initial = initialBackoff.toMillis();
    long cap = maxBackoff.toMillis();
    long nominal = attempt >= 62 ? cap : Math.min(cap, initial << Math.min(attempt - 1, 40));
    if (nominal < 0) {
      nominal = cap;
    }
    long half = nominal / 2;
    return Duration.ofMillis(half + (long) (random * (nominal - half)));
  }
}
