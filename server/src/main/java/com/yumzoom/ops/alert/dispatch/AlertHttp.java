package com.yumzoom.ops.alert.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP plumbing shared by the alerting APIs: handlers run off the event loop (they touch DuckDB),
 * at most {@code maxInFlight} at once (503 with Retry-After past that), bodies are bounded (413),
 * and errors use the project's shape {@code {"error": "...", "message": "..."}}.
 */
public final class AlertHttp {

  private static final Logger LOG = LoggerFactory.getLogger(AlertHttp.class);
  public static final ObjectMapper JSON = new ObjectMapper();

  /** Largest body of an alerting API request (a rule group, a silence, a batch of alerts). */
  public static final int MAX_BODY_BYTES = 1 << 20;

  /** A request handler that may block; throws {@link HttpError} to answer an error. */
  @FunctionalInterface
  public interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req) throws Exception;
  }

  /** An error answer: status, error code and message (the message names the field). */
  public static final class HttpError extends RuntimeException {
    final HttpStatus status;
    final String error;

    public HttpError(int status, String error, String message) {
      super(message, null, false, false);
      this.status = HttpStatus.valueOf(status);
      this.error = error;
    }

    public static HttpError badRequest(String message) {
      return new HttpError(400, "bad_request", message);
    }
  }

  private final Semaphore inFlight;
  private final int maxInFlight;

  public AlertHttp(int maxInFlight) {
    this.inFlight = new Semaphore(maxInFlight);
    this.maxInFlight = maxInFlight;
  }

  public HttpService service(Handler handler) {
    return (ctx, req) -> {
      if (!inFlight.tryAcquire()) {
        return error(
                HttpStatus.SERVICE_UNAVAILABLE,
                "overloaded",
                "too many alerting API requests in progress (limit " + maxInFlight + ")")
            .mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.RETRY_AFTER, "1").build());
      }
      CompletableFuture<HttpResponse> out = new CompletableFuture<>();
      req.aggregate()
          .handle(
              (agg, failure) -> {
                if (failure != null) {
                  inFlight.release();
                  out.complete(
                      error(HttpStatus.BAD_REQUEST, "bad_request", "cannot read body: " + failure));
                  return null;
                }
                try {
                  ctx.blockingTaskExecutor()
                      .execute(
                          () -> {
                            try {
                              out.complete(run(handler, ctx, agg));
                            } finally {
                              inFlight.release();
                            }
                          });
                } catch (RejectedExecutionException e) {
                  inFlight.release();
                  out.complete(
                      error(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "retry shortly"));
                }
                return null;
              });
      return HttpResponse.of(out);
    };
  }

  private static HttpResponse run(
      Handler handler, ServiceRequestContext ctx, AggregatedHttpRequest req) {
    if (req.content().length() > MAX_BODY_BYTES) {
      return error(
          HttpStatus.REQUEST_ENTITY_TOO_LARGE,
          "too_large",
          "body: larger than " + MAX_BODY_BYTES + " bytes (limit " + MAX_BODY_BYTES + ")");
    }
    try {
      return handler.handle(ctx, req);
    } catch (HttpError e) {
      return error(e.status, e.error, e.getMessage());
    } catch (Exception e) {
      LOG.warn("alerting API {} {} failed", req.method(), ctx.path(), e);
      return error(
          HttpStatus.INTERNAL_SERVER_ERROR,
          "internal",
          "request failed: " + e.getClass().getSimpleName());
    }
  }

  public static HttpResponse json(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static HttpResponse ok(JsonNode body) {
    return json(HttpStatus.OK, body);
  }

  public static HttpResponse error(HttpStatus status, String error, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("error", error);
    o.put("message", message);
    return json(status, o);
  }

  /** Prometheus' envelope {@code {"status": "success", "data": ...}}. */
  public static HttpResponse prometheusSuccess(JsonNode data) {
    ObjectNode o = JSON.createObjectNode();
    o.put("status", "success");
    o.set("data", data);
    return ok(o);
  }
}
