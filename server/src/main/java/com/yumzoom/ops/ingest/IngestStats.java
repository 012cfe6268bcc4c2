package com.yumzoom.ops.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of trace ingest, for the server's own metrics. LongAdders because every ingest thread
 * increments them on every request.
 */
public final class IngestStats {

  /** How an ingest request ended. */
  public enum Outcome {
    /** Durable and acknowledged (possibly with some spans rejected: partial success). */
    ACCEPTED("accepted"),
    /** Malformed or over a limit: 400 / INVALID_ARGUMENT. */
    INVALID("invalid"),
    /** Body or message over the size limit: 413 / RESOURCE_EXHAUSTED. */
    TOO_LARGE("too_large"),
    /** Unsupported content type or encoding: 415. */
    UNSUPPORTED("unsupported"),
    /** Queue full or too many requests decoding: 429 / UNAVAILABLE. */
    THROTTLED("throttled"),
    /** Storage failed: 503 / UNAVAILABLE. */
    FAILED("failed");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    /** Lower-case name for a metric label. */
    public String label() {
      return label;
    }
  }

  private final LongAdder acceptedSpans = new LongAdder();
  private final LongAdder rejectedSpans = new LongAdder();
  private final Map<Outcome, LongAdder> requests = new EnumMap<>(Outcome.class);

  public IngestStats() {
    for (Outcome outcome : Outcome.values()) {
      requests.put(outcome, new LongAdder());
    }
  }

  /** Spans acknowledged as durable. */
  public long acceptedSpans() {
    return acceptedSpans.sum();
  }

  /** Spans dropped individually from otherwise accepted requests (invalid ids). */
  public long rejectedSpans() {
    return rejectedSpans.sum();
  }

  public long requests(Outcome outcome) {
    return requests.get(outcome).sum();
  }

  void accepted(long spans, long rejected) {
    acceptedSpans.add(spans);
    rejectedSpans.add(rejected);
    requests.get(Outcome.ACCEPTED).increment();
  }

  void record(Outcome outcome) {
    requests.get(outcome).increment();
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("IngestStats{acceptedSpans=")
            .append(acceptedSpans())
            .append(", rejectedSpans=")
            .append(rejectedSpans());
    for (Outcome outcome : Outcome.values()) {
      sb.append(", ").append(outcome.label()).append('=').append(requests(outcome));
    }
    return sb.append('}').toString();
  }
}
