package com.yumzoom.ops.marketplace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.marketplace.Faults.Fault;
import com.yumzoom.ops.marketplace.Marketplace.Placed;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketplace's JSON API. Handlers run on Armeria's blocking executor (they use JDBC); at most
 * {@code maxInFlight} run at once and the rest are answered 503 with Retry-After at once.
 */
final class HttpApi {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_BODY_BYTES = 64 * 1024;

  @FunctionalInterface
  interface Handler {
    Object handle(ServiceRequestContext ctx, AggregatedHttpRequest req) throws Exception;
  }

  /** A handler's answer with a status other than 200. */
  record Answer(int status, Object body) {}

  private final Marketplace marketplace;
  private final Faults faults;
  private final Telemetry telemetry;
  private final Semaphore inFlight;

  HttpApi(Marketplace marketplace, Faults faults, Telemetry telemetry, int maxInFlight) {
    this.marketplace = marketplace;
    this.faults = faults;
    this.telemetry = telemetry;
    this.inFlight = new Semaphore(maxInFlight);
  }

  void register(ServerBuilder sb) {
    sb.maxRequestLength(MAX_BODY_BYTES);
    sb.errorHandler(new JsonStatusErrors());
    route(
        sb, "GET", "/health", (ctx, req) -> HttpResponse.ofJson(java.util.Map.of("status", "ok")));
    route(sb, "GET", "/api/catalog", blocking((ctx, req) -> marketplace.catalog()));
    route(
        sb,
        "GET",
        "/api/restaurants/search",
        blocking((ctx, req) -> marketplace.search(Validation.searchQuery(ctx::queryParam))));
    route(
        sb,
        "GET",
        "/api/restaurants/{id}",
        blocking((ctx, req) -> marketplace.restaurant(id(ctx, "id"))));
    route(
        sb,
        "GET",
        "/api/restaurants/{id}/menu",
        blocking((ctx, req) -> marketplace.menu(id(ctx, "id"))));
    route(
        sb,
        "GET",
        "/api/restaurants/{id}/stats",
        blocking(
            (ctx, req) ->
                marketplace.statistics(
                    id(ctx, "id"),
                    ctx.queryParam("days") == null
                        ? 30
                        : Validation.intParam(ctx::queryParam, "days", 1, 365, 365))));
    route(
        sb,
        "GET,POST",
        "/api/restaurants/{id}/reviews",
        blocking(
            (ctx, req) -> {
              long id = id(ctx, "id");
              if (req.method().name().equals("POST")) {
                return new Answer(
                    201,
                    marketplace.addReview(
                        id, Validation.newReview(Validation.parse(req.contentUtf8()))));
              }
              int limit =
                  ctx.queryParam("limit") == null
                      ? 20
                      : Validation.intParam(ctx::queryParam, "limit", 1, 100, 100);
              return marketplace.reviews(id, limit);
            }));
    route(
        sb,
        "GET,POST",
        "/api/users",
        blocking(
            (ctx, req) -> {
              if (req.method().name().equals("POST")) {
                return new Answer(
                    201,
                    marketplace.createUser(
                        Validation.newUser(Validation.parse(req.contentUtf8()))));
              }
              String email = ctx.queryParam("email");
              if (email == null || email.isBlank() || email.length() > 254) {
                throw ApiException.badRequest(
                    "email: required, at most 254 characters (limit 254)");
              }
              return marketplace.userByEmail(email);
            }));
    route(sb, "GET", "/api/users/{id}", blocking((ctx, req) -> marketplace.user(id(ctx, "id"))));
    route(
        sb,
        "GET",
        "/api/users/{id}/orders",
        blocking((ctx, req) -> marketplace.ordersOfUser(id(ctx, "id"), 50)));
    route(
        sb,
        "GET,DELETE",
        "/api/users/{id}/cart",
        blocking(
            (ctx, req) -> {
              long user = id(ctx, "id");
              if (req.method().name().equals("DELETE")) {
                marketplace.clearCart(user);
                return new Answer(204, null);
              }
              return marketplace.cart(user);
            }));
    route(
        sb,
        "PUT",
        "/api/users/{id}/cart/items/{itemId}",
        blocking(
            (ctx, req) -> {
              JsonNode body = Validation.parse(req.contentUtf8());
              JsonNode q = body.get("quantity");
              if (q == null
                  || !q.isIntegralNumber()
                  || q.asInt() < 1
                  || q.asInt() > Validation.MAX_QUANTITY) {
                throw ApiException.badRequest(
                    "quantity: must be an integer from 1 to 50 (limit "
                        + Validation.MAX_QUANTITY
                        + ")");
              }
              return marketplace.putCartItem(id(ctx, "id"), id(ctx, "itemId"), q.asInt());
            }));
    route(
        sb,
        "POST",
        "/api/users/{id}/cart/checkout",
        blocking(
            (ctx, req) ->
                new Answer(
                    201,
                    marketplace.checkout(
                        id(ctx, "id"),
                        Validation.idempotencyKey(req.headers().get("Idempotency-Key"))))));
    route(
        sb,
        "POST",
        "/api/orders",
        blocking(
            (ctx, req) -> {
              String key = Validation.idempotencyKey(req.headers().get("Idempotency-Key"));
              Placed placed =
                  marketplace.placeOrder(
                      Validation.newOrder(Validation.parse(req.contentUtf8())), key);
              return new Answer(placed.replayed() ? 200 : 201, placed.order());
            }));
    route(sb, "GET", "/api/orders/{id}", blocking((ctx, req) -> marketplace.order(id(ctx, "id"))));
    route(
        sb,
        "POST",
        "/api/orders/{id}/status",
        blocking(
            (ctx, req) -> {
              JsonNode body = Validation.parse(req.contentUtf8());
              JsonNode status = body.get("status");
              return marketplace.transition(
                  id(ctx, "id"),
                  OrderStatus.parse(
                      "status", status == null || !status.isTextual() ? null : status.asText()));
            }));
    route(sb, "GET", "/admin/faults", (ctx, req) -> HttpResponse.ofJson(faults.snapshot()));
    route(
        sb,
        "POST",
        "/admin/faults/{name}",
        (ctx, req) ->
            HttpResponse.of(
                req.aggregate()
                    .thenApply(
                        agg -> {
                          try {
                            Fault fault = Fault.parse(ctx.pathParam("name"));
                            boolean on = faultSwitch(ctx, agg);
                            faults.set(fault, on);
                            LOG.info("fault {} {}", fault.wire(), on ? "on" : "off");
                            return json(200, faults.snapshot());
                          } catch (ApiException e) {
                            return error(e);
                          }
                        })));
    route(
        sb,
        "GET",
        "/admin/cache",
        (ctx, req) -> HttpResponse.of(MediaType.PLAIN_TEXT_UTF_8, marketplace.cacheReport()));
    route(
        sb,
        "POST",
        "/internal/payments/authorize",
        (ctx, req) -> {
          HttpResponse ok =
              HttpResponse.ofJson(
                  java.util.Map.of("authorization", java.util.UUID.randomUUID().toString()));
          // An outage is a provider that stops answering, not one that answers 500 quickly.
          return faults.on(Fault.PAYMENT_OUTAGE)
              ? HttpResponse.delayed(ok, Duration.ofSeconds(5))
              : HttpResponse.delayed(ok, Duration.ofMillis(2));
        });
  }

  /**
   * Statuses Armeria answers itself (no route, wrong method, body too large) in the API's JSON
   * error shape instead of plain text.
   */
  private static final class JsonStatusErrors
      implements com.linecorp.armeria.server.ServerErrorHandler {
    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
      return null; // the default handling
    }

    @Override
    public com.linecorp.armeria.common.AggregatedHttpResponse renderStatus(
        ServiceRequestContext ctx,
        com.linecorp.armeria.server.ServiceConfig config,
        com.linecorp.armeria.common.RequestHeaders headers,
        HttpStatus status,
        String description,
        Throwable cause) {
      String error;
      String message;
      switch (status.code()) {
        case 404 -> {
          error = "not_found";
          message = "path: no such endpoint " + (ctx == null ? "" : ctx.path());
        }
        case 405 -> {
          error = "method_not_allowed";
          message = "method: " + headers.method() + " not allowed here";
        }
        case 413 -> {
          error = "too_large";
          message = "body: larger than " + MAX_BODY_BYTES + " bytes (limit " + MAX_BODY_BYTES + ")";
        }
        default -> {
          error = status.reasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_');
          message = description == null ? status.reasonPhrase() : description;
        }
      }
      ObjectNode body = JSON.createObjectNode();
      body.put("error", error);
      body.put("message", message);
      return com.linecorp.armeria.common.AggregatedHttpResponse.of(
          status, MediaType.JSON_UTF_8, body.toString());
    }
  }

  /** Binds a service to a path for the given methods; others are answered 405 by Armeria. */
  private static void route(ServerBuilder sb, String methods, String path, HttpService service) {
    HttpMethod[] allowed =
        java.util.Arrays.stream(methods.split(","))
            .map(HttpMethod::valueOf)
            .toArray(HttpMethod[]::new);
    sb.route().path(path).methods(allowed).build(service);
  }

  /** {@code {"enabled": true}} in the body, or {@code ?enabled=false}; no switch means on. */
  private static boolean faultSwitch(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String param = ctx.queryParam("enabled");
    if (param != null) {
      return parseBoolean("enabled", param);
    }
    String body = req.contentUtf8();
    if (body.isBlank()) {
      return true;
    }
    JsonNode enabled = Validation.parse(body).get("enabled");
    if (enabled == null || !enabled.isBoolean()) {
      throw ApiException.badRequest("enabled: must be true or false");
    }
    return enabled.asBoolean();
  }

  private static boolean parseBoolean(String name, String value) {
    return switch (value) {
      case "true", "on", "1" -> true;
      case "false", "off", "0" -> false;
      default -> throw ApiException.badRequest(name + ": must be true or false");
    };
  }

  private static long id(ServiceRequestContext ctx, String name) {
    return Validation.pathId(name, ctx.pathParam(name));
  }

  private HttpService blocking(Handler handler) {
    return (ctx, req) -> {
      if (!inFlight.tryAcquire()) {
        return HttpResponse.of(
            ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE)
                .add(HttpHeaderNames.RETRY_AFTER, "1")
                .contentType(MediaType.JSON_UTF_8)
                .build(),
            com.linecorp.armeria.common.HttpData.ofUtf8(
                "{\"error\":\"overloaded\",\"message\":\"too many requests in progress\"}"));
      }
      Context otel = ctx.attr(HttpTracing.CONTEXT);
      CompletableFuture<HttpResponse> response =
          req.aggregate()
              .thenApplyAsync(agg -> run(handler, ctx, agg, otel), ctx.blockingTaskExecutor())
              .whenComplete((r, e) -> inFlight.release());
      return HttpResponse.of(response);
    };
  }

  private HttpResponse run(
      Handler handler, ServiceRequestContext ctx, AggregatedHttpRequest req, Context otel) {
    try (Scope ignored = (otel == null ? Context.current() : otel).makeCurrent()) {
      try {
        Object result = handler.handle(ctx, req);
        if (result instanceof Answer answer) {
          return answer.body() == null
              ? HttpResponse.of(HttpStatus.valueOf(answer.status()))
              : json(answer.status(), answer.body());
        }
        return json(200, result);
      } catch (ApiException e) {
        return error(e);
      } catch (Exception e) {
        // One line on the console; the stack trace goes with the span event and the OTLP log.
        LOG.error("{} {} failed: {}", req.method(), ctx.path(), e.toString());
        LOG.debug("{} {} failed", req.method(), ctx.path(), e);
        telemetry.recordFailure(req.method() + " " + HttpTracing.route(ctx) + " failed", e);
        ObjectNode body = JSON.createObjectNode();
        body.put("error", "internal");
        body.put("message", "internal error (" + e.getClass().getSimpleName() + ")");
        return json(500, body);
      }
    }
  }

  private static HttpResponse error(ApiException e) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", e.error());
    body.put("message", e.getMessage());
    HttpResponse response = json(e.status(), body);
    return response;
  }

  static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.of(
          HttpStatus.valueOf(status), MediaType.JSON_UTF_8, JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
