package com.yumzoom.ops.ingest;

/** The body, compressed or not, is over {@code ingest.max-body-bytes}. */
final class BodyTooLargeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  BodyTooLargeException(long limit) {
    super(LimitMessages.bodyTooLarge(limit), null, false, false);
  }
}
