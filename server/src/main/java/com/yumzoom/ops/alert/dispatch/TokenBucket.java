package com.yumzoom.ops.alert.dispatch;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perMinute} per minute. Time is
 * passed in (milliseconds) so tests drive it with a manual clock.
 */
final class TokenBucket {

  private final double capacity;
  private final double perMs;
  private double tokens;
  private long lastMs;

  TokenBucket(int perMinute, int burst, long nowMs) {
    this.capacity = burst;
    this.perMs = perMinute / 60_000.0;
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  boolean tryAcquire(long nowMs) {
    if (nowMs > lastMs) {
      tokens = Math.min(capacity, tokens + (nowMs - lastMs) * perMs);
      lastMs = nowMs;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
