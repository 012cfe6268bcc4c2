package com.yumzoom.ops.query;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs query handlers off the event loop, on virtual threads, because store calls block (JDBC).
 *
 * <p>The number of queries in progress is bounded: past {@code maxInFlight} a request is answered
 * 503 with Retry-After at once instead of queueing without limit, so a burst of expensive searches
 * cannot exhaust memory or starve ingest of database connections. A handler's {@link
 * BadRequestException} becomes a 400 with the project's JSON error; any other exception a 500 that
 * is logged, never a dead worker.
 */
final class BlockingRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(BlockingRoutes.class);

  @FunctionalInterface
  interface Handler {
    HttpResponse handle(ServiceRequestContext ctx) throws Exception;
  }

  private final Semaphore inFlight;
  private final int maxInFlight;
  private final Executor executor;

  BlockingRoutes(int maxInFlight, Executor executor) {
    this.inFlight = new Semaphore(maxInFlight);
    this.maxInFlight = maxInFlight;
    this.executor = executor;
  }

  HttpService service(Handler handler) {
    return (ctx, req) -> {
      if (!inFlight.tryAcquire()) {
        return overloaded();
      }
      CompletableFuture<HttpResponse> response = new CompletableFuture<>();
      try {
        executor.execute(
            () -> {
              try {
                response.complete(run(handler, ctx));
              } finally {
                inFlight.release();
              }
            });
      } catch (RejectedExecutionException e) {
        inFlight.release();
        return overloaded();
      }
      return HttpResponse.of(response);
    };
  }

  static HttpResponse run(Handler handler, ServiceRequestContext ctx) {
    try {
      return handler.handle(ctx);
    } catch (BadRequestException e) {
      return JsonResponses.badRequest(e.getMessage());
    } catch (Exception e) {
      LOG.warn("query {} failed", ctx.path(), e);
      return JsonResponses.error(
          HttpStatus.INTERNAL_SERVER_ERROR,
          "internal",
          "the query failed: " + e.getClass().getSimpleName());
    }
  }

  private HttpResponse overloaded() {
    HttpResponse body =
        JsonResponses.error(
            HttpStatus.SERVICE_UNAVAILABLE,
            "overloaded",
            "too many queries in progress (at most " + maxInFlight + "); retry shortly");
    return body.mapHeaders(
        headers -> headers.toBuilder().set(HttpHeaderNames.RETRY_AFTER, "1").build());
  }
}
