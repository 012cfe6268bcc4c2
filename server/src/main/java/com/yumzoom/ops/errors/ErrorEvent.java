package com.yumzoom.ops.errors;

import java.util.List;
import java.util.Map;

/**
 * What grouping needs to know about one occurrence of an error.
 *
 * @param trace the parsed exception chain
 * @param tags event tags (release, environment, custom), matched by fingerprint rules
 */
public record ErrorEvent(ParsedStackTrace trace, Map<String, String> tags) {

  public ErrorEvent {
    if (trace == null) {
      throw new IllegalArgumentException("event.trace must not be null");
    }
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** Parses a stack trace as printed by Java, a JavaScript engine or Python. */
  public static ErrorEvent parse(String stackTrace, Map<String, String> tags) {
    return new ErrorEvent(StackTraceParser.parse(stackTrace), tags);
  }

  /** An event that came with a type and message but no stack (log line, SDK without frames). */
  public static ErrorEvent ofMessage(
      Platform platform, String type, String message, Map<String, String> tags) {
    return new ErrorEvent(
        new ParsedStackTrace(
            platform, List.of(new ExceptionRecord(type, message, List.of())), List.of()),
        tags);
  }
}
