package com.yumzoom.ops.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.server.YumzoomServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a test: the platform in-process on a free port, the marketplace exporting to it over
 * OTLP/HTTP with the OpenTelemetry SDK, the traffic generator running journeys with the error-burst
 * fault on. Everything is then checked through the platform's public HTTP APIs only.
 */
class MarketplaceEndToEndIT {

  @TempDir static Path dataDir;
  static YumzoomServer platform;
  static MarketplaceService marketplace;
  static TrafficGenerator.Report report;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    platform =
        YumzoomServer.start(
            ConfigLoader.load(
                null,
                Map.of(),
                Map.of(
                    "data-dir", dataDir.toString(),
                    "server.host", "127.0.0.1",
                    "server.http-port", "0",
                    "otlp.grpc-port", "0",
                    "otlp.http-port", "0",
                    "metrics.self-scrape-interval", "1s")),
            Clock.systemUTC());
    marketplace =
        MarketplaceService.start(
            MarketplaceService.Options.defaults()
                .withPort(0)
                .withSeed(SeedGenerator.Volumes.small())
                .withTelemetry(
                    true,
                    Map.of(
                        "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + platform.port(),
                        "otel.bsp.schedule.delay", "200",
                        "otel.metric.export.interval", "1000",
                        // The platform has no log ingest yet; logs are exported in the demo.
                        "otel.logs.exporter", "none")),
            Clock.systemUTC());
    marketplace.faults().set(Faults.Fault.ERROR_BURST, true);
    TrafficGenerator traffic =
        new TrafficGenerator(
            new TrafficGenerator.Settings(
                URI.create(marketplace.baseUrl()), 8, Duration.ofSeconds(6), 8, 1));
    report = traffic.run();
    traffic.close();
    marketplace.faults().set(Faults.Fault.ERROR_BURST, false);
    marketplace.telemetry().flush();
  }

  @AfterAll
  static void stop() {
    if (marketplace != null) {
      marketplace.close();
    }
    if (platform != null) {
      platform.close();
    }
  }

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.port() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Polls a platform API until the answer satisfies the condition, for at most 30 seconds. */
  static JsonNode poll(String path, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode last = get(path);
    while (!done.test(last) && System.nanoTime() < deadline) {
      Thread.sleep(250); // waiting for the platform's flush schedule, not timing our own logic
      last = get(path);
    }
    assertThat(done.test(last)).as(path + " -> " + last).isTrue();
    return last;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String window() {
    long now = System.currentTimeMillis() / 1000;
    return "&start=" + (now - 600) + "&end=" + (now + 600) + "&limit=50";
  }

  @Test
  void trafficRanWithSomeInjectedErrors() {
    assertThat(report.journeys()).isGreaterThan(10);
    assertThat(report.steps())
        .extracting(TrafficGenerator.StepReport::step)
        .contains("search", "restaurant", "menu");
    assertThat(report.errors()).isPositive();
    assertThat(report.errors()).isLessThan(report.requests());
  }

  @Test
  void serviceIsListed() throws Exception {
    poll("/api/v1/services", n -> n.toString().contains(Telemetry.SERVICE_NAME));
  }

  @Test
  void tracesHaveServerAndDatabaseSpansAndExceptionEvents() throws Exception {
    JsonNode errors =
        poll(
            "/api/search?tags="
                + encode("service.name=\"yumzoom-marketplace\" status=error")
                + window(),
            n -> n.path("traces").size() > 0);
    List<String> ids = errors.get("traces").findValuesAsText("traceID");
    boolean exceptionSeen = false;
    for (String id : ids) {
      String trace = get("/api/traces/" + id).toString();
      if (exceptionSeen) {
        break;
      }
      if (trace.contains("\"exception\"") && trace.contains("exception.stacktrace")) {
        assertThat(trace).containsAnyOf("SQLTransientConnectionException", "IllegalStateException");
        // The stack trace names our own frames: what error grouping fingerprints on.
        exceptionSeen =
            trace.contains("exception.type") && trace.contains("com.yumzoom.ops.marketplace.");
      }
    }
    assertThat(exceptionSeen).as("an exception span event in " + ids).isTrue();

    // Order placement is never cached: its trace always shows the database and the payment call.
    JsonNode ok =
        poll(
            "/api/search?tags="
                + encode(
                    "service.name=\"yumzoom-marketplace\" http.route=\"/api/orders\" http.response.status_code=201")
                + window(),
            n -> n.path("traces").size() > 0);
    String trace = get("/api/traces/" + ok.get("traces").get(0).get("traceID").asText()).toString();
    assertThat(trace)
        .contains("POST /api/orders")
        .contains("http.request.method")
        .contains("http.response.status_code")
        .contains("server.address")
        .contains("postgresql")
        .contains("menu_items")
        .contains("INSERT")
        .contains("payments")
        .contains("POST /internal/payments/authorize");
  }

  @Test
  void exceptionsAreGroupedIntoErrorIssuesLinkedToTheirTraces() throws Exception {
    JsonNode list =
        poll(
            "/api/errors/issues?service=yumzoom-marketplace&sort=count",
            n -> n.path("issues").size() > 0);
    JsonNode top = list.get("issues").get(0);
    assertThat(top.toString())
        .containsAnyOf("SQLTransientConnectionException", "IllegalStateException");
    // The error burst throws from a few sites only: grouping keeps them to a handful of issues,
    // however many events arrived.
    assertThat(list.get("total").asInt()).isLessThanOrEqualTo(10);
    JsonNode events = get("/api/errors/issues/" + top.get("id").asText() + "/events?limit=5");
    JsonNode first = events.findValue("traceLink");
    assertThat(first).as(events.toString()).isNotNull();
    assertThat(get(first.asText()).toString()).contains("exception");
  }

  @Test
  void spanDerivedAndApplicationMetricsAreQueryable() throws Exception {
    JsonNode calls =
        poll(
            "/api/v1/query?query="
                + encode(
                    "sum by (span_name) (traces_spanmetrics_calls_total{service=\"yumzoom-marketplace\",span_kind=\"SPAN_KIND_SERVER\"})"),
            n -> n.at("/data/result").size() > 1);
    List<String> names = new ArrayList<>(calls.at("/data/result").findValuesAsText("span_name"));
    assertThat(names).contains("GET /api/restaurants/search", "GET /api/restaurants/{id}");

    JsonNode errors =
        poll(
            "/api/v1/query?query="
                + encode(
                    "sum(traces_spanmetrics_calls_total{service=\"yumzoom-marketplace\",status_code=\"STATUS_CODE_ERROR\"})"),
            n -> n.at("/data/result").size() > 0 && n.at("/data/result/0/value/1").asDouble() > 0);
    assertThat(errors.at("/data/result/0/value/1").asDouble()).isPositive();

    poll(
        "/api/v1/query?query="
            + encode(
                "sum(http_server_request_duration_seconds_count{job=\"yumzoom-marketplace\"})"),
        n -> n.at("/data/result").size() > 0 && n.at("/data/result/0/value/1").asDouble() > 0);
  }
}
