package com.yumzoom.ops.ingest;

/** The body, compressed or not, is over {@code ingest.max-body-bytes}. */
public final class BodyTooLargeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BodyTooLargeException(long limit) {
    super(LimitMessages.bodyTooLarge(limit), null, false, false);
  }
}
