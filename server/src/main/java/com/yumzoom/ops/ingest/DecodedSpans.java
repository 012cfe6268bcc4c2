package com.yumzoom.ops.ingest;

import com.yumzoom.ops.store.SpanRow;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of decoding one export request: the spans to store, and the spans that were dropped
 * individually (OTLP partial success).
 *
 * @param rows spans that passed validation, in request order
 * @param rejectedSpans number of spans dropped individually (invalid ids)
 * @param rejectionMessage why they were dropped, empty when {@code rejectedSpans} is 0
 */
public record DecodedSpans(List<SpanRow> rows, long rejectedSpans, String rejectionMessage) {

  public DecodedSpans {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(rejectionMessage, "rejectionMessage");
    if (rejectedSpans < 0) {
      throw new IllegalArgumentException("rejectedSpans is negative: " + rejectedSpans);
    }
  }
}
