package com.yumzoom.ops.marketplace;

/**
 * A request that cannot be served as asked, with the HTTP status and the error code the API
 * answers. Not for faults of the service itself: those are 500s, recorded on the span.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  ApiException(int status, String error, String message) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message);
  }

  static ApiException unprocessable(String message) {
    return new ApiException(422, "unprocessable", message);
  }

  int status() {
    return status;
  }

  String error() {
    return error;
  }
}
