package com.yumzoom.ops.metrics.scrape;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of every target's scrapes, for the server's own metrics. */
public final class ScrapeStats {
  final AtomicLong scrapes = new AtomicLong();
  final AtomicLong failedScrapes = new AtomicLong();
  final AtomicLong sampleLimitExceeded = new AtomicLong();
  final AtomicLong failedAppends = new AtomicLong();

  public long scrapes() {
    return scrapes.get();
  }

  public long failedScrapes() {
    return failedScrapes.get();
  }

  public long sampleLimitExceeded() {
    return sampleLimitExceeded.get();
  }

  public long failedAppends() {
    return failedAppends.get();
  }
}
