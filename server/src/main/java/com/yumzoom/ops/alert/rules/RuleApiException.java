package com.yumzoom.ops.alert.rules;

/** A rule API request refused with a status other than 400 (404, 409). */
final class RuleApiException extends RuntimeException {

  final int status;
  final String error;

  RuleApiException(int status, String error, String message) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
  }

  static RuleApiException notFound(String message) {
    return new RuleApiException(404, "not_found", message);
  }

  static RuleApiException conflict(String message) {
    return new RuleApiException(409, "conflict", message);
  }
}
