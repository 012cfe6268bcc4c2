package com.yumzoom.ops.ingest.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.ingest.Bodies;
import com.yumzoom.ops.ingest.BodyTooLargeException;
import com.yumzoom.ops.otlp.OtlpJson;
import com.yumzoom.ops.pipeline.OverloadedException;
import io.grpc.Status;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP {@code POST /v1/metrics}, protobuf or JSON, identity or gzip. The body is received on
 * the event loop under our limit and decoded, translated and stored on the blocking executor. A
 * semaphore bounds the requests being received or decoded at once; past it: 429 before the body is
 * read. Errors are a {@code google.rpc.Status} (protobuf requests) or JSON with {@code error},
 * {@code message} and the Status {@code code} (JSON and unknown requests).
 */
final class MetricsHttpService implements HttpService {

  private static final Logger log = LoggerFactory.getLogger(MetricsHttpService.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final MetricsIngest ingest;
  private final Semaphore permits;
  private final long maxBodyBytes;

  MetricsHttpService(MetricsIngest ingest, Semaphore permits, long maxBodyBytes) {
    this.ingest = ingest;
    this.permits = permits;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    RequestHeaders headers = req.headers();
    MediaType type = headers.contentType();
    Boolean json = type == null ? null : isJson(type);
    if (json == null) {
      return error(
          true,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported_media_type",
          Status.Code.INVALID_ARGUMENT,
          "Content-Type must be application/x-protobuf or application/json, got "
              + (type == null ? "none" : type));
    }
    if (!Bodies.supportedEncoding(headers)) {
      return error(
          json,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "unsupported_media_type",
          Status.Code.INVALID_ARGUMENT,
          "Content-Encoding must be gzip or identity, got "
              + headers.get(HttpHeaderNames.CONTENT_ENCODING));
    }
    if (headers.contentLength() > maxBodyBytes) {
      return tooLarge(json);
    }
    if (!permits.tryAcquire()) {
      return error(
          json,
          HttpStatus.TOO_MANY_REQUESTS,
          "overloaded",
          Status.Code.UNAVAILABLE,
          "too many requests are being decoded; retry later");
    }
    boolean[] released = {false};
    Runnable release =
        () -> {
          synchronized (released) {
            if (!released[0]) {
              released[0] = true;
              permits.release();
            }
          }
        };
    ctx.log().whenComplete().thenRun(release);
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    Bodies.collect(req, maxBodyBytes, ctx.eventLoop())
        .handle(
            (raw, failure) -> {
              if (failure != null) {
                release.run();
                response.complete(failure(unwrap(failure), json));
                return null;
              }
              try {
                ctx.blockingTaskExecutor()
                    .execute(
                        () -> {
                          try {
                            response.complete(handle(headers, raw, json));
                          } catch (Throwable t) {
                            response.complete(failure(t, json));
                          } finally {
                            release.run();
                          }
                        });
              } catch (RejectedExecutionException e) {
                release.run();
                response.complete(
                    error(
                        json,
                        HttpStatus.TOO_MANY_REQUESTS,
                        "overloaded",
                        Status.Code.UNAVAILABLE,
                        "no thread free to decode; retry later"));
              }
              return null;
            });
    return HttpResponse.of(response);
  }

  private HttpResponse handle(RequestHeaders headers, byte[] raw, boolean json) throws Exception {
    byte[] body = Bodies.read(headers, raw, maxBodyBytes);
    ExportMetricsServiceRequest request =
        json
            ? OtlpJson.parse(body, ExportMetricsServiceRequest.newBuilder()).build()
            : ExportMetricsServiceRequest.parseFrom(body);
    ExportMetricsServiceResponse result = ingest.export(request);
    if (json) {
      return HttpResponse.of(
          HttpStatus.OK,
          MediaType.JSON_UTF_8,
          OtlpJson.print(result).getBytes(StandardCharsets.UTF_8));
    }
    return HttpResponse.of(
        ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE, MediaType.X_PROTOBUF),
        HttpData.wrap(result.toByteArray()));
  }

  private HttpResponse failure(Throwable e, boolean json) {
    if (e instanceof BodyTooLargeException || e instanceof ContentTooLargeException) {
      return tooLarge(json);
    }
    if (e instanceof InvalidProtocolBufferException) {
      return error(
          json,
          HttpStatus.BAD_REQUEST,
          "invalid_request",
          Status.Code.INVALID_ARGUMENT,
          "body is not a valid ExportMetricsServiceRequest: " + e.getMessage());
    }
    if (e instanceof ZipException || e instanceof EOFException) {
      return error(
          json,
          HttpStatus.BAD_REQUEST,
          "invalid_request",
          Status.Code.INVALID_ARGUMENT,
          "body is not valid gzip: " + e.getMessage());
    }
    if (e instanceof IllegalArgumentException || e instanceof StackOverflowError) {
      return error(
          json,
          HttpStatus.BAD_REQUEST,
          "invalid_request",
          Status.Code.INVALID_ARGUMENT,
          e instanceof StackOverflowError ? "body is nested too deeply" : e.getMessage());
    }
    if (e instanceof OverloadedException o) {
      HttpResponse busy =
          error(
              json,
              HttpStatus.TOO_MANY_REQUESTS,
              "overloaded",
              Status.Code.UNAVAILABLE,
              o.getMessage());
      return busy.mapHeaders(
          h ->
              h.toBuilder()
                  .setLong(HttpHeaderNames.RETRY_AFTER, Math.max(1, o.retryAfter().toSeconds()))
                  .build());
    }
    log.warn("Cannot ingest an OTLP metrics request", e);
    return error(
        json,
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal_error",
        Status.Code.INTERNAL,
        "cannot ingest the request: " + e);
  }

  private HttpResponse tooLarge(boolean json) {
    return error(
        json,
        HttpStatus.REQUEST_ENTITY_TOO_LARGE,
        "body_too_large",
        Status.Code.RESOURCE_EXHAUSTED,
        new BodyTooLargeException(maxBodyBytes).getMessage());
  }

  /** True for JSON, false for protobuf, null for anything else. */
  private static Boolean isJson(MediaType type) {
    if (type.is(MediaType.JSON)) {
      return true;
    }
    if (type.is(MediaType.X_PROTOBUF) || type.is(MediaType.PROTOBUF)) {
      return false;
    }
    return null;
  }

  static HttpResponse error(
      boolean json, HttpStatus status, String code, Status.Code grpcCode, String message) {
    if (!json) {
      byte[] body =
          com.google.rpc.Status.newBuilder()
              .setCode(grpcCode.value())
              .setMessage(message)
              .build()
              .toByteArray();
      return HttpResponse.of(
          ResponseHeaders.of(status, HttpHeaderNames.CONTENT_TYPE, MediaType.X_PROTOBUF),
          HttpData.wrap(body));
    }
    ObjectNode node = MAPPER.createObjectNode();
    node.put("error", code);
    node.put("message", message);
    node.put("code", grpcCode.value());
    return HttpResponse.of(status, MediaType.JSON_UTF_8, node.toString());
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
