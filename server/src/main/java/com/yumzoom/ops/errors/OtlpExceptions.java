package com.yumzoom.ops.errors;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * OpenTelemetry's exception semantic conventions ({@code exception.type}, {@code
 * exception.message}, {@code exception.stacktrace}) mapped to an {@link Occurrence}; shared by span
 * events and log records.
 */
final class OtlpExceptions {

  static final String TYPE = "exception.type";
  static final String MESSAGE = "exception.message";
  static final String STACKTRACE = "exception.stacktrace";

  private OtlpExceptions() {}

  /** Resource facts an occurrence needs. */
  record Resource(String service, String release, String environment, Platform platform) {

    static Resource of(List<KeyValue> attributes) {
      Map<String, String> a = strings(attributes);
      String env = a.getOrDefault("deployment.environment.name", "");
      if (env.isEmpty()) {
        env = a.getOrDefault("deployment.environment", "");
      }
      Platform platform =
          switch (a.getOrDefault("telemetry.sdk.language", "")) {
            case "python" -> Platform.PYTHON;
            case "nodejs", "webjs", "javascript" -> Platform.JAVASCRIPT;
            default -> Platform.JAVA;
          };
      return new Resource(
          a.getOrDefault("service.name", "unknown_service"),
          cut(a.getOrDefault("service.version", ""), Occurrence.MAX_TEXT),
          cut(env, Occurrence.MAX_TEXT),
          platform);
    }
  }

  static Map<String, String> strings(List<KeyValue> attributes) {
    Map<String, String> out = new HashMap<>();
    for (KeyValue kv : attributes) {
      AnyValue v = kv.getValue();
      String s =
          switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            default -> null;
          };
      if (s != null) {
        out.put(kv.getKey(), s);
      }
    }
    return out;
  }

  static boolean hasException(Map<String, String> attributes) {
    return attributes.containsKey(TYPE) || attributes.containsKey(STACKTRACE);
  }

  /**
   * The occurrence described by exception attributes.
   *
   * @param idSeed bytes that identify the event (trace, span, index), so a replay gets the same id
   */
  static Occurrence occurrence(
      Map<String, String> attributes,
      Resource resource,
      String source,
      long timestampMs,
      String traceId,
      String spanId,
      String level,
      Map<String, String> tags,
      byte[] idSeed) {
    String type = cut(attributes.getOrDefault(TYPE, ""), ExceptionRecord.MAX_TYPE);
    String message = cut(attributes.getOrDefault(MESSAGE, ""), ExceptionRecord.MAX_MESSAGE);
    String stack = attributes.getOrDefault(STACKTRACE, "");
    ErrorEvent event = null;
    if (!stack.isBlank()) {
      try {
        event = ErrorEvent.parse(stack, tags);
      } catch (IllegalArgumentException e) {
        event = null; // not a trace we can read: fall back to type and message
      }
    }
    if (event == null) {
      event =
          ErrorEvent.ofMessage(resource.platform(), type.isBlank() ? "Error" : type, message, tags);
    }
    UUID u = UUID.nameUUIDFromBytes(idSeed);
    String id =
        String.format("%016x%016x", u.getMostSignificantBits(), u.getLeastSignificantBits());
    String user = attributes.getOrDefault("enduser.id", attributes.getOrDefault("user.id", ""));
    return new Occurrence(
        id,
        timestampMs,
        source,
        event,
        level,
        traceId,
        spanId,
        resource.service(),
        cut(user, Occurrence.MAX_TEXT),
        user.isEmpty() ? "{}" : ErrorJson.MAPPER.createObjectNode().put("id", user).toString(),
        "{}",
        resource.release(),
        resource.environment());
  }

  /**
   * The id seed of an exception recorded inside a span: the same failure often arrives twice, as
   * the span's {@code exception} event and as an error log record carrying the same trace context
   * and exception attributes (the OpenTelemetry SDKs and agent do both). Seeding both from (trace,
   * span, type, message) gives them one id, so the pipeline counts the occurrence once. Without a
   * span context the {@code fallback} parts are used.
   */
  static byte[] occurrenceSeed(
      String traceId, String spanId, Map<String, String> attributes, String... fallback) {
    if (!traceId.isBlank() && !spanId.isBlank() && hasException(attributes)) {
      return seed(
          "in-span",
          traceId,
          spanId,
          attributes.getOrDefault(TYPE, ""),
          attributes.getOrDefault(MESSAGE, ""));
    }
    return seed(fallback);
  }

  static byte[] seed(String... parts) {
    return String.join("/", parts).getBytes(StandardCharsets.UTF_8);
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
