package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sentry.Sentry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error tracking end to end on a running server: the official Sentry Java SDK, the OpenTelemetry
 * SDK (span exception events and log records) and the JSON API write; the issues API reads.
 */
class ErrorTrackingIT {

  @TempDir static Path dataDir;
  static YumzoomServer server;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    YumzoomConfig config =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "data-dir", dataDir.toString(),
                "server.host", "127.0.0.1",
                "server.http-port", "0",
                "otlp.grpc-port", "0",
                "otlp.http-port", "0",
                "metrics.self-scrape-interval", "1s"));
    server = YumzoomServer.start(config, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    Sentry.close();
    server.close();
  }

  static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base() + path)));
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static HttpResponse<String> post(String path, String method, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body)));
  }

  /** Polls until the issues matching the query satisfy the condition (bounded, no fixed sleep). */
  static JsonNode awaitIssues(String query, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode issues;
    do {
      issues = get("/api/errors/issues?" + query).get("issues");
      if (done.test(issues)) {
        return issues;
      }
      Thread.onSpinWait();
      TimeUnit.MILLISECONDS.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("issues never matched for " + query + ": " + issues);
  }

  static long total(JsonNode issues) {
    long n = 0;
    for (JsonNode i : issues) {
      n += i.get("count").asLong();
    }
    return n;
  }

  // thrown from two distinct sites; messages vary with data
  static void saveOrder(int row) throws SQLException {
    throw new SQLException("deadlock detected on row " + row + " of orders");
  }

  static String menuName(Map<String, String> menu, String key) {
    return menu.get(key).trim();
  }

  @Test
  void sentryJavaSdkEventsAreGroupedIntoTheRightIssues() throws Exception {
    Sentry.init(
        o -> {
          o.setDsn("http://yumzoom@127.0.0.1:" + server.port() + "/1");
          o.setRelease("shop@1.4.0");
          o.setEnvironment("production");
          o.setEnableUncaughtExceptionHandler(false);
          o.setEnableAutoSessionTracking(false);
        });
    for (int i = 0; i < 4; i++) {
      try {
        saveOrder(1000 + i * 37);
      } catch (SQLException e) {
        Sentry.captureException(e);
      }
      try {
        menuName(Map.of(), "dish-" + i);
      } catch (NullPointerException e) {
        Sentry.captureException(e);
      }
    }
    Sentry.flush(10_000);
    JsonNode issues =
        awaitIssues("environment=production&release=shop@1.4.0&sort=count", i -> total(i) >= 8);
    assertThat(issues).hasSize(2);
    JsonNode db =
        issues.get(0).get("category").asText().equals("database") ? issues.get(0) : issues.get(1);
    JsonNode npe = db == issues.get(0) ? issues.get(1) : issues.get(0);
    assertThat(db.get("count").asLong()).isEqualTo(4);
    assertThat(db.get("type").asText()).isEqualTo("java.sql.SQLException");
    assertThat(db.get("title").asText())
        .isEqualTo("java.sql.SQLException: deadlock detected on row <num> of orders");
    assertThat(db.get("culprit").asText())
        .isEqualTo(ErrorTrackingIT.class.getName() + ".saveOrder");
    assertThat(npe.get("count").asLong()).isEqualTo(4);
    assertThat(npe.get("category").asText()).isEqualTo("null_reference");

    JsonNode events = get("/api/errors/issues/" + db.get("id").asLong() + "/events").get("events");
    assertThat(events).hasSize(4);
    JsonNode e = events.get(0);
    assertThat(e.get("source").asText()).isEqualTo("sentry");
    assertThat(e.get("release").asText()).isEqualTo("shop@1.4.0");
    assertThat(e.get("traceLink").asText()).matches("/api/traces/[0-9a-f]{32}");
    JsonNode frames = e.get("stacktrace").get("chain").get(0).get("frames");
    assertThat(frames.get(0).get("function").asText()).isEqualTo("saveOrder");
    assertThat(frames.get(0).get("inApp").asBoolean()).isTrue();
  }

  @Test
  void sentryRequestsNeedAConfiguredKeyAndAcceptGzip() throws Exception {
    String event =
        "{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"platform\":\"python\","
            + "\"exception\":{\"values\":[{\"type\":\"KeyError\",\"value\":\"'sku-1'\","
            + "\"stacktrace\":{\"frames\":[{\"filename\":\"app/cart.py\",\"abs_path\":"
            + "\"/srv/app/cart.py\",\"function\":\"add\",\"lineno\":12}]}}]},"
            + "\"tags\":{\"service\":\"cart\"}}";
    HttpResponse<String> wrongKey =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/api/7/store/?sentry_key=nope"))
                .POST(HttpRequest.BodyPublishers.ofString(event)));
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(wrongKey.body())
        .contains("\"error\":\"unauthorized\"")
        .contains("errors.sentry-keys");

    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(event.getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<String> ok =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/api/7/store/"))
                .header("X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=yumzoom")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue("*");
    HttpResponse<String> preflight =
        send(
            HttpRequest.newBuilder(URI.create(base() + "/api/7/envelope/"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("access-control-allow-headers").orElse(""))
        .contains("x-sentry-auth");
    assertThat(JSON.readTree(ok.body()).get("id").asText())
        .isEqualTo("0123456789abcdef0123456789abcdef");
    JsonNode issues = get("/api/errors/issues?service=cart").get("issues");
    assertThat(issues).hasSize(1);
    assertThat(issues.get(0).get("platform").asText()).isEqualTo("python");
    assertThat(issues.get(0).get("culprit").asText()).isEqualTo("add (/srv/app/cart.py)");
  }

  @Test
  void spanExceptionEventsAndLogRecordsBecomeIssuesLinkedToTheirTrace() throws Exception {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey("service.name"), "payments",
                        AttributeKey.stringKey("service.version"), "9.1")));
    SdkTracerProvider tracing =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(
                SimpleSpanProcessor.create(
                    OtlpHttpSpanExporter.builder().setEndpoint(base() + "/v1/traces").build()))
            .build();
    Tracer tracer = tracing.get("test");
    List<String> traceIds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Span span = tracer.spanBuilder("POST /pay").startSpan();
      try {
        throw new java.util.concurrent.TimeoutException(
            "gateway timed out after " + (300 + i) + "ms");
      } catch (java.util.concurrent.TimeoutException e) {
        span.recordException(e);
      } finally {
        span.end();
      }
      traceIds.add(span.getSpanContext().getTraceId());
    }
    tracing.forceFlush().join(10, TimeUnit.SECONDS);
    tracing.close();
    JsonNode issues = awaitIssues("service=payments&category=timeout", i -> total(i) >= 3);
    assertThat(issues).hasSize(1);
    assertThat(issues.get(0).get("releases").get(0).asText()).isEqualTo("9.1");
    JsonNode events =
        get("/api/errors/issues/" + issues.get(0).get("id").asLong() + "/events").get("events");
    assertThat(events).hasSize(3);
    for (JsonNode e : events) {
      assertThat(e.get("source").asText()).isEqualTo("otlp-span");
      assertThat(traceIds).contains(e.get("traceId").asText());
      assertThat(e.get("traceLink").asText()).isEqualTo("/api/traces/" + e.get("traceId").asText());
    }

    SdkLoggerProvider logs =
        SdkLoggerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "ledger"))))
            .addLogRecordProcessor(
                SimpleLogRecordProcessor.create(
                    OtlpHttpLogRecordExporter.builder().setEndpoint(base() + "/v1/logs").build()))
            .build();
    logs.get("test")
        .logRecordBuilder()
        .setSeverity(Severity.INFO)
        .setBody("a plain log line is not an error")
        .emit();
    logs.get("test")
        .logRecordBuilder()
        .setSeverity(Severity.ERROR)
        .setBody("posting failed")
        .setAttribute(AttributeKey.stringKey("exception.type"), "java.lang.IllegalStateException")
        .setAttribute(AttributeKey.stringKey("exception.message"), "ledger 42 is closed")
        .setAttribute(
            AttributeKey.stringKey("exception.stacktrace"),
            "java.lang.IllegalStateException: ledger 42 is closed\n\tat com.acme.Ledger.post(Ledger.java:10)\n")
        .emit();
    logs.forceFlush().join(10, TimeUnit.SECONDS);
    logs.close();
    JsonNode ledger = awaitIssues("service=ledger", i -> total(i) >= 1);
    assertThat(ledger).hasSize(1);
    assertThat(ledger.get(0).get("title").asText())
        .isEqualTo("java.lang.IllegalStateException: ledger <num> is closed");
    assertThat(ledger.get(0).get("culprit").asText()).isEqualTo("com.acme.Ledger.post");
  }

  @Test
  void otlpGrpcLogRecordsWithExceptionsBecomeIssues() throws Exception {
    SdkLoggerProvider logs =
        SdkLoggerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "grpc-ledger"))))
            .addLogRecordProcessor(
                SimpleLogRecordProcessor.create(
                    io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter.builder()
                        .setEndpoint(base())
                        .build()))
            .build();
    for (int i = 0; i < 2; i++) {
      logs.get("test")
          .logRecordBuilder()
          .setSeverity(Severity.FATAL)
          .setAttribute(AttributeKey.stringKey("exception.type"), "java.lang.OutOfMemoryError")
          .setAttribute(AttributeKey.stringKey("exception.message"), "Java heap space")
          .emit();
    }
    logs.forceFlush().join(10, TimeUnit.SECONDS);
    logs.close();
    JsonNode issues = awaitIssues("service=grpc-ledger", i -> total(i) >= 2);
    assertThat(issues).hasSize(1);
    assertThat(issues.get(0).get("category").asText()).isEqualTo("out_of_memory");
    assertThat(issues.get(0).get("severity").asText()).isEqualTo("fatal");
    JsonNode events =
        get("/api/errors/issues/" + issues.get(0).get("id").asLong() + "/events").get("events");
    assertThat(events.get(0).get("source").asText()).isEqualTo("otlp-log");
  }

  @Test
  void jsonApiNamesFieldAndLimitAndLifecycleWorksOverHttp() throws Exception {
    HttpResponse<String> bad =
        post(
            "/api/errors/events",
            "POST",
            "{\"service\":\"menu\",\"exception\":{\"type\":\"" + "x".repeat(600) + "\"}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("message").asText())
        .isEqualTo("exception.type: longer than 512 characters (limit 512)");
    HttpResponse<String> noException =
        post("/api/errors/events", "POST", "{\"events\":[{\"service\":\"x\"}]}");
    assertThat(noException.statusCode()).isEqualTo(400);
    assertThat(noException.body()).contains("events[0].exception: missing");

    String event =
        "{\"service\":\"menu\",\"release\":\"%s\",\"user\":{\"id\":\"u%d\"},"
            + "\"exception\":{\"type\":\"com.acme.MenuNotFound\",\"message\":\"menu %d not found\","
            + "\"frames\":[{\"module\":\"com.acme.Menus\",\"function\":\"load\",\"line\":%d}]}}";
    HttpResponse<String> created =
        post("/api/errors/events", "POST", event.formatted("2.0", 1, 7, 10));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    long id = JSON.readTree(created.body()).get("events").get(0).get("issueId").asLong();
    post("/api/errors/events", "POST", event.formatted("2.0", 2, 8, 11));

    JsonNode detail = get("/api/errors/issues/" + id);
    assertThat(detail.get("count").asLong()).isEqualTo(2);
    assertThat(detail.get("users").asLong()).isEqualTo(2);
    assertThat(detail.get("category").asText()).isEqualTo("not_found");
    assertThat(detail.get("hourly")).hasSize(48);
    assertThat(detail.get("daily")).hasSize(30);
    assertThat(detail.get("suggestedFix").get("summary").asText()).isNotEmpty();

    HttpResponse<String> resolve =
        post(
            "/api/errors/issues/" + id,
            "PUT",
            "{\"status\":\"resolved\",\"resolution\":\"next_release\"}");
    assertThat(resolve.statusCode()).as(resolve.body()).isEqualTo(200);
    assertThat(JSON.readTree(resolve.body()).get("resolution").get("inRelease").asText())
        .isEqualTo("2.0");
    post("/api/errors/events", "POST", event.formatted("2.0", 3, 9, 12));
    assertThat(get("/api/errors/issues/" + id).get("status").asText()).isEqualTo("resolved");
    post("/api/errors/events", "POST", event.formatted("2.1", 3, 9, 12));
    assertThat(get("/api/errors/issues/" + id).get("status").asText()).isEqualTo("regressed");
    assertThat(get("/api/errors/issues?status=unresolved&service=menu").get("issues")).hasSize(1);

    HttpResponse<String> badStatus =
        post("/api/errors/issues/" + id, "PUT", "{\"status\":\"gone\"}");
    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(badStatus.body()).contains("status: must be resolved, ignored or unresolved");
    assertThat(
            send(HttpRequest.newBuilder(URI.create(base() + "/api/errors/issues/999999")))
                .statusCode())
        .isEqualTo(404);

    // a second fault, merged into the first, then split back out by its fingerprint
    String other =
        "{\"service\":\"menu\",\"exception\":{\"type\":\"com.acme.PriceMissing\","
            + "\"message\":\"no price\",\"frames\":[{\"module\":\"com.acme.Prices\",\"function\":\"of\"}]}}";
    long second =
        JSON.readTree(post("/api/errors/events", "POST", other).body())
            .get("events")
            .get(0)
            .get("issueId")
            .asLong();
    HttpResponse<String> merged =
        post("/api/errors/issues/" + id + "/merge", "POST", "{\"issues\":[" + second + "]}");
    assertThat(merged.statusCode()).as(merged.body()).isEqualTo(200);
    assertThat(JSON.readTree(merged.body()).get("count").asLong()).isEqualTo(5);
    assertThat(get("/api/errors/issues/" + second).get("status").asText()).isEqualTo("merged");
    String fp = get("/api/errors/issues/" + second).get("fingerprint").asText();
    HttpResponse<String> split =
        post("/api/errors/issues/" + id + "/unmerge", "POST", "{\"fingerprint\":\"" + fp + "\"}");
    assertThat(split.statusCode()).as(split.body()).isEqualTo(200);
    long splitId = JSON.readTree(split.body()).get("newIssueId").asLong();
    assertThat(get("/api/errors/issues/" + splitId).get("count").asLong()).isEqualTo(1);
    assertThat(get("/api/errors/issues/" + id).get("count").asLong()).isEqualTo(4);
  }

  @Test
  void signalsAreExportedAsMetrics() throws Exception {
    post(
        "/api/errors/events",
        "POST",
        "{\"service\":\"signals\",\"exception\":{\"type\":\"java.net.ConnectException\",\"message\":\"refused\"}}");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode result;
    do {
      result =
          get("/api/v1/query?query="
                  + java.net.URLEncoder.encode(
                      "yumzoom_errors_new_issues_total{service=\"signals\"}",
                      StandardCharsets.UTF_8))
              .get("data")
              .get("result");
      if (!result.isEmpty()) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    } while (System.nanoTime() < deadline);
    assertThat(result).hasSize(1);
    assertThat(result.get(0).get("value").get(1).asText()).isEqualTo("1");
    JsonNode events =
        get("/api/v1/query?query="
                + java.net.URLEncoder.encode(
                    "yumzoom_errors_events_total{service=\"signals\"}", StandardCharsets.UTF_8))
            .get("data")
            .get("result");
    assertThat(events.get(0).get("metric").get("category").asText()).isEqualTo("network");
    JsonNode dropped =
        get("/api/v1/query?query="
                + java.net.URLEncoder.encode(
                    "yumzoom_errors_dropped_total{reason=\"queue_full\"}", StandardCharsets.UTF_8))
            .get("data")
            .get("result");
    assertThat(dropped).hasSize(1);
    assertThat(dropped.get(0).get("value").get(1).asText()).isEqualTo("0");
  }
}
