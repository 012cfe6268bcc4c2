package com.yumzoom.ops.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sentry's ingestion protocol, read for behaviour from Sentry's developer documentation: envelopes
 * ({@code POST /api/{project}/envelope/}: a JSON header line, then items, each a JSON header line
 * and a payload of {@code length} bytes or up to the next newline) and the older store endpoint
 * ({@code POST /api/{project}/store/}: one event as JSON). Only {@code event} items become
 * occurrences; sessions, transactions, client reports and attachments are accepted and ignored.
 *
 * <p>Mapping. {@code exception.values} are oldest (root cause) first in Sentry and frames are
 * caller first; our chain is outermost first and frames innermost first, so both are reversed. A
 * Java exception's {@code module} (package) is joined with its {@code type} to the qualified name
 * our grouping and categories use. The SDK's {@code in_app} flags are kept for display, but
 * grouping applies the server's in-app rules, so the same fault reported through OpenTelemetry and
 * through Sentry lands in the same issue.
 */
final class SentryProtocol {

  static final int MAX_ITEMS = 100;

  private SentryProtocol() {}

  /** The Sentry key of a request: X-Sentry-Auth, then the query, then the envelope's DSN. */
  static String key(String authHeader, String queryKey) {
    if (authHeader != null) {
      for (String part : authHeader.replaceFirst("^\\s*Sentry\\s+", "").split(",")) {
        String p = part.trim();
        if (p.startsWith("sentry_key=")) {
          return p.substring("sentry_key=".length()).trim();
        }
      }
    }
    return queryKey;
  }

  /** The key in a DSN ({@code https://KEY@host/1}), or null. */
  static String keyOfDsn(String dsn) {
    int scheme = dsn.indexOf("://");
    int at = dsn.indexOf('@');
    if (scheme < 0 || at < scheme) {
      return null;
    }
    String user = dsn.substring(scheme + 3, at);
    int colon = user.indexOf(':');
    return colon >= 0 ? user.substring(0, colon) : user;
  }

  /** What an envelope holds for us. */
  record Envelope(String dsnKey, List<JsonNode> events, String firstEventId) {}

  static Envelope parseEnvelope(byte[] body) {
    int pos = 0;
    int eol = lineEnd(body, pos);
    JsonNode header = json(body, pos, eol, "envelope header");
    pos = eol + 1;
    String dsnKey = header.hasNonNull("dsn") ? keyOfDsn(header.get("dsn").asText()) : null;
    List<JsonNode> events = new ArrayList<>();
    int items = 0;
    while (pos < body.length) {
      if (body[pos] == '\n') {
        pos++;
        continue;
      }
      if (++items > MAX_ITEMS) {
        throw new IllegalArgumentException(
            "envelope: more than " + MAX_ITEMS + " items (limit " + MAX_ITEMS + ")");
      }
      eol = lineEnd(body, pos);
      JsonNode itemHeader = json(body, pos, eol, "envelope item " + items + " header");
      pos = eol + 1;
      int end;
      if (itemHeader.hasNonNull("length")) {
        long length = itemHeader.get("length").asLong(-1);
        if (length < 0 || pos + length > body.length) {
          throw new IllegalArgumentException(
              "envelope item " + items + ": length " + length + " runs past the body");
        }
        end = (int) (pos + length);
      } else {
        end = lineEnd(body, pos);
      }
      String type = itemHeader.path("type").asText("");
      if (type.equals("event")) {
        events.add(json(body, pos, end, "envelope item " + items + " (event)"));
      }
      pos = end + 1;
    }
    String id =
        header.hasNonNull("event_id")
            ? header.get("event_id").asText()
            : events.isEmpty() ? null : events.getFirst().path("event_id").asText(null);
    return new Envelope(dsnKey, events, id);
  }

  private static int lineEnd(byte[] body, int from) {
    for (int i = from; i < body.length; i++) {
      if (body[i] == '\n') {
        return i;
      }
    }
    return body.length;
  }

  private static JsonNode json(byte[] body, int from, int to, String what) {
    if (from >= to) {
      throw new IllegalArgumentException(what + ": empty");
    }
    try {
      JsonNode n =
          ErrorJson.MAPPER.readTree(new String(body, from, to - from, StandardCharsets.UTF_8));
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException(what + ": must be a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  static JsonNode parseStore(byte[] body) {
    return json(body, 0, body.length, "event");
  }

  /**
   * Maps one Sentry event.
   *
   * @throws IllegalArgumentException naming the field and the limit
   */
  static Occurrence occurrence(JsonNode e, String project, long nowMs) {
    Platform platform =
        switch (e.path("platform").asText("").toLowerCase(Locale.ROOT)) {
          case "python" -> Platform.PYTHON;
          case "javascript", "node" -> Platform.JAVASCRIPT;
          default -> Platform.JAVA;
        };
    Map<String, String> tags = new LinkedHashMap<>();
    JsonNode t = e.path("tags");
    if (t.isObject()) {
      t.properties().forEach(p -> tags.put(p.getKey(), text(p.getValue())));
    } else if (t.isArray()) {
      for (JsonNode pair : t) {
        if (pair.isArray() && pair.size() == 2) {
          tags.put(pair.get(0).asText(), text(pair.get(1)));
        }
      }
    }
    if (tags.size() > Occurrence.MAX_TAGS) {
      throw new IllegalArgumentException(
          "tags: more than " + Occurrence.MAX_TAGS + " tags (limit " + Occurrence.MAX_TAGS + ")");
    }
    tags.put("project", project);
    if (e.hasNonNull("transaction")) {
      tags.putIfAbsent("transaction", cut(e.get("transaction").asText(), Occurrence.MAX_TAG_VALUE));
    }
    List<ExceptionRecord> chain = new ArrayList<>();
    JsonNode values = e.path("exception");
    values = values.isArray() ? values : values.path("values");
    if (values.size() > 32) {
      throw new IllegalArgumentException("exception.values: more than 32 exceptions (limit 32)");
    }
    for (int i = values.size() - 1; i >= 0; i--) {
      chain.add(exception(values.get(i), platform, i));
    }
    if (chain.isEmpty()) {
      JsonNode m = e.path("message");
      String message =
          m.isObject() ? m.path("formatted").asText(m.path("message").asText("")) : m.asText("");
      if (message.isEmpty()) {
        message =
            e.path("logentry")
                .path("formatted")
                .asText(e.path("logentry").path("message").asText(""));
      }
      if (message.isEmpty()) {
        throw new IllegalArgumentException("exception.values: missing (and no message)");
      }
      String type = e.path("logger").asText("");
      chain.add(
          new ExceptionRecord(
              type.isEmpty() ? "Message" : cut(type, ExceptionRecord.MAX_TYPE),
              cut(message, ExceptionRecord.MAX_MESSAGE),
              List.of()));
    }
    ErrorEvent event = new ErrorEvent(new ParsedStackTrace(platform, chain, List.of()), tags);
    JsonNode user = e.path("user");
    String userId = "";
    for (String f : List.of("id", "username", "email", "ip_address")) {
      if (userId.isEmpty() && user.hasNonNull(f)) {
        userId = cut(user.get(f).asText(), Occurrence.MAX_TEXT);
      }
    }
    JsonNode trace = e.path("contexts").path("trace");
    String id = e.path("event_id").asText("");
    id = id.isEmpty() ? Occurrence.newId() : id.replace("-", "").toLowerCase(Locale.ROOT);
    return new Occurrence(
        id,
        timestamp(e.get("timestamp"), nowMs),
        "sentry",
        event,
        level(e.path("level").asText("error")),
        trace.path("trace_id").asText(""),
        trace.path("span_id").asText(""),
        service(e),
        userId,
        user.isObject() ? user.toString() : "{}",
        request(e.path("request")),
        e.path("release").asText(""),
        e.path("environment").asText(""),
        fingerprint(e.path("fingerprint")));
  }

  /** Sentry's client-side fingerprint: an array of strings (numbers allowed), else none. */
  static List<String> fingerprint(JsonNode f) {
    if (!f.isArray() || f.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (JsonNode part : f) {
      out.add(part.isValueNode() ? part.asText() : part.toString());
    }
    return out;
  }

  /** Sentry's levels; anything else (older SDKs send {@code log}, {@code critical}) maps over. */
  static String level(String level) {
    return switch (level.toLowerCase(Locale.ROOT)) {
      case "fatal", "critical" -> "fatal";
      case "warning", "warn" -> "warning";
      case "info", "log" -> "info";
      case "debug" -> "debug";
      default -> "error";
    };
  }

  private static String service(JsonNode e) {
    String s = e.path("tags").path("service").asText("");
    if (s.isEmpty()) {
      s = e.path("contexts").path("app").path("app_name").asText("");
    }
    if (s.isEmpty()) {
      s = e.path("server_name").asText("");
    }
    return cut(s, Occurrence.MAX_TEXT);
  }

  private static String request(JsonNode r) {
    if (!r.isObject()) {
      return "{}";
    }
    ObjectNode out = ErrorJson.MAPPER.createObjectNode();
    for (String f : List.of("method", "url", "query_string")) {
      if (r.hasNonNull(f)) {
        out.put(f, cut(text(r.get(f)), 2048));
      }
    }
    return out.toString();
  }

  private static ExceptionRecord exception(JsonNode x, Platform platform, int index) {
    String field = "exception.values[" + index + "]";
    String type = x.path("type").asText("");
    String module = x.path("module").asText("");
    if (!module.isEmpty() && !module.equals("builtins") && !type.contains(".")) {
      type = module + "." + type;
    }
    if (type.isEmpty()) {
      type = "Error";
    }
    if (type.length() > ExceptionRecord.MAX_TYPE) {
      throw new IllegalArgumentException(
          field
              + ".type: longer than "
              + ExceptionRecord.MAX_TYPE
              + " characters (limit "
              + ExceptionRecord.MAX_TYPE
              + ")");
    }
    String value = x.path("value").asText("");
    if (value.length() > ExceptionRecord.MAX_MESSAGE) {
      throw new IllegalArgumentException(
          field
              + ".value: longer than "
              + ExceptionRecord.MAX_MESSAGE
              + " characters (limit "
              + ExceptionRecord.MAX_MESSAGE
              + ")");
    }
    JsonNode frames = x.path("stacktrace").path("frames");
    if (frames.size() > ExceptionRecord.MAX_FRAMES) {
      throw new IllegalArgumentException(
          field
              + ".stacktrace.frames: more than "
              + ExceptionRecord.MAX_FRAMES
              + " frames (limit "
              + ExceptionRecord.MAX_FRAMES
              + ")");
    }
    List<StackFrame> out = new ArrayList<>(frames.size());
    for (int i = frames.size() - 1; i >= 0; i--) {
      JsonNode f = frames.get(i);
      String file = f.path("filename").asText("");
      String path = f.path("abs_path").asText(file);
      String frameModule =
          platform == Platform.JAVA
              ? f.path("module").asText("")
              : path.isEmpty() ? f.path("module").asText("") : path;
      try {
        out.add(
            new StackFrame(
                frameModule,
                f.path("function").asText(""),
                file,
                Math.max(0, f.path("lineno").asInt(0)),
                Math.max(0, f.path("colno").asInt(0))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            field
                + ".stacktrace.frames["
                + i
                + "]: "
                + e.getMessage()
                + " (limit "
                + StackFrame.MAX_TEXT
                + ")");
      }
    }
    return new ExceptionRecord(type, value, out);
  }

  /** RFC 3339 text or seconds since the epoch (a float); missing means now. */
  static long timestamp(JsonNode t, long nowMs) {
    if (t == null || t.isNull()) {
      return nowMs;
    }
    if (t.isNumber()) {
      return Math.max(1, (long) (t.asDouble() * 1000));
    }
    String s = t.asText();
    try {
      return Instant.parse(s.endsWith("Z") || s.matches(".*[+-]\\d\\d:\\d\\d$") ? s : s + "Z")
          .toEpochMilli();
    } catch (DateTimeParseException ex) {
      throw new IllegalArgumentException("timestamp: not RFC 3339 or epoch seconds: " + cut(s, 40));
    }
  }

  private static String text(JsonNode n) {
    return cut(n.isTextual() ? n.asText() : n.toString(), Occurrence.MAX_TAG_VALUE);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
