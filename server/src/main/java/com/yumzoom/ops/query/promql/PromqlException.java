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
    return new PromqlException("bad_data", message, position);
  }

  /** Prometheus' rendering of a syntax error: "line:column: parse error: message". */
  static PromqlException located(String input, PromqlException e) {
    int pos = Math.max(0, Math.min(e.position, input.length()));
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < pos; i++) {
      if (input.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new PromqlException(
        "bad_data",
        line + ":" + (pos - lineStart + 1) + ": parse error: " + e.getMessage(),
        e.position);
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
