package com.yumzoom.ops.query.promql;

/**
 * A PromQL error. {@code errorType} is the Prometheus API's ("bad_data" for syntax errors,
 * "execution" for evaluation errors); {@code position} is the 0-based character offset of a syntax
 * error, or -1.
 */
public final class PromqlException extends RuntimeException {
  private final String errorType;
  private final int position;

  PromqlException(String errorType, String message, int position) {
    super(message);
    this.errorType = errorType;
    this.position = position;
  }

  static PromqlException parse(String message, int position) {
    return new PromqlException(
        "bad_data", "parse error at char " + (position + 1) + ": " + message, position);
  }

  static PromqlException exec(String message) {
    return new PromqlException("execution", message, -1);
  }

  public String errorType() {
    return errorType;
  }

  public int position() {
    return position;
  }
}
