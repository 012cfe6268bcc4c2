package com.yumzoom.ops.ingest;

import static com.yumzoom.ops.ingest.OtlpTestData.request;
import static com.yumzoom.ops.ingest.OtlpTestData.resource;
import static com.yumzoom.ops.ingest.OtlpTestData.scope;
import static com.yumzoom.ops.ingest.OtlpTestData.span;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpRequestWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.ingest.IngestStats.Outcome;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP ingest against a real Armeria server on loopback, driven by the official OpenTelemetry SDK
 * exporters (gRPC and HTTP/protobuf) and by hand-written OTLP/JSON and protobuf requests.
 */
class OtlpIngestIT {

  private static final IngestLimits LIMITS = new IngestLimits(256 * 1024, 1000, 32, 1024, 128);
  private static final int PERMITS = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The example of the OTLP specification (opentelemetry-proto examples/trace.json). */
  private static final String SPEC_EXAMPLE =
      """
      {
        "resourceSpans": [
          {
            "resource": {
              "attributes": [
                {"key": "service.name", "value": {"stringValue": "my.service"}}
              ]
            },
            "scopeSpans": [
              {
                "scope": {
                  "name": "my.library",
                  "version": "1.0.0",
                  "attributes": [
                    {"key": "my.scope.attribute", "value": {"stringValue": "some scope attribute"}}
                  ]
                },
                "spans": [
                  {
                    "traceId": "5B8EFFF798038103D269B633813FC60C",
                    "spanId": "EEE19B7EC3C1B174",
                    "parentSpanId": "EEE19B7EC3C1B173",
                    "name": "I'm a server span",
                    "startTimeUnixNano": "1544712660000000000",
                    "endTimeUnixNano": "1544712661000000000",
                    "kind": 2,
                    "attributes": [
                      {"key": "my.span.attr", "value": {"stringValue": "some value"}},
                      {"key": "retries", "value": {"intValue": "3"}}
                    ]
                  }
                ]
              }
            ]
          }
        ]
      }
      """;

  private static final TestSink sink = new TestSink();
  private static final DecodePermits permits = new DecodePermits(PERMITS);
  private static final IngestStats stats = new IngestStats();
  private static Server server;
  private static String base;
  private static HttpClient http;

  @BeforeAll
  static void startServer() {
    // Both the JDK and the OkHttp sender are on the test classpath; the JDK one does HTTP.
    System.setProperty(
        "io.opentelemetry.exporter.internal.http.HttpSenderProvider",
        "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider");
    ServerBuilder sb = Server.builder().http(new InetSocketAddress("127.0.0.1", 0));
    IngestRoutes.register(sb, sink, LIMITS, stats, permits);
    server = sb.build();
    server.start().join();
    base = "http://127.0.0.1:" + server.activeLocalPort();
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

  // ---- official SDK exporters -------------------------------------------------------------

  @Test
  void grpcExporterWithGzipDeliversSpans() {
    OtlpGrpcSpanExporter exporter =
        OtlpGrpcSpanExporter.builder()
            .setEndpoint(base)
            .setCompression("gzip")
            .setTimeout(Duration.ofSeconds(10))
            .build();
    assertSdkSpansArrive(exporter, "it-grpc");
  }

  @Test
  void httpProtobufExporterDeliversSpans() {
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(base + "/v1/traces")
            .setTimeout(Duration.ofSeconds(10))
            .build();
    assertSdkSpansArrive(exporter, "it-http");
  }

  @Test
  void httpProtobufExporterWithGzipDeliversSpans() {
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(base + "/v1/traces")
            .setCompression("gzip")
            .setTimeout(Duration.ofSeconds(10))
            .build();
    assertSdkSpansArrive(exporter, "it-http-gzip");
  }

  @Test
  void exportCompletesOnlyAfterTheCommit() throws InterruptedException {
    sink.mode(TestSink.Mode.HOLD);
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(base + "/v1/traces")
            .setTimeout(Duration.ofSeconds(10))
            .build();
    try (SdkTracerProvider provider = provider(exporter, "it-durable")) {
      provider.get("it").spanBuilder("held").startSpan().end();
      CompletableResultCode flushed = provider.forceFlush();

      CompletableFuture<Void> commit = sink.nextHeld();
      assertThat(sink.rows()).extracting(SpanRow::name).containsExactly("held");
      assertThat(flushed.isDone()).isFalse();

      commit.complete(null);
      assertThat(flushed.join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }
  }

  private void assertSdkSpansArrive(SpanExporter exporter, String serviceName) {
    String traceId;
    String parentId;
    String childId;
    try (SdkTracerProvider provider = provider(exporter, serviceName)) {
      Tracer tracer = provider.get("io.yumzoom.it", "1.2.3");
      Span parent =
          tracer
              .spanBuilder("GET /orders/{id}")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.route", "/orders/{id}")
              .setAttribute("http.response.status_code", 200L)
              .startSpan();
      try (Scope ignored = parent.makeCurrent()) {
        Span child = tracer.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT).startSpan();
        child.setStatus(StatusCode.ERROR, "timeout");
        child.end();
        childId = child.getSpanContext().getSpanId();
      }
      parent.end();
      traceId = parent.getSpanContext().getTraceId();
      parentId = parent.getSpanContext().getSpanId();
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    assertThat(sink.rows()).hasSize(2);
    SpanRow root = row("GET /orders/{id}");
    SpanRow child = row("SELECT orders");
    assertThat(root.traceId()).isEqualTo(TraceId.fromHex(traceId));
    assertThat(child.traceId()).isEqualTo(root.traceId());
    assertThat(root.spanId()).isEqualTo(Long.parseUnsignedLong(parentId, 16));
    assertThat(child.parentSpanId()).isEqualTo(root.spanId());
    assertThat(child.spanId()).isEqualTo(Long.parseUnsignedLong(childId, 16));
    assertThat(root.isRoot()).isTrue();
    assertThat(root.name()).isEqualTo("GET /orders/{id}");
    assertThat(child.name()).isEqualTo("SELECT orders");
    assertThat(root.kind()).isEqualTo(2);
    assertThat(child.kind()).isEqualTo(3);
    assertThat(child.isError()).isTrue();
    assertThat(root.serviceName()).isEqualTo(serviceName);
    assertThat(root.tags())
        .contains("\nservice.name=" + serviceName + "\n")
        .contains("\ntelemetry.sdk.language=java\n")
        .contains("\nhttp.route=/orders/{id}\n")
        .contains("\nhttp.response.status_code=200\n");
    assertThat(root.durationNanos()).isPositive();
    assertThat(root.envelope()).isNotEmpty();
  }

  private static SpanRow row(String name) {
    return sink.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  private static SdkTracerProvider provider(SpanExporter exporter, String serviceName) {
    return SdkTracerProvider.builder()
        .setResource(
            Resource.getDefault()
                .merge(
                    Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), serviceName))))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
  }

  // ---- OTLP/JSON by hand ------------------------------------------------------------------

  @Test
  void acceptsTheSpecificationJsonExample() throws Exception {
    HttpResponse<String> response = post("application/json", SPEC_EXAMPLE.getBytes(UTF_8), null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{}"));
    SpanRow row = sink.rows().getFirst();
    assertThat(row.traceId().toHex()).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(row.spanId()).isEqualTo(0xEEE19B7EC3C1B174L);
    assertThat(row.parentSpanId()).isEqualTo(0xEEE19B7EC3C1B173L);
    assertThat(row.name()).isEqualTo("I'm a server span");
    assertThat(row.kind()).isEqualTo(2);
    assertThat(row.startEpochNanos()).isEqualTo(1544712660000000000L);
    assertThat(row.durationNanos()).isEqualTo(1_000_000_000L);
    assertThat(row.serviceName()).isEqualTo("my.service");
    assertThat(row.tags())
        .isEqualTo("\nservice.name=my.service\nmy.span.attr=some value\nretries=3\n");
  }

  @Test
  void acceptsGzipJson() throws Exception {
    HttpResponse<String> response =
        post("application/json", OtlpTestData.gzip(SPEC_EXAMPLE.getBytes(UTF_8)), "gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(sink.rows()).extracting(SpanRow::name).containsExactly("I'm a server span");
  }

  @Test
  void jsonPartialSuccessNamesTheRejectedSpans() throws Exception {
    String body =
        SPEC_EXAMPLE.replace(
            "\"spans\": [",
            "\"spans\": [{\"traceId\": \"00000000000000000000000000000000\","
                + " \"spanId\": \"EEE19B7EC3C1B175\", \"name\": \"zero\"},");

    HttpResponse<String> response = post("application/json", body.getBytes(UTF_8), null);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.at("/partialSuccess/rejectedSpans").asText()).isEqualTo("1");
    assertThat(json.at("/partialSuccess/errorMessage").asText())
        .isEqualTo(
            "rejected 1 span with an invalid traceId (must be 16 bytes, not all zero), first at"
                + " resourceSpans[0].scopeSpans[0].spans[0]");
    assertThat(sink.rows()).extracting(SpanRow::name).containsExactly("I'm a server span");
  }

  @Test
  void jsonLimitViolationIs400NamingFieldAndLimit() throws Exception {
    String body = SPEC_EXAMPLE.replace("I'm a server span", "n".repeat(129));
    long before = stats.requests(Outcome.INVALID);

    HttpResponse<String> response = post("application/json", body.getBytes(UTF_8), null);

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("invalid_request");
    assertThat(json.get("message").asText())
        .isEqualTo(
            "resourceSpans[0].scopeSpans[0].spans[0].name is 129 characters, longer than the limit"
                + " of 128 (ingest.max-span-name-length)");
    assertThat(json.get("code").asInt()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(sink.rows()).isEmpty();
    assertThat(stats.requests(Outcome.INVALID)).isEqualTo(before + 1);
  }

  @Test
  void malformedJsonIs400() throws Exception {
    HttpResponse<String> response =
        post("application/json", "{\"resourceSpans\": [".getBytes(UTF_8), null);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .startsWith("body is not an OTLP/JSON ExportTraceServiceRequest: body is not valid JSON");
  }

  // ---- protobuf by hand -------------------------------------------------------------------

  @Test
  void protobufPartialSuccessIsInTheProtobufResponse() throws Exception {
    ExportTraceServiceRequest request =
        request(
            resource("svc")
                .addScopeSpans(scope("s", span(1), span(2).setSpanId(ByteString.EMPTY), span(3))));

    HttpResponse<byte[]> response =
        postBytes("application/x-protobuf", request.toByteArray(), null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/x-protobuf");
    ExportTraceServiceResponse parsed = ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(parsed.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(parsed.getPartialSuccess().getErrorMessage())
        .contains("invalid spanId", "resourceSpans[0].scopeSpans[0].spans[1]");
    assertThat(sink.rows()).extracting(SpanRow::spanId).containsExactly(1L, 3L);
  }

  @Test
  void protobufLimitViolationIs400WithStatusBody() throws Exception {
    io.opentelemetry.proto.trace.v1.Span.Builder span = span(1);
    for (int a = 0; a < 33; a++) {
      span.addAttributes(OtlpTestData.str("k" + a, "v"));
    }
    byte[] body = request(resource("svc").addScopeSpans(scope("s", span))).toByteArray();

    HttpResponse<byte[]> response = postBytes("application/x-protobuf", body, null);

    assertThat(response.statusCode()).isEqualTo(400);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(status.getMessage())
        .isEqualTo(
            "resourceSpans[0].scopeSpans[0].spans[0].attributes has 33 entries, more than the"
                + " limit of 32 (ingest.max-attributes-per-span)");
  }

  @Test
  void garbageProtobufIs400() throws Exception {
    HttpResponse<byte[]> response =
        postBytes("application/x-protobuf", new byte[] {(byte) 0xFF, 1, 2, 3}, null);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(com.google.rpc.Status.parseFrom(response.body()).getMessage())
        .startsWith("body is not a protobuf ExportTraceServiceRequest");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    long before = stats.requests(Outcome.TOO_LARGE);
    byte[] big = new byte[(int) LIMITS.maxBodyBytes() + 1];

    HttpResponse<String> response = post("application/json", big, null);

    assertThat(response.statusCode()).isEqualTo(413);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("body_too_large");
    assertThat(json.get("message").asText())
        .isEqualTo(
            "request body is larger than the limit of 262144 bytes (ingest.max-body-bytes;"
                + " counted after decompression too)");
    assertThat(stats.requests(Outcome.TOO_LARGE)).isEqualTo(before + 1);
  }

  @Test
  void streamedBodyOverTheLimitIs413() throws Exception {
    // No Content-Length: the limit cuts the body while it arrives.
    HttpRequestWriter request =
        HttpRequest.streaming(
            RequestHeaders.builder(HttpMethod.POST, "/v1/traces")
                .contentType(MediaType.JSON)
                .build());
    CompletableFuture<AggregatedHttpResponse> response =
        WebClient.of(base).execute(request).aggregate();
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < 5 && request.tryWrite(HttpData.wrap(chunk)); i++) {
      // 5 x 64 KiB > 256 KiB; the server may stop reading before the last chunk
    }
    request.close();

    AggregatedHttpResponse aggregated = response.get(10, TimeUnit.SECONDS);
    assertThat(aggregated.status()).isEqualTo(HttpStatus.REQUEST_ENTITY_TOO_LARGE);
    assertThat(JSON.readTree(aggregated.contentUtf8()).get("error").asText())
        .isEqualTo("body_too_large");
  }

  @Test
  void gzipBombIs413() throws Exception {
    // 1 MiB span name: a few kilobytes compressed, four times the limit once inflated.
    byte[] body =
        request(resource("svc").addScopeSpans(scope("s", span(1).setName("x".repeat(1 << 20)))))
            .toByteArray();
    byte[] compressed = OtlpTestData.gzip(body);
    assertThat(compressed.length).isLessThan(16 * 1024);

    HttpResponse<byte[]> response = postBytes("application/x-protobuf", compressed, "gzip");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(com.google.rpc.Status.parseFrom(response.body()).getMessage())
        .contains("262144 bytes (ingest.max-body-bytes");
  }

  @Test
  void corruptGzipIs400() throws Exception {
    HttpResponse<String> response =
        post("application/json", "not gzip at all".getBytes(UTF_8), "gzip");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .startsWith("body is not valid gzip");
  }

  @Test
  void unsupportedContentTypeIs415() throws Exception {
    HttpResponse<String> response = post("text/plain", "hello".getBytes(UTF_8), null);

    assertThat(response.statusCode()).isEqualTo(415);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("error").asText()).isEqualTo("unsupported_media_type");
    assertThat(json.get("message").asText())
        .isEqualTo(
            "Content-Type must be application/x-protobuf or application/json, got text/plain");
  }

  @Test
  void unsupportedEncodingIs415() throws Exception {
    HttpResponse<String> response = post("application/json", SPEC_EXAMPLE.getBytes(UTF_8), "br");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .isEqualTo("Content-Encoding must be gzip or identity, got br");
  }

  @Test
  void overloadedSinkIs429WithRetryAfter() throws Exception {
    sink.mode(TestSink.Mode.OVERLOADED);
    long before = stats.requests(Outcome.THROTTLED);

    HttpResponse<String> response = post("application/json", SPEC_EXAMPLE.getBytes(UTF_8), null);

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("3");
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("overloaded");
    assertThat(stats.requests(Outcome.THROTTLED)).isEqualTo(before + 1);
  }

  @Test
  void storageFailureIs503WithRetryAfter() throws Exception {
    sink.mode(TestSink.Mode.STORAGE_FAILURE);
    byte[] body = request(resource("svc").addScopeSpans(scope("s", span(1)))).toByteArray();

    HttpResponse<byte[]> response = postBytes("application/x-protobuf", body, null);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).hasValue("5");
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
    assertThat(status.getMessage()).isEqualTo("spans could not be stored; retry later");
  }

  @Test
  void requestsBeyondTheDecodeBoundAreRefusedAtOnce() throws Exception {
    byte[] body = request(resource("svc").addScopeSpans(scope("s", span(1)))).toByteArray();
    WebClient client = WebClient.of(base);
    RequestHeaders headers =
        RequestHeaders.builder(HttpMethod.POST, "/v1/traces")
            .contentType(MediaType.X_PROTOBUF)
            .build();
    // Two requests that send their headers and half a body, then stall: they hold both permits.
    HttpRequestWriter[] stalled = new HttpRequestWriter[PERMITS];
    List<CompletableFuture<AggregatedHttpResponse>> pending = new java.util.ArrayList<>();
    for (int i = 0; i < PERMITS; i++) {
      stalled[i] = HttpRequest.streaming(headers);
      pending.add(client.execute(stalled[i]).aggregate());
      stalled[i].write(HttpData.wrap(body, 0, body.length / 2));
    }

    // Wait (bounded) until both stalled requests hold their permit; nothing else is in flight.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (permits.available() > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    assertThat(permits.available()).isZero();

    HttpResponse<byte[]> refused = postBytes("application/x-protobuf", body, null);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
    assertThat(com.google.rpc.Status.parseFrom(refused.body()).getMessage())
        .isEqualTo("too many requests are being decoded (2); retry later");
    ExportTraceServiceRequest grpcRequest =
        request(resource("svc").addScopeSpans(scope("s", span(2))));
    assertThatThrownBy(() -> grpc().export(grpcRequest))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("too many requests are being decoded (2); retry later");
            });
    for (HttpRequestWriter writer : stalled) {
      writer.write(HttpData.wrap(body, body.length / 2, body.length - body.length / 2));
      writer.close();
    }
    for (CompletableFuture<AggregatedHttpResponse> r : pending) {
      assertThat(r.get(10, TimeUnit.SECONDS).status()).isEqualTo(HttpStatus.OK);
    }
    assertThat(postBytes("application/x-protobuf", body, null).statusCode()).isEqualTo(200);
  }

  // ---- gRPC by hand (to see status codes) -------------------------------------------------

  @Test
  void grpcLimitViolationIsInvalidArgument() {
    ExportTraceServiceRequest request =
        request(resource("svc").addScopeSpans(scope("s", span(1).setName("n".repeat(129)))));

    assertThatThrownBy(() -> grpc().export(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "resourceSpans[0].scopeSpans[0].spans[0].name is 129 characters, longer than"
                          + " the limit of 128 (ingest.max-span-name-length)");
            });
  }

  @Test
  void grpcPartialSuccess() {
    ExportTraceServiceResponse response =
        grpc()
            .export(
                request(
                    resource("svc")
                        .addScopeSpans(
                            scope("s", span(1), span(2).setTraceId(OtlpTestData.filled(16, 0))))));

    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(sink.rows()).extracting(SpanRow::spanId).containsExactly(1L);
  }

  @Test
  void grpcOverloadIsUnavailableWithRetryInfo() {
    sink.mode(TestSink.Mode.OVERLOADED);
    ExportTraceServiceRequest request = request(resource("svc").addScopeSpans(scope("s", span(1))));

    assertThatThrownBy(() -> grpc().export(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).isEqualTo("ingest queue is full");
              com.google.rpc.Status status = StatusProto.fromThrowable(e);
              assertThat(status).isNotNull();
              assertThat(status.getDetailsList())
                  .singleElement()
                  .satisfies(
                      any ->
                          assertThat(any.unpack(RetryInfo.class).getRetryDelay().getSeconds())
                              .isEqualTo(3));
            });
  }

  @Test
  void grpcStorageFailureIsUnavailable() {
    sink.mode(TestSink.Mode.STORAGE_FAILURE);
    ExportTraceServiceRequest request = request(resource("svc").addScopeSpans(scope("s", span(1))));

    assertThatThrownBy(() -> grpc().export(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void grpcMessageOverTheLimitIsResourceExhausted() throws InterruptedException {
    long before = stats.requests(Outcome.TOO_LARGE);
    ExportTraceServiceRequest request =
        request(resource("svc").addScopeSpans(scope("s", span(1).setName("x".repeat(1 << 20)))));

    assertThatThrownBy(() -> grpc().export(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    // gzip: small on the wire, over the limit once inflated
    assertThatThrownBy(() -> grpc().withCompression("gzip").export(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(sink.rows()).isEmpty();
    // Armeria itself answers these; the outcome is counted when the request log completes, which
    // may be just after the client has its answer.
    assertThat(awaitCount(Outcome.TOO_LARGE, before + 2)).isEqualTo(before + 2);
  }

  @Test
  void grpcGarbageMessageIsInvalidArgument() {
    MethodDescriptor.Marshaller<byte[]> raw =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(InputStream stream) {
            throw new UnsupportedOperationException();
          }
        };
    MethodDescriptor<byte[], byte[]> export =
        TraceServiceGrpc.getExportMethod().toBuilder(raw, raw).build();

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    grpc().getChannel(),
                    export,
                    CallOptions.DEFAULT,
                    new byte[] {(byte) 0xFF, 1, 2, 3}))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .startsWith("message is not an ExportTraceServiceRequest");
            });
  }

  private static TraceServiceGrpc.TraceServiceBlockingStub grpc() {
    return GrpcClients.builder(base)
        .maxRequestMessageLength(64 << 20)
        .build(TraceServiceGrpc.TraceServiceBlockingStub.class);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** The counter once it reaches {@code expected}, or its value after a bounded wait. */
  private static long awaitCount(Outcome outcome, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (stats.requests(outcome) < expected && System.nanoTime() < deadline) {
      Thread.sleep(5); // waiting for the server's request log, not timing our own logic
    }
    return stats.requests(outcome);
  }

  private static HttpResponse<String> post(String contentType, byte[] body, String encoding)
      throws IOException, InterruptedException {
    return http.send(httpRequest(contentType, body, encoding), BodyHandlers.ofString());
  }

  private static HttpResponse<byte[]> postBytes(String contentType, byte[] body, String encoding)
      throws IOException, InterruptedException {
    return http.send(httpRequest(contentType, body, encoding), BodyHandlers.ofByteArray());
  }

  private static java.net.http.HttpRequest httpRequest(
      String contentType, byte[] body, String encoding) {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", contentType)
            .POST(BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    return b.build();
  }
}
