package com.yumzoom.ops.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import java.util.Map;

/** JSON shapes of the errors API and the project's error body. */
final class ErrorJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private ErrorJson() {}

  /** A stack trace as stored and served: chain outermost first, frames innermost first. */
  static String trace(ParsedStackTrace t, InAppRules inApp) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("platform", t.platform().name().toLowerCase(java.util.Locale.ROOT));
    ArrayNode chain = root.putArray("chain");
    for (ExceptionRecord e : t.chain()) {
      ObjectNode ex = chain.addObject();
      ex.put("type", e.type());
      ex.put("message", e.message());
      ArrayNode frames = ex.putArray("frames");
      for (StackFrame f : e.frames()) {
        ObjectNode fr = frames.addObject();
        fr.put("module", f.module());
        fr.put("function", f.function());
        fr.put("file", f.file());
        fr.put("line", f.line());
        if (f.column() > 0) {
          fr.put("column", f.column());
        }
        fr.put("inApp", inApp.isInApp(f));
      }
    }
    return root.toString();
  }

  static String tags(Map<String, String> tags) {
    ObjectNode n = MAPPER.createObjectNode();
    new java.util.TreeMap<>(tags).forEach(n::put);
    return n.toString();
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return MAPPER.createObjectNode();
    }
  }

  static HttpResponse ok(JsonNode body) {
    return of(HttpStatus.OK, body);
  }

  static HttpResponse of(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static HttpResponse error(HttpStatus status, String error, String message) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("error", error);
    body.put("message", message);
    return of(status, body);
  }

  static HttpResponse badRequest(String message) {
    return error(HttpStatus.BAD_REQUEST, "bad_request", message);
  }

  static HttpResponse overloaded(String message, long retryAfterSeconds) {
    return error(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", message)
        .mapHeaders(
            h ->
                h.toBuilder()
                    .set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, retryAfterSeconds)))
                    .build());
  }
}
