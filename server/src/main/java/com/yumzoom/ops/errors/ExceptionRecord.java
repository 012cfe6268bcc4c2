package com.yumzoom.ops.errors;

import java.util.List;

/**
 * One exception of a chain.
 *
 * @param type exception type as printed ({@code java.sql.SQLException}, {@code TypeError}, {@code
 *     requests.exceptions.ConnectionError})
 * @param message message, possibly empty
 * @param frames innermost (throw site) first, whatever order the runtime printed them in
 */
public record ExceptionRecord(String type, String message, List<StackFrame> frames) {

  static final int MAX_TYPE = 512;
  static final int MAX_MESSAGE = 8192;
  static final int MAX_FRAMES = 1024;

  public ExceptionRecord {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("exception.type must not be blank");
    }
    if (type.length() > MAX_TYPE) {
      throw new IllegalArgumentException("exception.type longer than " + MAX_TYPE + " characters");
    }
    if (message == null) {
      throw new IllegalArgumentException("exception.message must not be null");
    }
    if (message.length() > MAX_MESSAGE) {
      throw new IllegalArgumentException(
          "exception.message longer than " + MAX_MESSAGE + " characters");
    }
    if (frames == null) {
      throw new IllegalArgumentException("exception.frames must not be null");
    }
    if (frames.size() > MAX_FRAMES) {
      throw new IllegalArgumentException("exception.frames more than " + MAX_FRAMES + " frames");
    }
    frames = List.copyOf(frames);
  }
}
