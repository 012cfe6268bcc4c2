package com.yumzoom.ops.errors;

/**
 * One frame as printed by the runtime, raw (grouping normalises its own copy).
 *
 * @param module Java: fully qualified class (JPMS module prefix removed); JavaScript and Python:
 *     the file path or URL as printed
 * @param function method or function name, empty when anonymous
 * @param file source file as printed, empty when unknown ({@code Native Method}, {@code Unknown
 *     Source})
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 */
public record StackFrame(String module, String function, String file, int line, int column) {

  static final int MAX_TEXT = 1024;

  public StackFrame {
    module = text("frame.module", module);
    function = text("frame.function", function);
    file = text("frame.file", file);
    if (line < 0) {
      throw new IllegalArgumentException("frame.line must not be negative, got " + line);
    }
    if (column < 0) {
      throw new IllegalArgumentException("frame.column must not be negative, got " + column);
    }
  }

  private static String text(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    if (value.length() > MAX_TEXT) {
      throw new IllegalArgumentException(field + " longer than " + MAX_TEXT + " characters");
    }
    return value;
  }
}
