package com.yumzoom.ops.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Route;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.query.promql.PromqlEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI's routes: the single-page app at {@code /} (every UI path answers {@code index.html},
 * the browser routes), its hashed assets, the dashboards API and the live dashboard streams.
 *
 * <p>UI paths are listed explicitly instead of a catch-all, so an unknown {@code /api/...} path
 * stays a 404 for API clients rather than becoming an HTML page.
 */
public final class WebUi implements AutoCloseable {

  static final List<String> UI_PREFIXES =
      List.of(
          "/overview",
          "/services",
          "/traces",
          "/explore",
          "/dashboards",
          "/errors",
          "/alerts",
          "/incidents");

  /** Routes of features built by others; a nav entry appears only once its API is served. */
  static final Map<String, String> OPTIONAL_FEATURES =
      Map.of(
          "alerts", "/api/v1/alerts",
          "rules", "/api/v1/rules",
          "silences", "/api/v2/silences",
          "errors", "/api/errors/issues",
          "incidents", "/api/incidents");

  private static final Logger LOG = LoggerFactory.getLogger(WebUi.class);

  private final LiveDashboards live;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;

  private WebUi(LiveDashboards live, ScheduledExecutorService ticker, ExecutorService workers) {
    this.live = live;
    this.ticker = ticker;
    this.workers = workers;
  }

  /** Adds the UI and its APIs to {@code sb}; close the returned object at shutdown. */
  public static WebUi register(ServerBuilder sb, Path dataDir, PromqlEngine engine, Clock clock) {
    ObjectMapper json = new ObjectMapper();
    WebAssets assets = WebAssets.load();
    DashboardStore store = new DashboardStore(dataDir, json, clock);
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("yumzoom-live-dashboards").factory());
    ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    LiveDashboards live =
        new LiveDashboards(store, new PanelEvaluator(engine, json), json, clock, ticker, workers);
    WebUi ui = new WebUi(live, ticker, workers);

    sb.route().get("/").build((ctx, req) -> assets.index(req));
    for (String prefix : UI_PREFIXES) {
      sb.route().get(prefix).build((ctx, req) -> assets.index(req));
      sb.route().get("prefix:" + prefix + "/").build((ctx, req) -> assets.index(req));
    }
    sb.route()
        .get("prefix:/assets/")
        .build(
            (ctx, req) -> {
              String rest = ctx.path().substring("/assets/".length());
              int slash = rest.indexOf('/');
              return slash < 0
                  ? HttpResponse.of(HttpStatus.NOT_FOUND)
                  : assets.asset(req, rest.substring(0, slash), rest.substring(slash + 1));
            });
    sb.route().get("/api/ui/features").build((ctx, req) -> features(ctx, json));

    DashboardApi api = new DashboardApi(store, json);
    sb.route().get("/api/ui/dashboards").build((ctx, req) -> blocking(ctx, () -> api.list()));
    sb.route()
        .post("/api/ui/dashboards")
        .maxRequestLength(DashboardValidation.MAX_BODY_BYTES)
        .build(
            (ctx, req) ->
                HttpResponse.of(
                    req.aggregate()
                        .thenCompose(agg -> blockingFuture(ctx, () -> api.create(agg)))));
    sb.route()
        .get("/api/ui/dashboards/{id}")
        .build((ctx, req) -> blocking(ctx, () -> api.get(ctx.pathParam("id"))));
    sb.route()
        .put("/api/ui/dashboards/{id}")
        .maxRequestLength(DashboardValidation.MAX_BODY_BYTES)
        .build(
            (ctx, req) ->
                HttpResponse.of(
                    req.aggregate()
                        .thenCompose(
                            agg ->
                                blockingFuture(ctx, () -> api.update(ctx.pathParam("id"), agg)))));
    sb.route()
        .delete("/api/ui/dashboards/{id}")
        .build((ctx, req) -> blocking(ctx, () -> api.delete(ctx.pathParam("id"))));
    sb.route()
        .get("/api/ui/dashboards/{id}/live")
        .build(
            (ctx, req) -> {
              LiveDashboards.Request request;
              try {
                request =
                    LiveDashboards.Request.parse(
                        ctx.pathParam("id"), QueryParams.fromQueryString(ctx.query()));
              } catch (DashboardValidation.Invalid e) {
                return DashboardApi.badRequest(json, e.getMessage());
              }
              Optional<HttpResponse> stream = live.open(ctx, request);
              return stream.orElseGet(
                  () ->
                      HttpResponse.of(
                          ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE)
                              .contentType(MediaType.JSON_UTF_8)
                              .add(HttpHeaderNames.RETRY_AFTER, "5")
                              .build(),
                          com.linecorp.armeria.common.HttpData.ofUtf8(
                              "{\"error\":\"overloaded\",\"message\":\"live dashboards: more than "
                                  + LiveDashboards.MAX_STREAMS
                                  + " open streams (limit "
                                  + LiveDashboards.MAX_STREAMS
                                  + ")\"}")));
            });
    LOG.info("web UI: {} assets, release {}", assets.size(), assets.hash());
    return ui;
  }

  private static HttpResponse features(ServiceRequestContext ctx, ObjectMapper json) {
    ObjectNode out = json.createObjectNode();
    List<ServiceConfig> configs = ctx.config().server().serviceConfigs();
    for (var e : OPTIONAL_FEATURES.entrySet()) {
      boolean served = false;
      for (ServiceConfig c : configs) {
        Route r = c.route();
        if (r.patternString().equals(e.getValue()) || r.paths().contains(e.getValue())) {
          served = true;
          break;
        }
      }
      out.put(e.getKey(), served);
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, out.toString());
  }

  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return HttpResponse.of(blockingFuture(ctx, work));
  }

  private static CompletableFuture<HttpResponse> blockingFuture(
      ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return CompletableFuture.supplyAsync(work, ctx.blockingTaskExecutor());
  }

  /** Dashboard CRUD; each method runs off the event loop. */
  static final class DashboardApi {
    private final DashboardStore store;
    private final ObjectMapper json;

    DashboardApi(DashboardStore store, ObjectMapper json) {
      this.store = store;
      this.json = json;
    }

    static HttpResponse badRequest(ObjectMapper json, String message) {
      ObjectNode n = json.createObjectNode();
      n.put("error", "bad_request");
      n.put("message", message);
      return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.JSON_UTF_8, n.toString());
    }

    private HttpResponse notFound(String id) {
      ObjectNode n = json.createObjectNode();
      n.put("error", "not_found");
      n.put("message", "dashboard " + id + " not found");
      return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.JSON_UTF_8, n.toString());
    }

    private static HttpResponse ok(JsonNode body) {
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
    }

    HttpResponse list() {
      ArrayNode out = json.createArrayNode();
      store.list().forEach(out::add);
      return ok(out);
    }

    HttpResponse get(String id) {
      return store.get(id).map(DashboardApi::ok).orElseGet(() -> notFound(id));
    }

    HttpResponse create(AggregatedHttpRequest req) {
      try {
        ObjectNode d = DashboardValidation.validate(parse(req));
        ObjectNode stored = store.create(d);
        return HttpResponse.of(HttpStatus.CREATED, MediaType.JSON_UTF_8, stored.toString());
      } catch (DashboardValidation.Invalid e) {
        return badRequest(json, e.getMessage());
      }
    }

    HttpResponse update(String id, AggregatedHttpRequest req) {
      if (DashboardStore.isBuiltin(id)) {
        return badRequest(json, "id: built-in dashboards are read-only; save a copy to change one");
      }
      try {
        ObjectNode d = DashboardValidation.validate(parse(req));
        return store.update(id, d).map(DashboardApi::ok).orElseGet(() -> notFound(id));
      } catch (DashboardValidation.Invalid e) {
        return badRequest(json, e.getMessage());
      }
    }

    HttpResponse delete(String id) {
      if (DashboardStore.isBuiltin(id)) {
        return badRequest(json, "id: built-in dashboards cannot be deleted");
      }
      return store.delete(id) ? HttpResponse.of(HttpStatus.NO_CONTENT) : notFound(id);
    }

    private JsonNode parse(AggregatedHttpRequest req) {
      try {
        return json.readTree(req.content().array());
      } catch (IOException e) {
        throw new DashboardValidation.Invalid("dashboard: not valid JSON");
      }
    }
  }

  @Override
  public void close() {
    live.close();
    ticker.shutdownNow();
    workers.shutdownNow();
  }
}
