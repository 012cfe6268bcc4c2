package com.yumzoom.ops.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the marketplace's SDK puts on the wire, caught by a real OTLP/HTTP receiver on loopback: the
 * three signals reach their standard paths, the error log carries the exception attributes, and the
 * business metrics are named as documented.
 */
class TelemetryExportIT {

  static HttpServer receiver;
  static final Map<String, StringBuilder> received = new ConcurrentHashMap<>();
  static MarketplaceService service;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            // Protobuf keeps strings as raw UTF-8: names and attribute values are searchable.
            String body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            received
                .computeIfAbsent(exchange.getRequestURI().getPath(), k -> new StringBuilder())
                .append(body);
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    service =
        MarketplaceService.start(
            MarketplaceService.Options.defaults()
                .withPort(0)
                .withSeed(new SeedGenerator.Volumes(10, 20, 50, 50))
                .withTelemetry(
                    true,
                    Map.of(
                        "otel.exporter.otlp.endpoint",
                        "http://127.0.0.1:" + receiver.getAddress().getPort(),
                        "otel.logs.exporter",
                        "otlp")),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    receiver.stop(0);
  }

  static int call(String method, String path, String body) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void tracesMetricsAndErrorLogsReachTheirOtlpPaths() throws Exception {
    assertThat(call("GET", "/api/restaurants/1/menu", null)).isEqualTo(200);
    String menu = "/api/restaurants/1/menu";
    long item =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(service.baseUrl() + menu)).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body())
            .get("items")
            .get(0)
            .get("id")
            .asLong();
    assertThat(
            call(
                "POST",
                "/api/orders",
                "{\"userId\":1,\"restaurantId\":1,\"items\":[{\"menuItemId\":"
                    + item
                    + ",\"quantity\":1}]}"))
        .isIn(201, 422); // 422 when the first item is unavailable: still a traced request
    service.faults().set(Faults.Fault.ERROR_BURST, true);
    int failures = 0;
    for (int i = 0; i < 60 && failures == 0; i++) {
      if (call("GET", "/api/restaurants/1", null) == 500) {
        failures++;
      }
    }
    service.faults().set(Faults.Fault.ERROR_BURST, false);
    assertThat(failures).isPositive();
    service.telemetry().flush();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline
        && !(has("/v1/traces", "GET /api/restaurants/{id}/menu")
            && has("/v1/metrics", "http.server.request.duration")
            && has("/v1/logs", "exception.stacktrace"))) {
      Thread.sleep(100); // waiting for the exporter's schedule, not timing our own logic
      service.telemetry().flush();
    }
    assertThat(text("/v1/traces"))
        .contains("GET /api/restaurants/{id}/menu")
        .contains("yumzoom-marketplace")
        .contains("http.route")
        .contains("postgresql")
        .contains("exception")
        .contains("SQLTransientConnectionException");
    assertThat(text("/v1/metrics"))
        .contains("http.server.request.duration")
        .contains("marketplace.orders.placed")
        .contains("cache.requests");
    assertThat(text("/v1/logs"))
        .contains("exception.type")
        .contains("java.sql.SQLTransientConnectionException")
        .contains("exception.stacktrace")
        .contains("Faults.maybeConnectionPoolExhausted");
  }

  static boolean has(String path, String needle) {
    return text(path).contains(needle);
  }

  static String text(String path) {
    StringBuilder sb = received.get(path);
    if (sb == null) {
      return "";
    }
    synchronized (sb) {
      return sb.toString();
    }
  }
}
