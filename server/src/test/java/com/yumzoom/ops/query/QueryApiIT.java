package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.otlp.OtlpJson;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Starts a real Armeria server with the query routes over a fake store and calls every endpoint
 * over HTTP, as Grafana's Tempo data source and the UI would.
 */
class QueryApiIT {

  private static final Instant NOW = Instant.parse("2025-01-15T12:00:00Z");
  private static final long N = NOW.getEpochSecond() * 1_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final long MIN = 60_000 * MS;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final TraceId A = TestSpans.traceId(0xa);
  private static final TraceId B = TestSpans.traceId(0xb);
  private static final TraceId C = TestSpans.traceId(0xc);
  private static final TraceId D = TestSpans.traceId(0xd);

  private static FakeSpanStore store;
  private static Server server;
  private static HttpClient client;
  private static String base;

  @BeforeAll
  static void start() {
    store = new FakeSpanStore();
    List<SpanRow> rows = new ArrayList<>();
    // A: api GET /orders (250ms) -> api SELECT (client, 50ms) ; inventory GET /stock (100ms)
    rows.add(
        TestSpans.span(A, 1)
            .service("api")
            .name("GET /orders")
            .start(N - 10 * MIN)
            .duration(250 * MS)
            .attribute("http.method", "GET")
            .attribute("http.status_code", "200")
            .row());
    rows.add(
        TestSpans.span(A, 2)
            .parent(1)
            .service("api")
            .name("SELECT")
            .kind(3)
            .start(N - 10 * MIN + 10 * MS)
            .duration(50 * MS)
            .attribute("db.system", "postgresql")
            .row());
    rows.add(
        TestSpans.span(A, 3)
            .parent(1)
            .service("inventory")
            .name("GET /stock")
            .start(N - 10 * MIN + 20 * MS)
            .duration(100 * MS)
            .resourceAttribute("k8s.pod.name", "inv-1")
            .row());
    // B: api POST /orders, error, 1.2s
    rows.add(
        TestSpans.span(B, 1)
            .service("api")
            .name("POST /orders")
            .start(N - 5 * MIN)
            .duration(1200 * MS)
            .attribute("http.method", "POST")
            .attribute("http.status_code", "500")
            .error()
            .row());
    // C: web GET /, two hours ago: outside the default windows
    rows.add(TestSpans.span(C, 1).service("web").name("GET /").start(N - 120 * MIN).row());
    // D: api GET /orders, 80ms, a minute ago
    rows.add(
        TestSpans.span(D, 1)
            .service("api")
            .name("GET /orders")
            .start(N - MIN)
            .duration(80 * MS)
            .attribute("http.method", "GET")
            .attribute("my tag", "spaced")
            .row());
    store.add(rows);

    ServerBuilder sb = Server.builder().http(new InetSocketAddress("127.0.0.1", 0));
    QueryRoutes.register(sb, store, Clock.fixed(NOW, ZoneOffset.UTC));
    server = sb.build();
    server.start().join();
    base = "http://127.0.0.1:" + server.activeLocalPort();
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop().join();
    }
  }

  // ---- Tempo: health ----

  @Test
  void echoAndBuildInfoPassGrafanasHealthCheck() throws Exception {
    HttpResponse<String> echo = get("/api/echo");
    assertThat(echo.statusCode()).isEqualTo(200);
    assertThat(echo.body()).isEqualTo("echo");

    JsonNode info = json(get("/api/status/buildinfo"), 200);
    assertThat(info.get("version").asText()).matches("\\d+\\.\\d+\\.\\d+");
  }

  // ---- Tempo: trace by id ----

  @Test
  void traceByIdAsProtobufDecodesIntoTracesData() throws Exception {
    HttpResponse<byte[]> response = getBytes("/api/traces/" + A.toHex(), "application/protobuf");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/protobuf");

    TracesData trace = TracesData.parseFrom(response.body());

    assertThat(trace).isEqualTo(TraceAssembler.assemble(store.rowsOf(A)));
    assertThat(trace.getResourceSpansList())
        .extracting(rs -> rs.getResource().getAttributes(0).getValue().getStringValue())
        .containsExactly("api", "inventory");
    assertThat(trace.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .extracting(Span::getName)
        .containsExactly("GET /orders", "SELECT");
  }

  @Test
  void traceByIdAsJsonIsTempoV1ShapeWithHexIdsAndRoundTrips() throws Exception {
    JsonNode body = json(get("/api/traces/" + A.toHex()), 200);
    assertThat(body.has("batches")).isTrue();
    JsonNode firstSpan = body.get("batches").get(0).get("scopeSpans").get(0).get("spans").get(0);
    assertThat(firstSpan.get("traceId").asText()).isEqualTo(A.toHex());
    assertThat(firstSpan.get("spanId").asText()).isEqualTo("0000000000000001");
    assertThat(firstSpan.get("kind").asInt()).isEqualTo(2);

    ObjectNode otlp = JSON.createObjectNode();
    otlp.set("resourceSpans", body.get("batches"));
    TracesData parsed =
        OtlpJson.parse(JSON.writeValueAsBytes(otlp), TracesData.newBuilder()).build();
    assertThat(parsed).isEqualTo(TraceAssembler.assemble(store.rowsOf(A)));
  }

  @Test
  void traceByIdV2WrapsTheTraceAsTempoDoes() throws Exception {
    HttpResponse<byte[]> proto = getBytes("/api/v2/traces/" + A.toHex(), "application/protobuf");
    assertThat(proto.statusCode()).isEqualTo(200);
    CodedInputStream in = CodedInputStream.newInstance(proto.body());
    assertThat(in.readTag()).isEqualTo((1 << 3) | 2); // TraceByIDResponse.trace
    TracesData trace = TracesData.parseFrom(in.readBytes());
    assertThat(in.isAtEnd()).isTrue();
    assertThat(trace).isEqualTo(TraceAssembler.assemble(store.rowsOf(A)));

    JsonNode body = json(get("/api/v2/traces/" + A.toHex()), 200);
    TracesData parsed =
        OtlpJson.parse(JSON.writeValueAsBytes(body.get("trace")), TracesData.newBuilder()).build();
    assertThat(parsed).isEqualTo(trace);
  }

  @Test
  void shortTraceIdsAreLeftPadded() throws Exception {
    String shortHex = A.toHex().replaceFirst("^0+", "");
    assertThat(getBytes("/api/traces/" + shortHex, "application/protobuf").statusCode())
        .isEqualTo(200);
  }

  @Test
  void unknownTraceIs404AndMalformedIdOrRangeIs400() throws Exception {
    String unknown = "0123456789abcdef0123456789abcdef";
    for (String path : List.of("/api/traces/", "/api/v2/traces/")) {
      HttpResponse<String> missing = get(path + unknown);
      JsonNode error = json(missing, 404);
      assertThat(error.get("error").asText()).isEqualTo("not_found");
      assertThat(error.get("message").asText()).isEqualTo("trace " + unknown + " not found");
    }
    assertBadRequest(get("/api/traces/not-hex"), "parameter 'traceId' must be hexadecimal");
    assertBadRequest(
        get("/api/traces/" + A.toHex() + "?start=soon&end=1736942400"), "parameter 'start'");
    assertBadRequest(
        get("/api/v2/traces/" + A.toHex() + "?start=1736942400&end=1736938800"),
        "parameter 'end' is before 'start'");
    assertThat(get("/api/traces/" + A.toHex() + "?start=1736938800&end=1736942400").statusCode())
        .isEqualTo(200);
  }

  // ---- Tempo: search ----

  @Test
  void searchDefaultsToTheLastHourNewestFirstInTempoShape() throws Exception {
    JsonNode body = json(get("/api/search"), 200);
    assertThat(traceIds(body)).containsExactly(D.toHex(), B.toHex(), A.toHex());
    JsonNode a = body.get("traces").get(2);
    assertThat(a.get("rootServiceName").asText()).isEqualTo("api");
    assertThat(a.get("rootTraceName").asText()).isEqualTo("GET /orders");
    assertThat(a.get("startTimeUnixNano").isTextual()).isTrue();
    assertThat(a.get("startTimeUnixNano").asText()).isEqualTo(Long.toString(N - 10 * MIN));
    assertThat(a.get("durationMs").asLong()).isEqualTo(250);
    assertThat(body.get("metrics").get("inspectedTraces").asInt()).isEqualTo(3);
  }

  @Test
  void searchWithLogfmtTags() throws Exception {
    assertThat(traceIds(search("tags", "service.name=\"api\" name=\"GET /orders\"")))
        .containsExactly(D.toHex(), A.toHex());
    assertThat(traceIds(search("tags", "status=error"))).containsExactly(B.toHex());
    assertThat(traceIds(search("tags", "http.status_code=500"))).containsExactly(B.toHex());
    assertThat(traceIds(search("tags", "resource.k8s.pod.name=inv-1"))).containsExactly(A.toHex());
    assertThat(traceIds(search("minDuration", "1s"))).containsExactly(B.toHex());
    assertThat(traceIds(search("maxDuration", "100ms"))).containsExactly(D.toHex(), A.toHex());
    assertThat(traceIds(search("limit", "1"))).containsExactly(D.toHex());
  }

  @Test
  void searchWithTraceQl() throws Exception {
    assertThat(traceIds(search("q", "{}"))).containsExactly(D.toHex(), B.toHex(), A.toHex());
    assertThat(
            traceIds(
                search(
                    "q",
                    "{resource.service.name=\"api\" && name=\"GET /orders\""
                        + " && span.http.method=\"GET\" && duration>100ms}")))
        .containsExactly(A.toHex());
    assertThat(traceIds(search("q", "{status=error}"))).containsExactly(B.toHex());
    assertThat(traceIds(search("q", "{rootServiceName=\"api\" && traceDuration>1s}")))
        .containsExactly(B.toHex());
    assertThat(traceIds(search("q", "{.k8s.pod.name=\"inv-1\"}"))).containsExactly(A.toHex());
    long threeHoursAgo = NOW.getEpochSecond() - 3 * 3600;
    assertThat(
            traceIds(
                search(
                    "q", "{resource.service.name=~\"api|web\" && name=~\"GET /|POST /orders\"}",
                    "start", Long.toString(threeHoursAgo),
                    "end", Long.toString(NOW.getEpochSecond()))))
        .containsExactly(B.toHex(), C.toHex());
    assertThat(
            traceIds(
                search(
                    "q", "{}",
                    "start", Long.toString(threeHoursAgo),
                    "end", Long.toString(NOW.getEpochSecond()),
                    "limit", "10",
                    "spss", "3")))
        .containsExactly(D.toHex(), B.toHex(), A.toHex(), C.toHex());
  }

  @Test
  void searchRefusesWhatItCannotAnswer() throws Exception {
    assertBadRequest(
        getQuery("/api/search", "q", "{kind=server}"),
        "parameter 'q': intrinsic 'kind' is not supported");
    assertBadRequest(
        getQuery("/api/search", "q", "{name=\"a\" || name=\"b\"}"),
        "parameter 'q': '||' is not supported");
    assertBadRequest(
        getQuery("/api/search", "q", "{}", "tags", "a=b"),
        "parameters 'q' and 'tags' cannot be used together");
    assertBadRequest(getQuery("/api/search", "minDuration", "abc"), "parameter 'minDuration'");
    assertBadRequest(getQuery("/api/search", "limit", "-1"), "parameter 'limit'");
    assertBadRequest(getQuery("/api/search", "tags", "a=\"open"), "parameter 'tags'");
    assertBadRequest(getQuery("/api/search", "end", "tomorrow"), "parameter 'end'");
  }

  // ---- Tempo: tags ----

  @Test
  void tagNamesV1AndScopedV2() throws Exception {
    JsonNode v1 = json(get("/api/search/tags"), 200);
    assertThat(texts(v1.get("tagNames")))
        .contains("http.method", "service.name", "k8s.pod.name", "db.system")
        .isSorted();

    JsonNode v2 = json(get("/api/v2/search/tags"), 200);
    assertThat(v2.get("scopes")).hasSize(3);
    assertThat(texts(scope(v2, "resource")))
        .contains("service.name", "k8s.pod.name")
        .doesNotContain("http.method");
    assertThat(texts(scope(v2, "span")))
        .contains("http.method", "db.system")
        .doesNotContain("service.name");
    assertThat(texts(scope(v2, "intrinsic")))
        .contains("duration", "name", "status")
        .doesNotContain("kind");

    JsonNode intrinsicOnly = json(get("/api/v2/search/tags?scope=intrinsic"), 200);
    assertThat(intrinsicOnly.get("scopes")).hasSize(1);
    assertBadRequest(get("/api/v2/search/tags?scope=event"), "parameter 'scope'");
  }

  @Test
  void tagValuesV1AndTypedV2() throws Exception {
    assertThat(texts(json(get("/api/search/tag/http.method/values"), 200).get("tagValues")))
        .containsExactly("GET", "POST");
    // web's spans are two hours old: inside the 24 hour default window of tag lookups
    assertThat(texts(json(get("/api/search/tag/service.name/values"), 200).get("tagValues")))
        .containsExactly("api", "inventory", "web");

    JsonNode methods = json(get("/api/v2/search/tag/span.http.method/values"), 200);
    assertThat(methods.get("tagValues").get(0).get("type").asText()).isEqualTo("string");
    assertThat(methods.get("tagValues").findValuesAsText("value")).containsExactly("GET", "POST");

    assertThat(
            json(get("/api/v2/search/tag/resource.service.name/values"), 200)
                .get("tagValues")
                .findValuesAsText("value"))
        .containsExactly("api", "inventory", "web");
    JsonNode status = json(get("/api/v2/search/tag/status/values"), 200);
    assertThat(status.get("tagValues").findValuesAsText("type")).containsOnly("keyword");
    assertThat(status.get("tagValues").findValuesAsText("value")).contains("error");
    assertThat(
            json(get("/api/v2/search/tag/name/values"), 200)
                .get("tagValues")
                .findValuesAsText("value"))
        .contains("GET /orders", "POST /orders", "GET /stock");
    // Grafana encodes tag names twice
    assertThat(
            json(get("/api/v2/search/tag/span.my%2520tag/values"), 200)
                .get("tagValues")
                .findValuesAsText("value"))
        .containsExactly("spaced");
    // a narrower explicit range leaves the older spans out
    String lastMinutes = "?start=" + (NOW.getEpochSecond() - 120) + "&end=" + NOW.getEpochSecond();
    assertThat(
            texts(
                json(get("/api/search/tag/http.method/values" + lastMinutes), 200)
                    .get("tagValues")))
        .containsExactly("GET");
  }

  // ---- services, operations, RED ----

  @Test
  void servicesAndOperations() throws Exception {
    assertThat(texts(json(get("/api/v1/services"), 200).get("services")))
        .containsExactly("api", "inventory", "web");
    JsonNode ops = json(get("/api/v1/services/api/operations"), 200);
    assertThat(ops.get("service").asText()).isEqualTo("api");
    assertThat(texts(ops.get("operations")))
        .containsExactly("GET /orders", "POST /orders", "SELECT");
    assertThat(texts(json(get("/api/v1/services/nobody/operations"), 200).get("operations")))
        .isEmpty();
  }

  @Test
  void redPerServiceOverTheLastFifteenMinutes() throws Exception {
    JsonNode body = json(get("/api/v1/red"), 200);
    assertThat(body.get("by").asText()).isEqualTo("service");
    assertThat(body.get("start").asText()).isEqualTo("2025-01-15T11:45:00Z");
    assertThat(body.get("end").asText()).isEqualTo("2025-01-15T12:00:00Z");
    JsonNode rows = body.get("rows");
    assertThat(rows.findValuesAsText("service")).containsExactly("api", "inventory");

    JsonNode api = rows.get(0);
    assertThat(api.get("operation").isNull()).isTrue();
    assertThat(api.get("requests").asLong())
        .isEqualTo(3); // A and D roots, B root; not the client span
    assertThat(api.get("rate").asDouble()).isEqualTo(3 / 900.0);
    assertThat(api.get("errors").asLong()).isEqualTo(1);
    assertThat(api.get("errorRate").asDouble()).isEqualTo(1 / 3.0);
    assertThat(api.get("p50Ms").asDouble()).isEqualTo(250.0);
    assertThat(api.get("p95Ms").asDouble()).isEqualTo(1200.0);
    assertThat(api.get("p99Ms").asDouble()).isEqualTo(1200.0);
  }

  @Test
  void redPerOperationForOneServiceWithRfc3339AndUnixBounds() throws Exception {
    JsonNode body =
        json(
            get(
                "/api/v1/red?service=api&by=operation&start=2025-01-15T11:50:00Z&end="
                    + NOW.getEpochSecond()),
            200);
    assertThat(body.get("service").asText()).isEqualTo("api");
    JsonNode rows = body.get("rows");
    assertThat(rows.findValuesAsText("operation")).containsExactly("GET /orders", "POST /orders");
    JsonNode get = rows.get(0);
    assertThat(get.get("requests").asLong()).isEqualTo(2);
    assertThat(get.get("rate").asDouble()).isEqualTo(2 / 600.0);
    assertThat(get.get("errorRate").asDouble()).isEqualTo(0.0);
    assertThat(get.get("p50Ms").asDouble()).isEqualTo(80.0);
    JsonNode post = rows.get(1);
    assertThat(post.get("errors").asLong()).isEqualTo(1);
    assertThat(post.get("errorRate").asDouble()).isEqualTo(1.0);
  }

  @Test
  void redErrorsNameTheParameter() throws Exception {
    assertBadRequest(get("/api/v1/red?by=host"), "parameter 'by' must be 'service' or 'operation'");
    assertBadRequest(
        get("/api/v1/red?start=last-week"),
        "parameter 'start' must be unix seconds or an RFC 3339 timestamp");
    assertBadRequest(
        get("/api/v1/red?start=1736942400&end=1736938800"), "parameter 'end' is before 'start'");
    assertBadRequest(
        get("/api/v1/red?start=1736942400&end=1736942400"),
        "parameter 'end' must be after 'start'");
  }

  @Test
  void storeCallsRunOnVirtualThreadsNeverOnTheEventLoop() throws Exception {
    json(get("/api/search"), 200);
    json(get("/api/v1/red"), 200);
    assertThat(store.callsOffVirtualThreads.get()).isZero();
  }

  // ---- helpers ----

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<byte[]> getBytes(String path, String accept) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<String> getQuery(String path, String... pairs) throws Exception {
    StringBuilder sb = new StringBuilder(path).append('?');
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        sb.append('&');
      }
      sb.append(pairs[i])
          .append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return get(sb.toString());
  }

  private static JsonNode search(String... pairs) throws Exception {
    return json(getQuery("/api/search", pairs), 200);
  }

  private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .startsWith("application/json");
    return JSON.readTree(response.body());
  }

  private static void assertBadRequest(HttpResponse<String> response, String messageStart)
      throws Exception {
    JsonNode error = json(response, 400);
    assertThat(error.get("error").asText()).isEqualTo("bad_request");
    assertThat(error.get("message").asText()).startsWith(messageStart);
  }

  private static List<String> traceIds(JsonNode searchBody) {
    return searchBody.get("traces").findValuesAsText("traceID");
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode scope(JsonNode v2, String name) {
    for (JsonNode scope : v2.get("scopes")) {
      if (scope.get("name").asText().equals(name)) {
        return scope.get("tags");
      }
    }
    throw new AssertionError("no scope " + name + " in " + v2);
  }
}
