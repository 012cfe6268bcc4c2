package com.yumzoom.ops.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The direct JSON API, {@code POST /api/errors/events}: one event object, or {@code {"events":
 * [...]}} with up to {@value #MAX_EVENTS}. An event carries either a printed stack trace ({@code
 * exception.stacktrace}, parsed like any other source) or structured frames ({@code
 * exception.frames}, innermost first), plus optional context. Errors name the field path and the
 * limit.
 */
final class ApiEvents {

  static final int MAX_EVENTS = 100;

  private ApiEvents() {}

  static List<Occurrence> parse(byte[] body, long nowMs) {
    JsonNode root;
    try {
      root = ErrorJson.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("body: not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("body: unreadable: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("body: must be a JSON object");
    }
    List<Occurrence> out = new ArrayList<>();
    if (root.has("events")) {
      JsonNode events = root.get("events");
      if (!events.isArray() || events.isEmpty()) {
        throw new IllegalArgumentException("events: must be a non-empty array");
      }
      if (events.size() > MAX_EVENTS) {
        throw new IllegalArgumentException(
            "events: more than " + MAX_EVENTS + " events (limit " + MAX_EVENTS + ")");
      }
      for (int i = 0; i < events.size(); i++) {
        out.add(event(events.get(i), "events[" + i + "].", nowMs));
      }
    } else {
      out.add(event(root, "", nowMs));
    }
    return out;
  }

  private static Occurrence event(JsonNode e, String at, long nowMs) {
    try {
      return eventUnprefixed(e, nowMs);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(at + ex.getMessage());
    }
  }

  private static Occurrence eventUnprefixed(JsonNode e, long nowMs) {
    if (!e.isObject()) {
      throw new IllegalArgumentException("event: must be a JSON object");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode t = e.path("tags");
    if (!t.isMissingNode() && !t.isObject()) {
      throw new IllegalArgumentException("tags: must be an object of strings");
    }
    if (t.size() > Occurrence.MAX_TAGS) {
      throw new IllegalArgumentException(
          "tags: more than " + Occurrence.MAX_TAGS + " tags (limit " + Occurrence.MAX_TAGS + ")");
    }
    t.properties().forEach(p -> tags.put(p.getKey(), p.getValue().asText()));
    JsonNode x = e.path("exception");
    if (!x.isObject()) {
      throw new IllegalArgumentException(
          "exception: missing (an object with type and message, and stacktrace or frames)");
    }
    Platform platform = platform(e.path("platform").asText(""));
    String stack = x.path("stacktrace").asText("");
    ErrorEvent event;
    if (!stack.isBlank()) {
      if (stack.length() > 256 * 1024) {
        throw new IllegalArgumentException(
            "exception.stacktrace: longer than 262144 characters (limit 262144)");
      }
      try {
        event = ErrorEvent.parse(stack, tags);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("exception.stacktrace: " + ex.getMessage());
      }
    } else {
      String type = x.path("type").asText("");
      if (type.isBlank()) {
        throw new IllegalArgumentException("exception.type: missing");
      }
      String message = x.path("message").asText("");
      max("exception.type", type, ExceptionRecord.MAX_TYPE);
      max("exception.message", message, ExceptionRecord.MAX_MESSAGE);
      JsonNode frames = x.path("frames");
      if (frames.size() > ExceptionRecord.MAX_FRAMES) {
        throw new IllegalArgumentException(
            "exception.frames: more than "
                + ExceptionRecord.MAX_FRAMES
                + " frames (limit "
                + ExceptionRecord.MAX_FRAMES
                + ")");
      }
      List<StackFrame> out = new ArrayList<>();
      for (int i = 0; i < frames.size(); i++) {
        JsonNode f = frames.get(i);
        String path = "exception.frames[" + i + "].";
        String module = f.path("module").asText("");
        String function = f.path("function").asText("");
        String file = f.path("file").asText("");
        max(path + "module", module, StackFrame.MAX_TEXT);
        max(path + "function", function, StackFrame.MAX_TEXT);
        max(path + "file", file, StackFrame.MAX_TEXT);
        int line = f.path("line").asInt(0);
        int column = f.path("column").asInt(0);
        if (line < 0 || column < 0) {
          throw new IllegalArgumentException(path + "line: must not be negative");
        }
        out.add(new StackFrame(module, function, file, line, column));
      }
      event =
          new ErrorEvent(
              new ParsedStackTrace(
                  platform, List.of(new ExceptionRecord(type, message, out)), List.of()),
              tags);
    }
    JsonNode user = e.path("user");
    String userId = user.path("id").asText(user.path("email").asText(""));
    String eventId = e.path("eventId").asText("");
    return new Occurrence(
        eventId.isEmpty() ? Occurrence.newId() : eventId.replace("-", "").toLowerCase(Locale.ROOT),
        e.hasNonNull("timestamp") ? timestamp(e.get("timestamp"), nowMs) : nowMs,
        "api",
        event,
        e.path("level").asText("error"),
        e.path("traceId").asText(""),
        e.path("spanId").asText(""),
        e.path("service").asText(""),
        userId,
        user.isObject() ? user.toString() : "{}",
        e.path("request").isObject() ? e.get("request").toString() : "{}",
        e.path("release").asText(""),
        e.path("environment").asText(""),
        SentryProtocol.fingerprint(e.path("fingerprint")));
  }

  private static void max(String field, String value, int limit) {
    if (value.length() > limit) {
      throw new IllegalArgumentException(
          field + ": longer than " + limit + " characters (limit " + limit + ")");
    }
  }

  private static long timestamp(JsonNode t, long nowMs) {
    if (t.isNumber()) {
      return t.asLong();
    }
    try {
      return java.time.Instant.parse(t.asText()).toEpochMilli();
    } catch (java.time.format.DateTimeParseException ex) {
      throw new IllegalArgumentException("timestamp: must be RFC 3339 or epoch milliseconds");
    }
  }

  static Platform platform(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "python" -> Platform.PYTHON;
      case "javascript", "node", "nodejs" -> Platform.JAVASCRIPT;
      default -> Platform.JAVA;
    };
  }
}
