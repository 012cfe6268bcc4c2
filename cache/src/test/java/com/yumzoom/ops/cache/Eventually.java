package com.yumzoom.ops.cache;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded polling for integration tests that wait on a real Redis (pub/sub, reconnects). */
public final class Eventually {
  private Eventually() {}

  public static void await(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
