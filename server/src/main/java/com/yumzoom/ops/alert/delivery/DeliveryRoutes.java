package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP API of the delivery side: notifications and their attempts, acknowledge/resolve, signed
 * links, escalations, remediation runs, incidents and reviews. Handlers touch DuckDB, so they run
 * on the blocking executor, at most {@value #MAX_IN_FLIGHT} at once (then 503 + Retry-After).
 */
final class DeliveryRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryRoutes.class);

  static final int MAX_IN_FLIGHT = 32;
  static final int MAX_BODY = 64 * 1024;
  static final int MAX_LIMIT = 1000;
  static final int MAX_FINGERPRINTS = 100;

  /** An answer other than 200, with the project's JSON error shape. */
  static final class ApiException extends RuntimeException {
    final HttpStatus status;
    final String error;

    ApiException(HttpStatus status, String error, String message) {
      super(message, null, false, false);
      this.status = status;
      this.error = error;
    }

    static ApiException badRequest(String message) {
      return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", message);
    }

    static ApiException notFound(String message) {
      return new ApiException(HttpStatus.NOT_FOUND, "not_found", message);
    }
  }

  @FunctionalInterface
  interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req) throws Exception;
  }

  private final AlertDelivery delivery;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

  private DeliveryRoutes(AlertDelivery delivery) {
    this.delivery = delivery;
  }

  static void register(ServerBuilder sb, AlertDelivery delivery) {
    DeliveryRoutes r = new DeliveryRoutes(delivery);
    sb.route().get("/api/alerting/notifications").build(r.blocking(r::notifications));
    sb.route().get("/api/alerting/notifications/{id}").build(r.blocking(r::notification));
    sb.route().get("/api/alerting/alerts/{fingerprint}").build(r.blocking(r::alert));
    sb.route().post("/api/alerting/alerts/{fingerprint}/ack").build(r.blocking(r::ack));
    sb.route().post("/api/alerting/alerts/{fingerprint}/resolve").build(r.blocking(r::resolve));
    sb.route().get("/api/alerting/delivery/status").build(r.blocking(r::status));
    sb.route().get("/api/alerting/escalations").build(r.blocking(r::escalations));
    sb.route().get("/api/alerting/remediations").build(r.blocking(r::remediations));
    sb.route().get("/ack").build(r.blocking(r::ackPage));
    sb.route().post("/ack").build(r.blocking(r::ackLink));
    sb.route().get("/api/incidents").build(r.blocking(r::incidents));
    sb.route().post("/api/incidents").build(r.blocking(r::openIncident));
    sb.route().get("/api/incidents/{id}").build(r.blocking(r::incident));
    sb.route().post("/api/incidents/{id}/notes").build(r.blocking(r::note));
    sb.route().post("/api/incidents/{id}/state").build(r.blocking(r::state));
    sb.route().get("/api/incidents/{id}/review").build(r.blocking(r::review));
    sb.route().put("/api/incidents/{id}/review").build(r.blocking(r::saveReview));
    sb.route().get("/api/incidents/{id}/review.md").build(r.blocking(r::reviewMarkdown));
  }

  private HttpService blocking(Handler handler) {
    return (ctx, req) -> {
      if (!inFlight.tryAcquire()) {
        return error(
                HttpStatus.SERVICE_UNAVAILABLE,
                "overloaded",
                "too many alerting API requests in progress (limit " + MAX_IN_FLIGHT + ")")
            .mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.RETRY_AFTER, "1").build());
      }
      return HttpResponse.of(
          req.aggregate()
              .handleAsync(
                  (agg, failure) -> {
                    try {
                      if (failure != null) {
                        return error(
                            HttpStatus.BAD_REQUEST,
                            "bad_request",
                            "body: could not be read: " + failure.getClass().getSimpleName());
                      }
                      if (agg.content().length() > MAX_BODY) {
                        return error(
                            HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                            "too_large",
                            "body: larger than " + MAX_BODY + " bytes (limit " + MAX_BODY + ")");
                      }
                      return handler.handle(ctx, agg);
                    } catch (ApiException e) {
                      return error(e.status, e.error, e.getMessage());
                    } catch (Exception e) {
                      LOG.warn("alerting API {} failed", ctx.path(), e);
                      return error(
                          HttpStatus.INTERNAL_SERVER_ERROR,
                          "internal",
                          "the request failed: " + e.getClass().getSimpleName());
                    } finally {
                      inFlight.release();
                    }
                  },
                  ctx.blockingTaskExecutor()));
    };
  }

  // ---- notifications ----

  private HttpResponse notifications(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String status = ctx.queryParam("status");
    if (status != null && !Set.of(Outbox.PENDING, Outbox.DELIVERED, Outbox.DEAD).contains(status)) {
      throw ApiException.badRequest("status: must be pending, delivered or dead, got " + status);
    }
    ObjectNode body = Payloads.JSON.createObjectNode();
    body.set(
        "notifications", delivery.outbox().list(status, ctx.queryParam("receiver"), limit(ctx)));
    body.put("pending", delivery.outbox().pending());
    return ok(body);
  }

  private HttpResponse notification(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long id = id(ctx);
    ObjectNode n = delivery.outbox().detail(id);
    if (n == null) {
      throw ApiException.notFound("notification " + id + " not found");
    }
    return ok(n);
  }

  // ---- acknowledgement ----

  private HttpResponse alert(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String fp = ctx.pathParam("fingerprint");
    ObjectNode a = delivery.escalations().alert(fp);
    if (a == null) {
      throw ApiException.notFound("alert " + fp + " not found");
    }
    return ok(a);
  }

  private HttpResponse ack(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return change(ctx, req, true);
  }

  private HttpResponse resolve(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return change(ctx, req, false);
  }

  private HttpResponse change(ServiceRequestContext ctx, AggregatedHttpRequest req, boolean ack) {
    String fp = ctx.pathParam("fingerprint");
    JsonNode body = json(req, false);
    String by = text(body, "by", 200, "api");
    if (delivery.escalations().alert(fp) == null) {
      throw ApiException.notFound("alert " + fp + " not found");
    }
    Escalations.Change c =
        ack ? delivery.acknowledge(List.of(fp), by) : delivery.resolve(List.of(fp), by);
    if (c.fingerprints().isEmpty()) {
      throw new ApiException(
          HttpStatus.CONFLICT, "conflict", "alert " + fp + " is not firing; nothing to change");
    }
    return ok(delivery.escalations().alert(fp));
  }

  /** GET of a signed link: a confirmation page (link scanners fetch links; they must not ack). */
  private HttpResponse ackPage(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    Link link = link(QueryParams.fromQueryString(ctx.query() == null ? "" : ctx.query()));
    if (link == null) {
      return page(HttpStatus.FORBIDDEN, "Link not valid", "This link is invalid or has expired.");
    }
    String verb = link.action().equals("resolve") ? "Resolve" : "Acknowledge";
    String form =
        "<form method=\"post\" action=\"/ack\">"
            + hidden("action", link.action())
            + hidden("fp", String.join(",", link.fingerprints()))
            + hidden("exp", Long.toString(link.exp()))
            + hidden("sig", link.sig())
            + "<label>Your name <input name=\"by\" maxlength=\"100\"></label> "
            + "<button type=\"submit\">"
            + verb
            + "</button></form>";
    return page(
        HttpStatus.OK,
        verb + " " + link.fingerprints().size() + " alert(s)",
        "Alerts: " + Payloads.html(String.join(", ", link.fingerprints())) + form);
  }

  private HttpResponse ackLink(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    QueryParams form = QueryParams.fromQueryString(req.contentUtf8());
    Link link = link(form);
    if (link == null) {
      return page(HttpStatus.FORBIDDEN, "Link not valid", "This link is invalid or has expired.");
    }
    String by = form.get("by", "").strip();
    by = Payloads.cut(by.isEmpty() ? "signed link" : by, 100);
    Escalations.Change c =
        link.action().equals("resolve")
            ? delivery.resolve(link.fingerprints(), by)
            : delivery.acknowledge(link.fingerprints(), by);
    String done = link.action().equals("resolve") ? "Resolved" : "Acknowledged";
    return page(
        HttpStatus.OK,
        done,
        c.fingerprints().isEmpty()
            ? "Nothing to do: these alerts are no longer firing."
            : done + " " + c.fingerprints().size() + " alert(s) as " + Payloads.html(by) + ".");
  }

  private record Link(String action, List<String> fingerprints, long exp, String sig) {}

  private Link link(QueryParams q) {
    String action = q.get("action", "ack");
    String fp = q.get("fp", "");
    String sig = q.get("sig");
    long exp;
    try {
      exp = Long.parseLong(q.get("exp", ""));
    } catch (NumberFormatException e) {
      return null;
    }
    if (!action.equals("ack") && !action.equals("resolve")) {
      return null;
    }
    List<String> fps = Arrays.stream(fp.split(",")).filter(s -> !s.isEmpty()).toList();
    if (fps.isEmpty() || fps.size() > MAX_FINGERPRINTS) {
      return null;
    }
    if (!delivery.signer().verify(action, fps, exp, sig, delivery.clock().instant())) {
      return null;
    }
    return new Link(action, fps, exp, sig);
  }

  private static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + Payloads.html(value) + "\">";
  }

  private static HttpResponse page(HttpStatus status, String title, String bodyHtml) {
    String html =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
            + Payloads.html(title)
            + " - YumZoom Ops</title></head><body style=\"font-family:sans-serif;margin:2em\"><h1>"
            + Payloads.html(title)
            + "</h1><p>"
            + bodyHtml
            + "</p></body></html>";
    return HttpResponse.of(status, MediaType.HTML_UTF_8, html);
  }

  /** Counters of this process's delivery side (since start) and the outbox depth. */
  private HttpResponse status(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    ObjectNode body = Payloads.JSON.createObjectNode();
    body.put("pending", delivery.outbox().pending());
    body.put("delivered", delivery.outbox().delivered());
    body.put("deadLettered", delivery.outbox().deadLettered());
    body.put("workerErrors", delivery.outbox().workerErrors());
    return ok(body);
  }

  private HttpResponse escalations(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    ObjectNode body = Payloads.JSON.createObjectNode();
    body.set(
        "escalations",
        delivery.escalations().list(ctx.queryParam("fingerprint"), ctx.queryParam("state")));
    return ok(body);
  }

  private HttpResponse remediations(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    ObjectNode body = Payloads.JSON.createObjectNode();
    body.set("runs", delivery.remediations().list(limit(ctx)));
    return ok(body);
  }

  // ---- incidents ----

  private HttpResponse incidents(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String state = ctx.queryParam("state");
    if (state != null && !Incidents.STATES.contains(state)) {
      throw ApiException.badRequest(
          "state: must be triggered, acknowledged or resolved, got " + state);
    }
    ObjectNode body = Payloads.JSON.createObjectNode();
    ArrayNode list = delivery.incidents().list(state, limit(ctx));
    body.set("incidents", list);
    return ok(body);
  }

  private HttpResponse openIncident(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    JsonNode body = json(req, true);
    String title = text(body, "title", 500, null);
    if (title == null || title.isBlank()) {
      throw ApiException.badRequest("title: is required (limit 500 characters)");
    }
    String severity = text(body, "severity", 20, "critical");
    if (!Set.of("critical", "warning", "info").contains(severity)) {
      throw ApiException.badRequest("severity: must be critical, warning or info");
    }
    String by = text(body, "by", 200, "api");
    String summary = text(body, "summary", Incidents.MAX_TEXT, "");
    long id =
        delivery
            .incidents()
            .open(
                title,
                severity,
                null,
                "opened by hand by " + by + (summary.isEmpty() ? "" : ": " + summary));
    return HttpResponse.of(
        HttpStatus.CREATED, MediaType.JSON_UTF_8, delivery.incidents().detail(id).toString());
  }

  private HttpResponse incident(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return ok(existing(ctx));
  }

  private HttpResponse note(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long id = existing(ctx).path("id").asLong();
    JsonNode body = json(req, true);
    String text = text(body, "text", Incidents.MAX_TEXT, null);
    if (text == null || text.isBlank()) {
      throw ApiException.badRequest(
          "text: is required (limit " + Incidents.MAX_TEXT + " characters)");
    }
    String author = text(body, "author", 200, "api");
    delivery.incidents().event(id, "note", author + ": " + text);
    return ok(delivery.incidents().detail(id));
  }

  private HttpResponse state(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long id = existing(ctx).path("id").asLong();
    JsonNode body = json(req, true);
    String state = text(body, "state", 20, null);
    if (state == null || !Incidents.STATES.contains(state)) {
      throw ApiException.badRequest("state: must be triggered, acknowledged or resolved");
    }
    String by = text(body, "by", 200, "api");
    delivery.incidents().setState(id, state, "by " + by);
    return ok(delivery.incidents().detail(id));
  }

  private HttpResponse review(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return ok(existing(ctx).path("review"));
  }

  private HttpResponse saveReview(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long id = existing(ctx).path("id").asLong();
    try {
      delivery.incidents().saveReview(id, json(req, true));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    return ok(delivery.incidents().detail(id).path("review"));
  }

  private HttpResponse reviewMarkdown(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    long id = existing(ctx).path("id").asLong();
    return HttpResponse.of(
        HttpStatus.OK,
        MediaType.parse("text/markdown; charset=utf-8"),
        delivery.incidents().reviewMarkdown(id));
  }

  private ObjectNode existing(ServiceRequestContext ctx) {
    long id = id(ctx);
    ObjectNode d = delivery.incidents().detail(id);
    if (d == null) {
      throw ApiException.notFound("incident " + id + " not found");
    }
    return d;
  }

  // ---- helpers ----

  private static long id(ServiceRequestContext ctx) {
    String raw = ctx.pathParam("id");
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("id: must be a number, got " + raw);
    }
  }

  private static int limit(ServiceRequestContext ctx) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return 100;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw ApiException.badRequest(
        "limit: must be a number between 1 and " + MAX_LIMIT + " (limit " + MAX_LIMIT + ")");
  }

  private static JsonNode json(AggregatedHttpRequest req, boolean required) {
    String content = req.contentUtf8();
    if (content.isBlank()) {
      if (required) {
        throw ApiException.badRequest("body: a JSON object is required");
      }
      return Payloads.JSON.createObjectNode();
    }
    try {
      JsonNode node = Payloads.JSON.readTree(content);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest("body: must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("body: not JSON: " + e.getOriginalMessage());
    }
  }

  private static String text(JsonNode body, String field, int max, String fallback) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest(field + ": must be a string");
    }
    if (v.asText().length() > max) {
      throw ApiException.badRequest(
          field + ": longer than " + max + " characters (limit " + max + ")");
    }
    return v.asText();
  }

  private static HttpResponse ok(JsonNode body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  private static HttpResponse error(HttpStatus status, String error, String message) {
    ObjectNode body = Payloads.JSON.createObjectNode();
    body.put("error", error);
    body.put("message", message);
    return HttpResponse.of(status, MediaType.JSON_UTF_8, body.toString());
  }
}
