package com.yumzoom.ops.errors;

import java.util.List;

/**
 * A parsed stack trace.
 *
 * @param platform runtime that printed it
 * @param chain outermost (the exception that was thrown last) first, root cause last; never empty
 * @param suppressed Java {@code Suppressed:} exceptions (and their causes), flattened; not used for
 *     grouping
 */
public record ParsedStackTrace(
    Platform platform, List<ExceptionRecord> chain, List<ExceptionRecord> suppressed) {

  public ParsedStackTrace {
    if (platform == null) {
      throw new IllegalArgumentException("trace.platform must not be null");
    }
    if (chain == null || chain.isEmpty()) {
      throw new IllegalArgumentException("trace.chain must not be empty");
    }
    chain = List.copyOf(chain);
    suppressed = suppressed == null ? List.of() : List.copyOf(suppressed);
  }

  /** The root cause: the innermost exception of the chain. */
  public ExceptionRecord rootCause() {
    return chain.getLast();
  }
}
