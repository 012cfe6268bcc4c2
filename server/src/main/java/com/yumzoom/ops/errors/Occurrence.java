package com.yumzoom.ops.errors;

import java.util.Map;

/**
 * One error event as it is stored: the parsed exception chain plus the context every source can
 * give (some give less). Built by the source adapters (Sentry, OTLP spans and logs, the JSON API),
 * validated here so that every source shares the same limits.
 *
 * @param id event id, 32 hex characters (Sentry's event_id form); unique per event
 * @param timestampMs when the error happened, epoch milliseconds
 * @param source which ingest path it came through ({@code sentry}, {@code otlp-span}, {@code
 *     otlp-log}, {@code api})
 * @param event the parsed exception chain and the tags grouping rules may match
 * @param level {@code fatal}, {@code error}, {@code warning}, {@code info} or {@code debug}
 * @param traceId 32 hex characters, or empty when the error is not linked to a trace
 * @param spanId 16 hex characters, or empty
 * @param service the service that reported it ({@code unknown_service} when absent)
 * @param userId who was affected (id, else username, email or ip), empty when unknown; affected
 *     users are counted over this
 * @param userJson the user object as JSON ({@code {}} when none)
 * @param requestJson the request object as JSON ({@code {}} when none)
 * @param release release (version) of the reporting application, empty when unknown
 * @param environment deployment environment, empty when unknown
 * @param clientFingerprint a fingerprint the client chose (Sentry's {@code fingerprint}), empty for
 *     the server's grouping; {@code {{ default }}} stands for the server's fingerprint
 */
public record Occurrence(
    String id,
    long timestampMs,
    String source,
    ErrorEvent event,
    String level,
    String traceId,
    String spanId,
    String service,
    String userId,
    String userJson,
    String requestJson,
    String release,
    String environment,
    java.util.List<String> clientFingerprint) {

  static final int MAX_TEXT = 256;
  static final int MAX_FINGERPRINT_PARTS = 32;

  /** An occurrence grouped by the server alone. */
  public Occurrence(
      String id,
      long timestampMs,
      String source,
      ErrorEvent event,
      String level,
      String traceId,
      String spanId,
      String service,
      String userId,
      String userJson,
      String requestJson,
      String release,
      String environment) {
    this(
        id,
        timestampMs,
        source,
        event,
        level,
        traceId,
        spanId,
        service,
        userId,
        userJson,
        requestJson,
        release,
        environment,
        java.util.List.of());
  }

  static final int MAX_JSON = 16_384;
  static final int MAX_TAGS = 64;
  static final int MAX_TAG_KEY = 64;
  static final int MAX_TAG_VALUE = 256;

  public Occurrence {
    if (id == null || !id.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("event_id: must be 32 lowercase hex characters");
    }
    if (event == null) {
      throw new IllegalArgumentException("exception: missing");
    }
    if (timestampMs <= 0) {
      throw new IllegalArgumentException("timestamp: must be positive, got " + timestampMs);
    }
    level = level == null || level.isBlank() ? "error" : level;
    if (!level.matches("fatal|error|warning|info|debug")) {
      throw new IllegalArgumentException(
          "level: must be fatal, error, warning, info or debug, got " + level);
    }
    traceId = hexOrEmpty("trace_id", traceId, 32);
    spanId = hexOrEmpty("span_id", spanId, 16);
    service = text("service", service == null || service.isBlank() ? "unknown_service" : service);
    source = text("source", source);
    userId = text("user.id", userId == null ? "" : userId);
    release = text("release", release == null ? "" : release);
    environment = text("environment", environment == null ? "" : environment);
    userJson = json("user", userJson);
    requestJson = json("request", requestJson);
    clientFingerprint = clientFingerprint == null ? java.util.List.of() : clientFingerprint;
    if (clientFingerprint.size() > MAX_FINGERPRINT_PARTS) {
      throw new IllegalArgumentException(
          "fingerprint: more than "
              + MAX_FINGERPRINT_PARTS
              + " parts (limit "
              + MAX_FINGERPRINT_PARTS
              + ")");
    }
    for (String part : clientFingerprint) {
      if (part == null || part.isEmpty() || part.length() > MAX_TEXT) {
        throw new IllegalArgumentException(
            "fingerprint: parts must be 1 to " + MAX_TEXT + " characters (limit " + MAX_TEXT + ")");
      }
    }
    clientFingerprint = java.util.List.copyOf(clientFingerprint);
    Map<String, String> tags = event.tags();
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException(
          "tags: more than " + MAX_TAGS + " tags (limit " + MAX_TAGS + ")");
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (t.getKey().isEmpty() || t.getKey().length() > MAX_TAG_KEY) {
        throw new IllegalArgumentException(
            "tags: key must be 1 to " + MAX_TAG_KEY + " characters (limit " + MAX_TAG_KEY + ")");
      }
      if (t.getValue().length() > MAX_TAG_VALUE) {
        throw new IllegalArgumentException(
            "tags."
                + t.getKey()
                + ": longer than "
                + MAX_TAG_VALUE
                + " characters (limit "
                + MAX_TAG_VALUE
                + ")");
      }
    }
  }

  private static String hexOrEmpty(String field, String value, int length) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    String v = value.toLowerCase(java.util.Locale.ROOT).replace("-", "");
    if (v.length() != length || !v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException(
          field + ": must be " + length + " hex characters, got '" + cut(value) + "'");
    }
    return v.chars().allMatch(c -> c == '0') ? "" : v;
  }

  private static String text(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + ": missing");
    }
    if (value.length() > MAX_TEXT) {
      throw new IllegalArgumentException(
          field + ": longer than " + MAX_TEXT + " characters (limit " + MAX_TEXT + ")");
    }
    return value;
  }

  private static String json(String field, String value) {
    if (value == null || value.isEmpty()) {
      return "{}";
    }
    if (value.length() > MAX_JSON) {
      throw new IllegalArgumentException(
          field + ": longer than " + MAX_JSON + " characters as JSON (limit " + MAX_JSON + ")");
    }
    return value;
  }

  private static String cut(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  /** A fresh random event id. */
  public static String newId() {
    java.util.UUID u = java.util.UUID.randomUUID();
    return String.format("%016x%016x", u.getMostSignificantBits(), u.getLeastSignificantBits());
  }
}
