package com.yumzoom.ops.ingest.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** What OTLP metrics ingest did since start, for the server's own metrics. */
public final class MetricsIngestStats {
  final AtomicLong requests = new AtomicLong();
  final AtomicLong samplesStored = new AtomicLong();
  final AtomicLong pointsRejected = new AtomicLong();
  final AtomicLong overloaded = new AtomicLong();

  /** Export requests handled (HTTP and gRPC), whatever their outcome. */
  public long requests() {
    return requests.get();
  }

  /** Samples the store accepted. */
  public long samplesStored() {
    return samplesStored.get();
  }

  /** Points or samples refused (translator, limits, out of order), as partial successes report. */
  public long pointsRejected() {
    return pointsRejected.get();
  }

  /** Requests refused because the store's write queue was full. */
  public long overloaded() {
    return overloaded.get();
  }
}
