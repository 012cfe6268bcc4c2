package com.yumzoom.ops.ingest.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.Values;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OTLP metrics ingest on a real Armeria server on loopback into an in-memory sample store, driven
 * by the official OpenTelemetry SDK exporters (HTTP/protobuf and gRPC) and by hand-written
 * OTLP/JSON; the samples are read back through the PromQL engine.
 */
class OtlpMetricsIngestIT {

  private static final IngestLimits LIMITS = new IngestLimits(64 * 1024, 1000, 32, 1024, 128);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");

  private static InMemorySampleStore store;
  private static PromqlEngine engine;
  private static Server server;
  private static String base;
  private static HttpClient http;

  @BeforeAll
  static void startServer() {
    System.setProperty(
        "io.opentelemetry.exporter.internal.http.HttpSenderProvider",
        "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider");
    store = new InMemorySampleStore(MetricsLimits.DEFAULTS);
    engine = new PromqlEngine(store);
    ServerBuilder sb = Server.builder().http(new InetSocketAddress("127.0.0.1", 0));
    OtlpMetricsRoutes.register(sb, store, LIMITS);
    server = sb.build();
    server.start().join();
    base = "http://127.0.0.1:" + server.activeLocalPort();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stopServer() {
    server.stop().join();
  }

  private static SdkMeterProvider provider(MetricExporter exporter, String service) {
    return SdkMeterProvider.builder()
        .setResource(
            Resource.getDefault()
                .merge(
                    Resource.create(
                        Attributes.of(
                            AttributeKey.stringKey("service.name"),
                            service,
                            AttributeKey.stringKey("service.instance.id"),
                            "i-1"))))
        // A long interval: the test flushes by hand, so nothing is exported behind its back.
        .registerMetricReader(
            PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
  }

  private static void flush(SdkMeterProvider provider) {
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
  }

  private static double scalar(String promql) {
    var v = engine.instant(promql, Instant.now());
    assertThat(v).isInstanceOf(Values.Vector.class);
    var samples = ((Values.Vector) v).samples();
    assertThat(samples).as(promql).hasSize(1);
    return samples.get(0).value();
  }

  private static void recordAll(SdkMeterProvider provider) {
    Meter meter = provider.get("it.meter");
    LongCounter requests = meter.counterBuilder("http.requests").setUnit("{request}").build();
    requests.add(3, Attributes.of(ROUTE, "/a"));
    requests.add(4, Attributes.of(ROUTE, "/b"));
    var depth = meter.upDownCounterBuilder("queue.depth").build();
    depth.add(5);
    depth.add(-2);
    meter.gaugeBuilder("room.temperature").setUnit("Cel").build().set(21.5);
    DoubleHistogram latency =
        meter
            .histogramBuilder("http.duration")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0))
            .build();
    latency.record(0.05);
    latency.record(0.3);
    latency.record(0.3);
    latency.record(0.3);
  }

  private static void assertRecorded(String job) {
    String sel = "{job=\"" + job + "\"}";
    assertThat(scalar("sum by (job) (http_requests_total" + sel + ")")).isEqualTo(7.0);
    assertThat(scalar("http_requests_total{job=\"" + job + "\",http_route=\"/b\"}")).isEqualTo(4.0);
    assertThat(scalar("queue_depth" + sel)).isEqualTo(3.0);
    assertThat(scalar("room_temperature_celsius" + sel)).isEqualTo(21.5);
    assertThat(scalar("http_duration_seconds_count" + sel)).isEqualTo(4.0);
    assertThat(scalar("http_duration_seconds_sum" + sel)).isCloseTo(0.95, within(1e-9));
    // Buckets 0.1:1, 0.5:4, +Inf:4; rank 2 falls in (0.1, 0.5]: 0.1 + 0.4 * (2 - 1) / 3.
    assertThat(
            scalar(
                "histogram_quantile(0.5, sum by (le) (http_duration_seconds_bucket" + sel + "))"))
        .isCloseTo(0.1 + 0.4 / 3, within(1e-9));
    assertThat(
            store.series(
                List.of(
                    LabelMatcher.of("__name__", LabelMatcher.Op.EQ, "target_info"),
                    LabelMatcher.of("job", LabelMatcher.Op.EQ, job),
                    LabelMatcher.of("instance", LabelMatcher.Op.EQ, "i-1"),
                    LabelMatcher.of("telemetry_sdk_language", LabelMatcher.Op.EQ, "java")),
                0,
                Long.MAX_VALUE))
        .hasSize(1);
    assertThat(
            store.series(
                List.of(
                    LabelMatcher.of("__name__", LabelMatcher.Op.EQ, "queue_depth"),
                    LabelMatcher.of("otel_scope_name", LabelMatcher.Op.EQ, "it.meter")),
                0,
                Long.MAX_VALUE))
        .isNotEmpty();
  }

  @Test
  void sdkHttpExporterSamplesAreQueryable() {
    MetricExporter exporter =
        OtlpHttpMetricExporter.builder()
            .setEndpoint(base + "/v1/metrics")
            .setCompression("gzip")
            .setTimeout(Duration.ofSeconds(10))
            .build();
    try (SdkMeterProvider provider = provider(exporter, "it-http")) {
      recordAll(provider);
      flush(provider);
      assertRecorded("it-http");
    }
  }

  @Test
  void sdkGrpcExporterSamplesAreQueryable() {
    MetricExporter exporter =
        OtlpGrpcMetricExporter.builder()
            .setEndpoint(base)
            .setTimeout(Duration.ofSeconds(10))
            .build();
    try (SdkMeterProvider provider = provider(exporter, "it-grpc")) {
      recordAll(provider);
      flush(provider);
      assertRecorded("it-grpc");
    }
  }

  @Test
  void sdkDeltaExportsBecomeCumulativeAndRateWorks() throws Exception {
    MetricExporter exporter =
        OtlpGrpcMetricExporter.builder()
            .setEndpoint(base)
            .setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred())
            .setTimeout(Duration.ofSeconds(10))
            .build();
    try (SdkMeterProvider provider = provider(exporter, "it-delta")) {
      Meter meter = provider.get("it.meter");
      LongCounter jobs = meter.counterBuilder("jobs").build();
      DoubleHistogram latency =
          meter
              .histogramBuilder("job.duration")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0))
              .build();
      jobs.add(2);
      latency.record(0.3);
      flush(provider);
      Thread.sleep(5); // two exports must not share a millisecond
      jobs.add(3);
      latency.record(0.3);
      latency.record(0.3);
      flush(provider);
    }
    assertThat(scalar("jobs_total{job=\"it-delta\"}")).isEqualTo(5.0);
    assertThat(scalar("job_duration_seconds_count{job=\"it-delta\"}")).isEqualTo(3.0);
    assertThat(scalar("increase(jobs_total{job=\"it-delta\"}[5m])")).isPositive();
    // Every observation is in (0.1, 0.5], so whatever rate() extrapolates, the median is in there.
    assertThat(
            scalar(
                "histogram_quantile(0.5, sum by (le)"
                    + " (rate(job_duration_seconds_bucket{job=\"it-delta\"}[5m])))"))
        .isBetween(0.1, 0.5);
  }

  private static HttpResponse<String> post(String contentType, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/metrics"))
            .header("Content-Type", contentType)
            .POST(BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        BodyHandlers.ofString());
  }

  @Test
  void jsonWithAnExponentialHistogramIsStoredAsClassicBuckets() throws Exception {
    String body =
        """
        {"resourceMetrics":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"it-json"}}]},
         "scopeMetrics":[{"metrics":[
          {"name":"json.gauge","gauge":{"dataPoints":[{"asDouble":2.5,"timeUnixNano":"%d"}]}},
          {"name":"json.exp","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[
            {"count":"3","sum":5,"scale":0,"timeUnixNano":"%d",
             "positive":{"offset":0,"bucketCounts":["1","2"]}}]}}]}]}]}
        """
            .formatted(
                System.currentTimeMillis() * 1_000_000L, System.currentTimeMillis() * 1_000_000L);
    HttpResponse<String> r = post("application/json", body.getBytes(UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.path("partialSuccess").path("rejectedDataPoints").asInt()).isZero();
    assertThat(scalar("json_gauge{job=\"it-json\"}")).isEqualTo(2.5);
    assertThat(scalar("json_exp_bucket{job=\"it-json\",le=\"2\"}")).isEqualTo(1);
    assertThat(scalar("json_exp_bucket{job=\"it-json\",le=\"4\"}")).isEqualTo(3);
    assertThat(scalar("json_exp_count{job=\"it-json\"}")).isEqualTo(3);
  }

  @Test
  void jsonErrorNamesTheField() throws Exception {
    HttpResponse<String> r =
        post(
            "application/json",
            "{\"resourceMetrics\":[{\"scopeMetrics\":\"oops\"}]}".getBytes(UTF_8));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.get("error").asText()).isEqualTo("invalid_request");
    assertThat(json.get("code").asInt()).isEqualTo(3);
    assertThat(json.get("message").asText())
        .isEqualTo(
            "body is not a valid ExportMetricsServiceRequest:"
                + " Expected an array for scope_metrics but found \"oops\"");
  }

  @Test
  void tooLargeBodyIs413AndUnknownTypeIs415() throws Exception {
    HttpResponse<String> large =
        post("application/x-protobuf", new byte[(int) LIMITS.maxBodyBytes() + 1]);
    assertThat(large.statusCode()).isEqualTo(413);
    HttpResponse<String> text = post("text/plain", "x".getBytes(UTF_8));
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(text.body()).get("message").asText())
        .isEqualTo(
            "Content-Type must be application/x-protobuf or application/json, got text/plain");
  }

  @Test
  void gzipBombStopsAtTheLimit() throws Exception {
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (var gz = new java.util.zip.GZIPOutputStream(zipped)) {
      gz.write(new byte[(int) LIMITS.maxBodyBytes() * 4]);
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/metrics"))
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(BodyPublishers.ofByteArray(zipped.toByteArray()))
                .timeout(Duration.ofSeconds(10))
                .build(),
            BodyHandlers.ofString());
    assertThat(zipped.size()).isLessThan((int) LIMITS.maxBodyBytes());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).get("message").asText())
        .isEqualTo(
            "request body is larger than the limit of 65536 bytes (ingest.max-body-bytes;"
                + " counted after decompression too)");
  }
}
