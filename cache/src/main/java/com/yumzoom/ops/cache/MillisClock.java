package com.yumzoom.ops.cache;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.locks.LockSupport;

/**
 * The default clock of every cache: wall-clock milliseconds read from a field that one daemon
 * thread refreshes every millisecond. A cache hit needs the time twice (freshness, and Caffeine's
 * expiry check); on virtual machines a real clock read costs 40-80 ns, more than the rest of the
 * hit, while TTLs are seconds to hours, so millisecond staleness is harmless.
 *
 * <p>The value never goes backwards (a wall-clock step back freezes it until the wall clock catches
 * up), because Caffeine's ticker must be monotonic. If the refresher is starved (an overloaded
 * host), time appears to stand still for a few milliseconds: entries then live that much longer,
 * never shorter.
 */
public final class MillisClock extends Clock {
  private static final MillisClock SYSTEM = new MillisClock();

  private volatile long now = System.currentTimeMillis();

  private MillisClock() {
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("yzc-millis-clock")
            .unstarted(
                () -> {
                  while (true) {
                    // Nothing in here can throw; the loop never ends while the JVM lives.
                    LockSupport.parkNanos(1_000_000L);
                    long wall = System.currentTimeMillis();
                    if (wall > now) {
                      now = wall;
                    }
                  }
                });
    t.start();
  }

  /** The shared instance (one refresher thread per JVM). */
  public static MillisClock system() {
    return SYSTEM;
  }

  @Override
  public long millis() {
    return now;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(now);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(ZoneOffset.UTC) ? this : Clock.system(zone);
  }
}
