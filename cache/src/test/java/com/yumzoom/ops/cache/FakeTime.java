package com.yumzoom.ops.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand; also a nanosecond source for load timing. */
public final class FakeTime extends Clock {
  private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
  private final AtomicLong nanos = new AtomicLong();

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
    nanos.addAndGet(d.toNanos());
  }

  /** Nanosecond reading that only moves with {@link #advance}. */
  public long nanoTime() {
    return nanos.get();
  }
}
