package com.yumzoom.ops.ingest;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the requests whose bodies are being received or decoded at once, so memory stays bounded
 * however many clients send: a request that finds no permit is answered 429 / UNAVAILABLE before
 * its body is read. A permit is given back once the request's spans are handed to the sink (the
 * sink bounds its own queue), not when they are committed.
 */
final class DecodePermits {

  private final Semaphore semaphore;
  private final int max;

  DecodePermits(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("maxConcurrentDecodes must be positive, got " + max);
    }
    this.max = max;
    this.semaphore = new Semaphore(max);
  }

  /** A permit, or null when all are taken. */
  Permit tryAcquire() {
    return semaphore.tryAcquire() ? new Permit() : null;
  }

  int available() {
    return semaphore.availablePermits();
  }

  int max() {
    return max;
  }

  /** One admitted request. Releasing is idempotent, so every exit path may release. */
  final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean recorded = new AtomicBoolean();

    void release() {
      if (released.compareAndSet(false, true)) {
        semaphore.release();
      }
    }

    /** True the first time only: whoever records the request's outcome first owns it. */
    boolean markRecorded() {
      return recorded.compareAndSet(false, true);
    }
  }
}
