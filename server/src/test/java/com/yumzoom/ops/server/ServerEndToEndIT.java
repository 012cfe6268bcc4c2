package com.yumzoom.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * The whole platform as a user meets it: the official OpenTelemetry SDK exporters and the Zipkin
 * sender write to a running server with the DuckDB store; the Tempo and RED APIs read it back.
 */
class ServerEndToEndIT {

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
    server.close();
  }

  static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** Emits a server span with a database child through the SDK, exported synchronously. */
  static String emitTrace(SpanExporter exporter, String service, boolean error) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), service))))
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    try {
      Tracer tracer = provider.get("e2e");
      Span root =
          tracer
              .spanBuilder("GET /restaurants/{id}")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.request.method", "GET")
              .setAttribute("http.response.status_code", error ? 500L : 200L)
              .startSpan();
      try (Scope ignored = root.makeCurrent()) {
        Span db =
            tracer
                .spanBuilder("SELECT restaurants")
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system", "postgresql")
                .startSpan();
        db.end();
        if (error) {
          root.recordException(new IllegalStateException("kitchen closed"));
          root.setStatus(StatusCode.ERROR);
        }
      } finally {
        root.end();
      }
      return root.getSpanContext().getTraceId();
    } finally {
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void otlpGrpcExporterTracesAreQueryableThroughTheTempoApi() throws Exception {
    String traceId =
        emitTrace(
            OtlpGrpcSpanExporter.builder().setEndpoint(base()).build(), "grpc-service", false);

    JsonNode trace = get("/api/traces/" + traceId);
    JsonNode batch = trace.get("batches").get(0);
    assertThat(batch.toString()).contains("grpc-service");
    assertThat(trace.findValues("spans").stream().mapToInt(JsonNode::size).sum()).isEqualTo(2);
    assertThat(trace.findValuesAsText("traceId")).containsOnly(traceId);
  }

  @Test
  void otlpHttpExporterTracesAreSearchableByServiceTagAndStatus() throws Exception {
    String ok =
        emitTrace(
            OtlpHttpSpanExporter.builder().setEndpoint(base() + "/v1/traces").build(),
            "http-service",
            false);
    String failed =
        emitTrace(
            OtlpHttpSpanExporter.builder().setEndpoint(base() + "/v1/traces").build(),
            "http-service",
            true);
    long now = System.currentTimeMillis() / 1000;
    String window = "&start=" + (now - 600) + "&end=" + (now + 600);

    JsonNode all = get("/api/search?tags=" + encode("service.name=\"http-service\"") + window);
    assertThat(all.get("traces").findValuesAsText("traceID")).contains(ok, failed);
    assertThat(all.get("traces").get(0).get("rootServiceName").asText()).isEqualTo("http-service");

    JsonNode errors =
        get("/api/search?tags=" + encode("service.name=\"http-service\" status=error") + window);
    assertThat(errors.get("traces").findValuesAsText("traceID")).containsExactly(failed);

    JsonNode db = get("/api/search?tags=" + encode("db.system=postgresql") + window);
    assertThat(db.get("traces").findValuesAsText("traceID")).contains(ok, failed);

    JsonNode red =
        get(
            "/api/v1/red?service=http-service&by=operation&start="
                + (now - 600)
                + "&end="
                + (now + 600));
    assertThat(red.toString()).contains("GET /restaurants/{id}");
    assertThat(get("/api/v1/services").toString()).contains("http-service");
  }

  @Test
  void zipkinReporterSpansAreStoredAndReadable() throws Exception {
    String traceId = "463ac35c9f6413ad48485a3953bb6124";
    String spans =
        "[{\"traceId\":\""
            + traceId
            + "\",\"id\":\"a2fb4a1d1a96d312\",\"name\":\"get /menus\",\"kind\":\"SERVER\","
            + "\"timestamp\":"
            + System.currentTimeMillis() * 1000
            + ",\"duration\":2500,\"localEndpoint\":{\"serviceName\":\"zipkin-service\"},"
            + "\"tags\":{\"http.path\":\"/menus\"}}]";
    try (URLConnectionSender sender =
        URLConnectionSender.newBuilder()
            .endpoint(base() + "/api/v2/spans")
            .encoding(Encoding.JSON)
            .build()) {
      sender.send(
          java.util.List.of(
              spans.substring(1, spans.length() - 1).getBytes(StandardCharsets.UTF_8)));
    }
    JsonNode trace = get("/api/traces/" + traceId);
    assertThat(trace.toString()).contains("zipkin-service").contains("get /menus");
  }

  @Test
  void exposesItsOwnMetricsInPrometheusFormat() throws Exception {
    emitTrace(OtlpGrpcSpanExporter.builder().setEndpoint(base()).build(), "metrics-service", false);
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    Map<String, Double> samples = new java.util.HashMap<>();
    for (String line : response.body().split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    assertThat(samples.get("yumzoom_ingest_spans_accepted_total")).isGreaterThanOrEqualTo(2);
    assertThat(samples.get("yumzoom_store_spans")).isGreaterThanOrEqualTo(2);
    assertThat(samples.get("yumzoom_ingest_requests_total{outcome=\"accepted\"}"))
        .isGreaterThanOrEqualTo(1);
    assertThat(samples).containsKey("yumzoom_pipeline_queued_spans");
    assertThat(samples.get("yumzoom_metrics_rejected_samples_total")).isZero();
  }

  @Test
  void ownMetricsAreScrapedIntoItselfAndAnsweredOverThePrometheusApi() throws Exception {
    emitTrace(OtlpGrpcSpanExporter.builder().setEndpoint(base()).build(), "promql-service", false);
    // The first self-scrape lands one interval (1 s here) after start; wait for it, bounded.
    JsonNode result = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      result = get("/api/v1/query?query=" + encode("sum(yumzoom_ingest_spans_accepted_total) > 0"));
      if (result.at("/data/result").size() > 0) {
        break;
      }
      Thread.sleep(200); // waiting for the server's scheduler, not timing our own logic
    }
    assertThat(result.get("status").asText()).isEqualTo("success");
    assertThat(result.at("/data/resultType").asText()).isEqualTo("vector");
    assertThat(result.at("/data/result/0/value/1").asDouble()).isGreaterThanOrEqualTo(2);

    JsonNode calls = null;
    while (System.nanoTime() < deadline) {
      calls =
          get(
              "/api/v1/query?query="
                  + encode(
                      "sum by (span_name) (traces_spanmetrics_calls_total{service=\"promql-service\","
                          + "span_kind=\"SPAN_KIND_SERVER\"})"));
      if (calls.at("/data/result").size() > 0) {
        break;
      }
      Thread.sleep(200); // waiting for the server's scheduler, not timing our own logic
    }
    assertThat(calls.at("/data/result/0/metric/span_name").asText())
        .isEqualTo("GET /restaurants/{id}");
    assertThat(calls.at("/data/result/0/value/1").asText()).isEqualTo("1");

    JsonNode up = get("/api/v1/query?query=" + encode("up{job=\"yumzoom\"}"));
    assertThat(up.at("/data/result/0/value/1").asText()).isEqualTo("1");
    assertThat(get("/api/v1/label/__name__/values").get("data").toString())
        .contains("yumzoom_pipeline_commits_total");
  }

  @Test
  void otlpMetricsFromTheSdkAreQueryableWithPromql() throws Exception {
    for (boolean grpc : new boolean[] {true, false}) {
      io.opentelemetry.sdk.metrics.export.MetricExporter exporter =
          grpc
              ? io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter.builder()
                  .setEndpoint(base())
                  .build()
              : io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter.builder()
                  .setEndpoint(base() + "/v1/metrics")
                  .build();
      String service = grpc ? "metrics-grpc" : "metrics-http";
      io.opentelemetry.sdk.metrics.SdkMeterProvider meters =
          io.opentelemetry.sdk.metrics.SdkMeterProvider.builder()
              .setResource(
                  Resource.getDefault()
                      .merge(
                          Resource.create(
                              Attributes.of(AttributeKey.stringKey("service.name"), service))))
              .registerMetricReader(
                  io.opentelemetry.sdk.metrics.export.PeriodicMetricReader.builder(exporter)
                      .setInterval(java.time.Duration.ofHours(1))
                      .build())
              .build();
      try {
        meters
            .get("e2e")
            .counterBuilder("orders.placed")
            .build()
            .add(3, Attributes.of(AttributeKey.stringKey("cuisine"), "thai"));
        assertThat(meters.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      } finally {
        meters.shutdown().join(10, TimeUnit.SECONDS);
      }
      JsonNode result =
          get(
              "/api/v1/query?query="
                  + encode("sum by (job, cuisine) (orders_placed_total{job=\"" + service + "\"})"));
      assertThat(result.at("/data/result/0/metric/cuisine").asText()).isEqualTo("thai");
      assertThat(result.at("/data/result/0/value/1").asText()).isEqualTo("3");
    }
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
