package com.yumzoom.ops.pipeline;

import java.time.Duration;

/** The ingest queue is full; the client should retry after {@link #retryAfter()}. */
public final class OverloadedException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  public OverloadedException(String message, Duration retryAfter) {
    super(message, null, false, false);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
