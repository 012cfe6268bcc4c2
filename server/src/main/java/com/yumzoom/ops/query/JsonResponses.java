package com.yumzoom.ops.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;

/** JSON bodies and the project's error shape {@code {"error": "...", "message": "..."}}. */
final class JsonResponses {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonResponses() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
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
    ObjectNode body = object();
    body.put("error", error);
    body.put("message", message);
    return of(status, body);
  }

  static HttpResponse badRequest(String message) {
    return error(HttpStatus.BAD_REQUEST, "bad_request", message);
  }

  static HttpResponse notFound(String message) {
    return error(HttpStatus.NOT_FOUND, "not_found", message);
  }
}
