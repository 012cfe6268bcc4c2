package com.yumzoom.ops.ingest;

/**
 * The request breaks a limit or is malformed; the message names the field and the limit and is
 * returned to the client unchanged (HTTP 400, gRPC INVALID_ARGUMENT).
 */
public final class InvalidRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    // No stack trace: this is a client error on a hot path, and the message says everything.
    super(message, null, false, false);
  }
}
