package com.yumzoom.ops.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import java.time.Duration;

/**
 * Error responses. OTLP/HTTP wants a {@code google.rpc.Status} for errors: protobuf-encoded for
 * protobuf requests, JSON-encoded for JSON requests. Our API convention is {@code
 * {"error":"<code>","message":"..."}}. A JSON body can be both at once ({@code error}, {@code
 * message} and the Status {@code code}), so OTLP/JSON requests get that; protobuf requests get the
 * Status protobuf, whose {@code message} is the same text; everything else (Zipkin, unknown content
 * types) gets our JSON.
 */
final class Responses {

  /** How to encode an error body. */
  enum ErrorFormat {
    /** {@code google.rpc.Status} as protobuf. */
    STATUS_PROTOBUF,
    /** Our JSON error with the {@code google.rpc.Status} code added. */
    STATUS_JSON,
    /** Our JSON error. */
    JSON
  }

  /** An error kind: HTTP status, our error code, and the matching gRPC status code. */
  enum Failure {
    INVALID(HttpStatus.BAD_REQUEST, "invalid_request", io.grpc.Status.Code.INVALID_ARGUMENT),
    TOO_LARGE(
        HttpStatus.REQUEST_ENTITY_TOO_LARGE,
        "body_too_large",
        io.grpc.Status.Code.RESOURCE_EXHAUSTED),
    UNSUPPORTED_MEDIA_TYPE(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        io.grpc.Status.Code.INVALID_ARGUMENT),
    OVERLOADED(HttpStatus.TOO_MANY_REQUESTS, "overloaded", io.grpc.Status.Code.UNAVAILABLE),
    STORAGE_UNAVAILABLE(
        HttpStatus.SERVICE_UNAVAILABLE, "storage_unavailable", io.grpc.Status.Code.UNAVAILABLE),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", io.grpc.Status.Code.INTERNAL);

    final HttpStatus httpStatus;
    final String code;
    final io.grpc.Status.Code grpcCode;

    Failure(HttpStatus httpStatus, String code, io.grpc.Status.Code grpcCode) {
      this.httpStatus = httpStatus;
      this.code = code;
      this.grpcCode = grpcCode;
    }
  }

  static final MediaType X_PROTOBUF = MediaType.X_PROTOBUF;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Responses() {}

  static HttpResponse error(
      ErrorFormat format, Failure failure, String message, Duration retryAfter) {
    ResponseHeadersBuilder headers = ResponseHeaders.builder(failure.httpStatus);
    if (retryAfter != null) {
      headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds(retryAfter)));
    }
    if (format == ErrorFormat.STATUS_PROTOBUF) {
      byte[] body =
          com.google.rpc.Status.newBuilder()
              .setCode(failure.grpcCode.value())
              .setMessage(message)
              .build()
              .toByteArray();
      return HttpResponse.of(headers.contentType(X_PROTOBUF).build(), httpData(body));
    }
    ObjectNode json = MAPPER.createObjectNode();
    json.put("error", failure.code);
    json.put("message", message);
    if (format == ErrorFormat.STATUS_JSON) {
      json.put("code", failure.grpcCode.value());
    }
    try {
      return HttpResponse.of(
          headers.contentType(MediaType.JSON_UTF_8).build(),
          httpData(MAPPER.writeValueAsBytes(json)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error body", e);
    }
  }

  /** Whole seconds, rounded up, at least 1: Retry-After has no fractions and 0 invites a storm. */
  static long retryAfterSeconds(Duration retryAfter) {
    long millis = Math.max(0, retryAfter.toMillis());
    return Math.max(1, (millis + 999) / 1000);
  }

  private static com.linecorp.armeria.common.HttpData httpData(byte[] bytes) {
    return com.linecorp.armeria.common.HttpData.wrap(bytes);
  }
}
