package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
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
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Prometheus HTTP API on a real Armeria server over an in-memory store of known samples. */
class PrometheusApiIT {

  private static final long T0 = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Server server;
  private static HttpClient client;
  private static String base;
  private static final CountDownLatch interrupted = new CountDownLatch(1);

  private static Labels labels(String... kv) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Labels.of(m);
  }

  @BeforeAll
  static void start() {
    InMemorySampleStore store = new InMemorySampleStore(MetricsLimits.DEFAULTS);
    List<Sample> samples = new ArrayList<>();
    for (int k = 0; k <= 40; k++) {
      long t = T0 + k * 15_000L;
      samples.add(new Sample(labels("__name__", "up", "job", "a", "instance", "h1"), t, 1));
      samples.add(
          new Sample(
              labels("__name__", "http_requests_total", "job", "a", "code", "200"), t, 10 * k));
    }
    samples.add(new Sample(labels("__name__", "special", "kind", "nan"), T0, Double.NaN));
    samples.add(
        new Sample(labels("__name__", "special", "kind", "inf"), T0, Double.POSITIVE_INFINITY));
    samples.add(
        new Sample(labels("__name__", "special", "kind", "minf"), T0, Double.NEGATIVE_INFINITY));
    samples.add(new Sample(labels("__name__", "special", "kind", "big"), T0, 1e21));
    samples.add(new Sample(labels("__name__", "special", "kind", "tenth"), T0, 0.1));
    samples.add(new Sample(labels("__name__", "other", "job", "b"), T0, 3));
    AppendResult r = store.append(samples);
    assertThat(r.appended()).isEqualTo(samples.size());

    // Reads of "slow" block until the query's thread is interrupted by the API's timeout.
    SampleStore slow = new SlowStore(store);
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T0 + 300_000), ZoneOffset.UTC);
    ServerBuilder sb = Server.builder().http(new InetSocketAddress("127.0.0.1", 0));
    PrometheusApi.register(sb, new PromqlEngine(slow), slow, clock);
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
    server.stop().join();
  }

  /** Delegates to the real store, except that selecting "slow" waits for an interrupt. */
  private record SlowStore(InMemorySampleStore delegate) implements SampleStore {
    @Override
    public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
      if (matchers.stream().anyMatch(m -> m.matches("slow") && m.name().equals("__name__"))) {
        try {
          Thread.sleep(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
          interrupted.countDown();
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      return delegate.select(matchers, minT, maxT);
    }

    @Override
    public AppendResult append(List<Sample> samples) {
      return delegate.append(samples);
    }

    @Override
    public List<String> labelNames(long minT, long maxT) {
      return delegate.labelNames(minT, maxT);
    }

    @Override
    public List<String> labelValues(
        String name, List<LabelMatcher> matchers, long minT, long maxT) {
      return delegate.labelValues(name, matchers, minT, maxT);
    }

    @Override
    public List<Labels> series(List<LabelMatcher> matchers, long minT, long maxT) {
      return delegate.series(matchers, minT, maxT);
    }

    @Override
    public long rejectedSamples() {
      return delegate.rejectedSamples();
    }

    @Override
    public int seriesCount() {
      return delegate.seriesCount();
    }
  }

  private record Reply(int status, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Reply get(String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  private static Reply post(String path, String form) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  @Test
  void instantVectorIsStampedWithTheQueryTime() throws Exception {
    Reply r = get("/api/v1/query?query=up&time=1700000290.5");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                + "{\"__name__\":\"up\",\"instance\":\"h1\",\"job\":\"a\"},"
                + "\"value\":[1700000290.500,\"1\"]}]}}");
  }

  @Test
  void instantQueryDefaultsToNowAndAcceptsPostForms() throws Exception {
    Reply r = post("/api/v1/query", "query=" + enc("http_requests_total{code=\"200\"}"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                + "{\"__name__\":\"http_requests_total\",\"code\":\"200\",\"job\":\"a\"},"
                + "\"value\":[1700000300,\"200\"]}]}}");
  }

  @Test
  void scalarAndStringResults() throws Exception {
    assertThat(get("/api/v1/query?query=" + enc("1 + 1.5") + "&time=1700000000").body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                + "\"result\":[1700000000,\"2.5\"]}}");
    assertThat(get("/api/v1/query?query=" + enc("\"hi\"") + "&time=2023-11-14T22:13:20Z").body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
                + "\"result\":[1700000000,\"hi\"]}}");
  }

  @Test
  void valuesAreFormattedLikePrometheus() throws Exception {
    String[][] cases = {
      {"nan", "NaN"},
      {"inf", "+Inf"},
      {"minf", "-Inf"},
      {"big", "1000000000000000000000"},
      {"tenth", "0.1"}
    };
    for (String[] c : cases) {
      JsonNode j =
          get("/api/v1/query?time=1700000000&query=" + enc("special{kind=\"" + c[0] + "\"}"))
              .json();
      assertThat(j.at("/data/result/0/value/1").asText()).as(c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void rangeSelectorInAnInstantQueryGivesAMatrix() throws Exception {
    JsonNode j = get("/api/v1/query?time=1700000300&query=" + enc("up[31s]")).json();
    assertThat(j.at("/data/resultType").asText()).isEqualTo("matrix");
    JsonNode values = j.at("/data/result/0/values");
    assertThat(values.toString())
        .isEqualTo("[[1700000270,\"1\"],[1700000285,\"1\"],[1700000300,\"1\"]]");
  }

  @Test
  void rangeQueryInEveryTimeAndStepSyntax() throws Exception {
    String expected =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
            + "{\"__name__\":\"http_requests_total\",\"code\":\"200\",\"job\":\"a\"},\"values\":"
            + "[[1700000000,\"0\"],[1700000015,\"10\"],[1700000030,\"20\"]]}]}}";
    Reply a =
        get(
            "/api/v1/query_range?query=http_requests_total&start=1700000000&end=1700000030&step=15s");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEqualTo(expected);
    Reply b =
        get(
            "/api/v1/query_range?query=http_requests_total&start=2023-11-14T22:13:20Z"
                + "&end=2023-11-14T22:13:50.000Z&step=15");
    assertThat(b.body()).isEqualTo(expected);
    Reply c =
        post(
            "/api/v1/query_range",
            "query=http_requests_total&start=1700000000&end=1700000030&step=15000ms");
    assertThat(c.body()).isEqualTo(expected);
    JsonNode rate =
        get("/api/v1/query_range?query="
                + enc("sum(rate(http_requests_total[1m]))")
                + "&start=1700000300&end=1700000330&step=30")
            .json();
    assertThat(rate.at("/data/result/0/metric").toString()).isEqualTo("{}");
    assertThat(rate.at("/data/result/0/values/0/1").asText()).isEqualTo("0.6666666666666666");
  }

  @Test
  void labelsLabelValuesSeriesMetadataAndBuildinfo() throws Exception {
    assertThat(get("/api/v1/labels").body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":"
                + "[\"__name__\",\"code\",\"instance\",\"job\",\"kind\"]}");
    assertThat(get("/api/v1/labels?match[]=up").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"__name__\",\"instance\",\"job\"]}");
    assertThat(post("/api/v1/labels", "start=1700000001&end=1700000600").body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[\"__name__\",\"code\",\"instance\",\"job\"]}");
    assertThat(get("/api/v1/label/job/values").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"a\",\"b\"]}");
    assertThat(get("/api/v1/label/__name__/values?match[]=" + enc("{job=\"a\"}")).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"http_requests_total\",\"up\"]}");
    assertThat(get("/api/v1/series?match[]=up&match[]=" + enc("other{job=\"b\"}")).body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[{\"__name__\":\"other\",\"job\":\"b\"},"
                + "{\"__name__\":\"up\",\"instance\":\"h1\",\"job\":\"a\"}]}");
    assertThat(get("/api/v1/metadata").body()).isEqualTo("{\"status\":\"success\",\"data\":{}}");
    assertThat(get("/api/v1/query_exemplars?query=up").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    JsonNode build = get("/api/v1/status/buildinfo").json();
    assertThat(build.at("/status").asText()).isEqualTo("success");
    assertThat(build.at("/data/version").asText()).isEqualTo("2.53.0");
  }

  private static void assertError(Reply r, int status, String type, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\""
                + type
                + "\",\"error\":"
                + JSON.valueToTree(message)
                + "}");
  }

  @Test
  void errorsHavePrometheusShapeAndStatus() throws Exception {
    Reply parse = get("/api/v1/query?query=" + enc("sum(up"));
    assertThat(parse.status()).isEqualTo(400);
    assertThat(parse.json().at("/errorType").asText()).isEqualTo("bad_data");
    assertThat(parse.json().at("/error").asText()).startsWith("invalid parameter \"query\": 1:");
    assertError(
        get("/api/v1/query?query=up&time=yesterday"),
        400,
        "bad_data",
        "invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp");
    assertError(
        get("/api/v1/query_range?query=up&start=1700000000&end=1700000060&step=0"),
        400,
        "bad_data",
        "invalid parameter \"step\": zero or negative query resolution step widths are not"
            + " accepted. Try a positive integer");
    assertError(
        get("/api/v1/query_range?query=up&start=1700000060&end=1700000000&step=15"),
        400,
        "bad_data",
        "invalid parameter \"end\": end timestamp must not be before start time");
    assertError(
        get("/api/v1/query_range?query=up&start=0&end=1700000000&step=1"),
        400,
        "bad_data",
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query"
            + " resolution (?step=XX)");
    assertError(
        get("/api/v1/query_range?query=up&start=1700000000&end=1700000060&step=soon"),
        400,
        "bad_data",
        "invalid parameter \"step\": cannot parse \"soon\" to a valid duration");
    assertError(
        get("/api/v1/query_range?query=up&end=1700000060&step=15"),
        400,
        "bad_data",
        "invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
    Reply exec =
        get(
            "/api/v1/query_range?query="
                + enc("\"s\"")
                + "&start=1700000000&end=1700000060&step=15");
    assertThat(exec.status()).isEqualTo(422);
    assertThat(exec.json().at("/errorType").asText()).isEqualTo("execution");
    assertError(get("/api/v1/series"), 400, "bad_data", "no match[] parameter provided");
    assertError(
        get("/api/v1/series?match[]=" + enc("rate(up[1m])")),
        400,
        "bad_data",
        "invalid parameter \"match[]\": \"rate(up[1m])\" is not a series selector");
    assertError(get("/api/v1/label/1bad/values"), 400, "bad_data", "invalid label name: \"1bad\"");
  }

  @Test
  void timeoutAnswers503AndInterruptsTheEvaluation() throws Exception {
    Reply r = get("/api/v1/query?query=slow&timeout=200ms");
    assertError(r, 503, "timeout", "query timed out in expression evaluation");
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertError(
        get("/api/v1/query?query=up&timeout=never"),
        400,
        "bad_data",
        "invalid parameter \"timeout\": cannot parse \"never\" to a valid duration");
  }
}
