package com.yumzoom.ops.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.ingest.IngestStats.Outcome;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.codec.SpanBytesEncoder;
import zipkin2.reporter.AsyncReporter;
import zipkin2.reporter.InMemoryReporterMetrics;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * Zipkin v2 ingest against a real Armeria server on loopback, driven by the Zipkin reporter library
 * (URLConnectionSender, gzip on by default) and by hand-written requests.
 */
class ZipkinIngestIT {

  private static final IngestLimits LIMITS = new IngestLimits(64 * 1024, 100, 16, 256, 64);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final TestSink sink = new TestSink();
  private static final IngestStats stats = new IngestStats();
  private static Server server;
  private static String endpoint;
  private static HttpClient http;

  @BeforeAll
  static void startServer() {
    ServerBuilder sb = Server.builder().http(new InetSocketAddress("127.0.0.1", 0));
    IngestRoutes.register(sb, sink, LIMITS, stats, 4);
    server = sb.build();
    server.start().join();
    endpoint = "http://127.0.0.1:" + server.activeLocalPort() + "/api/v2/spans";
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stopServer() {
    http.close();
    server.stop().join();
  }

  @BeforeEach
  void resetSink() {
    sink.reset();
  }

  @Test
  void reporterDeliversSpans() {
    InMemoryReporterMetrics metrics = new InMemoryReporterMetrics();
    try (URLConnectionSender sender = URLConnectionSender.create(endpoint);
        AsyncReporter<Span> reporter =
            AsyncReporter.builder(sender)
                .metrics(metrics)
                .messageTimeout(0, TimeUnit.MILLISECONDS)
                .build()) {
      reporter.report(server("a1", null));
      reporter.report(client("b2", "a1"));
      reporter.flush();
    }

    assertThat(metrics.messagesDropped()).isZero();
    assertThat(metrics.messages()).isEqualTo(1);
    assertThat(sink.rows()).hasSize(2);
    SpanRow root = sink.rows().get(0);
    SpanRow child = sink.rows().get(1);
    assertThat(root.traceId()).isEqualTo(TraceId.fromHex("48485a3953bb6124"));
    assertThat(root.traceId().high()).isZero();
    assertThat(root.spanId()).isEqualTo(0xa1);
    assertThat(root.isRoot()).isTrue();
    assertThat(root.serviceName()).isEqualTo("frontend");
    assertThat(root.name()).isEqualTo("get /checkout");
    assertThat(root.kind()).isEqualTo(2);
    assertThat(root.startEpochNanos()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(root.durationNanos()).isEqualTo(150_000_000L);
    assertThat(root.tags()).contains("\nservice.name=frontend\n", "\nhttp.method=POST\n");
    assertThat(child.parentSpanId()).isEqualTo(0xa1);
    assertThat(child.kind()).isEqualTo(3);
    assertThat(child.isError()).isTrue();
    assertThat(child.tags()).contains("\npeer.service=payments\n", "\nnetwork.peer.port=8443\n");
    assertThat(stats.acceptedSpans()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void uncompressedReporterDeliversSpans() {
    try (URLConnectionSender sender =
            URLConnectionSender.newBuilder().endpoint(endpoint).compressionEnabled(false).build();
        AsyncReporter<Span> reporter =
            AsyncReporter.builder(sender).messageTimeout(0, TimeUnit.MILLISECONDS).build()) {
      reporter.report(server("c3", null));
      reporter.flush();
    }

    assertThat(sink.rows()).extracting(SpanRow::spanId).containsExactly(0xc3L);
  }

  @Test
  void senderSeesOverloadAsFailure() {
    sink.mode(TestSink.Mode.OVERLOADED);
    try (URLConnectionSender sender = URLConnectionSender.create(endpoint)) {
      byte[] span = SpanBytesEncoder.JSON_V2.encode(server("d4", null));
      assertThatThrownBy(() -> sender.send(List.of(span))).isInstanceOf(IOException.class);
    }
    assertThat(sink.rows()).isEmpty();
  }

  @Test
  void acceptedIs202WithoutBody() throws Exception {
    HttpResponse<String> response = post("application/json", encode(server("e5", null)));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.body()).isEmpty();
    assertThat(sink.rows()).hasSize(1);
  }

  @Test
  void missingContentTypeIsReadAsJson() throws Exception {
    HttpResponse<String> response = post(null, encode(server("e6", null)));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(sink.rows()).hasSize(1);
  }

  @Test
  void longNameIs400NamingFieldAndLimit() throws Exception {
    Span longName = server("f6", null).toBuilder().name("n".repeat(65)).build();

    HttpResponse<String> response = post("application/json", encode(server("f5", null), longName));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("invalid_request");
    assertThat(json.get("message").asText())
        .isEqualTo(
            "spans[1].name is 65 characters, longer than the limit of 64"
                + " (ingest.max-span-name-length)");
    assertThat(json.has("code")).isFalse();
    assertThat(sink.rows()).isEmpty();
  }

  @Test
  void longTagIs400() throws Exception {
    Span span = server("f7", null).toBuilder().putTag("sql", "s".repeat(257)).build();

    HttpResponse<String> response = post("application/json", encode(span));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .isEqualTo(
            "spans[0].tags (key \"sql\") is 257 characters, longer than the limit of 256"
                + " (ingest.max-attribute-value-length)");
  }

  @Test
  void malformedJsonIs400() throws Exception {
    HttpResponse<String> response = post("application/json", "[{\"id\":".getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .startsWith("body is not a Zipkin v2 JSON list of spans");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    long before = stats.requests(Outcome.TOO_LARGE);

    HttpResponse<String> response = post("application/json", new byte[64 * 1024 + 1]);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("body_too_large");
    assertThat(stats.requests(Outcome.TOO_LARGE)).isEqualTo(before + 1);
  }

  @Test
  void thriftIs415() throws Exception {
    HttpResponse<String> response = post("application/x-thrift", new byte[] {1, 2, 3});

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .isEqualTo(
            "Content-Type must be application/json (Zipkin v2 JSON), got application/x-thrift");
  }

  @Test
  void overloadIs429WithRetryAfter() throws Exception {
    sink.mode(TestSink.Mode.OVERLOADED);

    HttpResponse<String> response = post("application/json", encode(server("a7", null)));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("3");
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("overloaded");
    assertThat(json.get("message").asText()).isEqualTo("ingest queue is full");
  }

  @Test
  void storageFailureIs503WithRetryAfter() throws Exception {
    sink.mode(TestSink.Mode.STORAGE_FAILURE);

    HttpResponse<String> response = post("application/json", encode(server("a8", null)));

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).hasValue("5");
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .isEqualTo("storage_unavailable");
  }

  private static Span server(String id, String parentId) {
    return Span.newBuilder()
        .traceId("48485a3953bb6124")
        .id(id)
        .parentId(parentId)
        .kind(Span.Kind.SERVER)
        .name("GET /checkout")
        .timestamp(1_700_000_000_000_000L)
        .duration(150_000)
        .localEndpoint(Endpoint.newBuilder().serviceName("frontend").ip("10.0.0.1").build())
        .putTag("http.method", "POST")
        .build();
  }

  private static Span client(String id, String parentId) {
    return Span.newBuilder()
        .traceId("48485a3953bb6124")
        .id(id)
        .parentId(parentId)
        .kind(Span.Kind.CLIENT)
        .name("charge")
        .timestamp(1_700_000_000_010_000L)
        .duration(100_000)
        .localEndpoint(Endpoint.newBuilder().serviceName("frontend").build())
        .remoteEndpoint(
            Endpoint.newBuilder().serviceName("payments").ip("10.0.0.2").port(8443).build())
        .putTag("error", "card declined")
        .build();
  }

  private static byte[] encode(Span... spans) {
    return SpanBytesEncoder.JSON_V2.encodeList(List.of(spans));
  }

  private static HttpResponse<String> post(String contentType, byte[] body)
      throws IOException, InterruptedException {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(URI.create(endpoint))
            .timeout(Duration.ofSeconds(10))
            .POST(BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), BodyHandlers.ofString());
  }
}
