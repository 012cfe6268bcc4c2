package com.yumzoom.ops.metrics.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.server.YumzoomServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against the real Prometheus (Debian's {@code prometheus} package): both scrape
 * the same loopback target with the same Prometheus YAML (relabelling included), and the same
 * PromQL queries, instant and range, through both HTTP APIs must agree within a tolerance.
 *
 * <p>The target's counters grow linearly with wall time, so rates do not depend on when within an
 * interval each scraper happens to scrape; gauges are constant, or linear with a tolerance that
 * covers one interval of drift.
 */
class PrometheusDifferentialIT {

  private static final String PROMETHEUS =
      System.getProperty("prometheus.binary", "/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double REL_TOL = 0.03;
  private static final double ABS_TOL = 1e-6;

  @TempDir static Path dir;

  private static HttpServer target;
  private static ExecutorService targetExecutor;
  private static long targetStartNanos;
  private static Process prometheus;
  private static YumzoomServer ours;
  private static int promPort;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    assertThat(Files.isExecutable(Path.of(PROMETHEUS)))
        .as(
            "the Prometheus binary "
                + PROMETHEUS
                + " is missing: install Debian's package (apt-get install prometheus; CI does),"
                + " or point -Dprometheus.binary at one")
        .isTrue();
    startTarget();
    String address = "127.0.0.1:" + target.getAddress().getPort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: diff
            static_configs:
              - targets: ['%s']
                labels: {env: test}
            relabel_configs:
              - source_labels: [__address__]
                regex: '([^:]+):(\\d+)'
                target_label: host
                replacement: 'h-$1'
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: 'diff_ignored_.*'
                action: drop
        """
            .formatted(address));
    promPort = freePort();
    Path tsdb = Files.createDirectories(dir.resolve("tsdb"));
    ProcessBuilder pb =
        new ProcessBuilder(
            PROMETHEUS,
            "--config.file=" + config,
            "--storage.tsdb.path=" + tsdb,
            "--web.listen-address=127.0.0.1:" + promPort);
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("prometheus.log").toFile());
    prometheus = pb.start();

    Map<String, String> flags = new HashMap<>();
    flags.put("data-dir", dir.resolve("yumzoom").toString());
    flags.put("server.host", "127.0.0.1");
    flags.put("server.http-port", "0");
    flags.put("otlp.grpc-port", "0");
    flags.put("otlp.http-port", "0");
    flags.put("metrics.scrape-config-file", config.toString());
    ours = YumzoomServer.start(ConfigLoader.load(null, Map.of(), flags), Clock.systemUTC());

    awaitReady(URI.create("http://127.0.0.1:" + promPort + "/-/ready"));
    // both must have scraped for 30 s: the widest window compared reaches 22 s back
    String enough = "count_over_time(up{job=\"diff\"}[30s]) >= 28";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      long now = System.currentTimeMillis();
      if (!instant(promBase(), enough, now).path("result").isEmpty()
          && !instant(ourBase(), enough, now).path("result").isEmpty()) {
        return;
      }
      Thread.sleep(500); // waiting for two servers to scrape, not timing our own logic
    }
    throw new AssertionError(
        "the servers did not both have 30 s of scrapes within 90 s; see " + dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ours != null) {
      ours.close();
    }
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (target != null) {
      target.stop(0);
      targetExecutor.shutdownNow();
    }
  }

  /** Counters linear in time: rates are the slopes whatever the scrape phase. */
  private static void startTarget() throws IOException {
    target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    targetExecutor = Executors.newFixedThreadPool(2);
    target.setExecutor(targetExecutor);
    targetStartNanos = System.nanoTime();
    target.createContext(
        "/metrics",
        exchange -> {
          double s = (System.nanoTime() - targetStartNanos) / 1e9 + 100;
          StringBuilder b = new StringBuilder();
          b.append("# TYPE diff_requests_total counter\n");
          for (String[] c : new String[][] {{"200", "12"}, {"404", "3"}, {"500", "0.5"}}) {
            for (String path : new String[] {"/a", "/b"}) {
              double rate = Double.parseDouble(c[1]) * (path.equals("/a") ? 1 : 2);
              line(b, "diff_requests_total{code=\"" + c[0] + "\",path=\"" + path + "\"}", rate * s);
            }
          }
          b.append("# TYPE diff_latency_seconds histogram\n");
          double[][] buckets = {{0.1, 2}, {0.25, 4}, {0.5, 6}, {1, 8}, {2.5, 9.5}};
          for (double[] bucket : buckets) {
            line(b, "diff_latency_seconds_bucket{le=\"" + bucket[0] + "\"}", bucket[1] * s);
          }
          line(b, "diff_latency_seconds_bucket{le=\"+Inf\"}", 10 * s);
          line(b, "diff_latency_seconds_sum", 4.2 * s);
          line(b, "diff_latency_seconds_count", 10 * s);
          b.append("# TYPE diff_queue_depth gauge\n");
          for (int q = 0; q < 4; q++) {
            line(b, "diff_queue_depth{queue=\"q" + q + "\"}", 10 + q * 7);
          }
          line(b, "diff_temperature", 20 + 0.01 * s);
          line(b, "diff_inner{job=\"inner\",instance=\"x\"}", 1);
          line(b, "diff_ignored_total", s);
          byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    target.start();
  }

  private static void line(StringBuilder b, String series, double v) {
    b.append(series).append(' ').append(String.format(Locale.ROOT, "%.6f", v)).append('\n');
  }

  private static final List<String> INSTANT_QUERIES =
      List.of(
          "up{job=\"diff\"}",
          "rate(diff_requests_total[10s])",
          "irate(diff_requests_total[5s])",
          "increase(diff_requests_total[15s])",
          "sum by (code) (rate(diff_requests_total[10s]))",
          "sum without (path, instance) (rate(diff_requests_total[10s]))",
          "histogram_quantile(0.9, sum by (le) (rate(diff_latency_seconds_bucket[10s])))",
          "histogram_quantile(0.5, rate(diff_latency_seconds_bucket[10s]))",
          "rate(diff_latency_seconds_sum[10s]) / rate(diff_latency_seconds_count[10s])",
          "topk(2, diff_queue_depth)",
          "bottomk(1, diff_queue_depth)",
          "diff_queue_depth offset 5s",
          "avg(diff_queue_depth)",
          "count by (job, env, host) (diff_requests_total)",
          "max_over_time(diff_queue_depth[10s])",
          "avg_over_time(diff_temperature[10s])",
          "diff_temperature",
          "diff_inner",
          "count(diff_ignored_total)",
          "absent(diff_nonexistent)",
          "scrape_samples_scraped{job=\"diff\"}",
          "scrape_samples_post_metric_relabeling{job=\"diff\"}",
          "diff_queue_depth > bool 20",
          "sum(rate(diff_requests_total{code=~\"2..|5..\"}[10s]))"
              + " / sum(rate(diff_requests_total[10s]))",
          "label_replace(diff_queue_depth, \"q\", \"$1\", \"queue\", \"q(.*)\")");

  private static final List<String> RANGE_QUERIES =
      List.of(
          "sum by (code) (rate(diff_requests_total[10s]))",
          "histogram_quantile(0.99, sum by (le) (rate(diff_latency_seconds_bucket[10s])))",
          "diff_queue_depth",
          "up{job=\"diff\"}");

  @Test
  void instantQueriesAgreeWithPrometheus() throws Exception {
    long t = (System.currentTimeMillis() / 1000 - 2) * 1000;
    List<String> failures = new ArrayList<>();
    for (String q : INSTANT_QUERIES) {
      JsonNode p = instant(promBase(), q, t);
      JsonNode o = instant(ourBase(), q, t);
      compare(q, p, o, failures);
    }
    assertThat(failures).as("queries whose results differ from Prometheus").isEmpty();
  }

  @Test
  void rangeQueriesAgreeWithPrometheus() throws Exception {
    long end = (System.currentTimeMillis() / 1000 - 2) * 1000;
    long start = end - 10_000;
    List<String> failures = new ArrayList<>();
    for (String q : RANGE_QUERIES) {
      String params =
          "query="
              + URLEncoder.encode(q, StandardCharsets.UTF_8)
              + "&start="
              + start / 1000.0
              + "&end="
              + end / 1000.0
              + "&step=2";
      JsonNode p = get(promBase() + "/api/v1/query_range?" + params);
      JsonNode o = get(ourBase() + "/api/v1/query_range?" + params);
      compare(q + " [range]", p, o, failures);
    }
    assertThat(failures).as("range queries whose results differ from Prometheus").isEmpty();
  }

  @Test
  void targetsApiListsTheTargetAsPrometheusDoes() throws Exception {
    JsonNode p = get(promBase() + "/api/v1/targets").path("activeTargets");
    JsonNode o = get(ourBase() + "/api/v1/targets").path("activeTargets");
    assertThat(o).hasSize(1);
    assertThat(o.get(0).path("labels")).isEqualTo(p.get(0).path("labels"));
    assertThat(o.get(0).path("scrapeUrl")).isEqualTo(p.get(0).path("scrapeUrl"));
    assertThat(o.get(0).path("health").asText()).isEqualTo("up");
    assertThat(o.get(0).path("scrapeInterval")).isEqualTo(p.get(0).path("scrapeInterval"));
  }

  private static void compare(String q, JsonNode p, JsonNode o, List<String> failures) {
    if (!p.path("resultType").equals(o.path("resultType"))) {
      failures.add(q + ": resultType " + p.path("resultType") + " vs ours " + o.path("resultType"));
      return;
    }
    JsonNode pr = p.path("result");
    JsonNode or = o.path("result");
    if (pr.isArray() && (pr.isEmpty() || pr.get(0).has("metric"))) {
      Map<String, JsonNode> pm = byLabels(pr);
      Map<String, JsonNode> om = byLabels(or);
      if (!pm.keySet().equals(om.keySet())) {
        failures.add(q + ": series " + pm.keySet() + " vs ours " + om.keySet());
        return;
      }
      for (String k : pm.keySet()) {
        List<double[]> pp = points(pm.get(k));
        List<double[]> op = points(om.get(k));
        if (pp.size() != op.size()) {
          failures.add(q + " " + k + ": " + pp.size() + " points vs ours " + op.size());
          continue;
        }
        for (int i = 0; i < pp.size(); i++) {
          if (pp.get(i)[0] != op.get(i)[0] || !close(pp.get(i)[1], op.get(i)[1])) {
            failures.add(
                q
                    + " "
                    + k
                    + " at "
                    + pp.get(i)[0]
                    + ": "
                    + pp.get(i)[1]
                    + " vs ours "
                    + op.get(i)[0]
                    + "="
                    + op.get(i)[1]);
          }
        }
      }
    } else if (!close(pr.get(1).asDouble(), or.get(1).asDouble())) {
      failures.add(q + ": " + pr + " vs ours " + or);
    }
  }

  private static boolean close(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b);
    }
    return Math.abs(a - b) <= ABS_TOL + REL_TOL * Math.max(Math.abs(a), Math.abs(b));
  }

  private static Map<String, JsonNode> byLabels(JsonNode result) {
    Map<String, JsonNode> m = new TreeMap<>();
    for (JsonNode s : result) {
      m.put(new TreeMap<>(JSON.convertValue(s.path("metric"), Map.class)).toString(), s);
    }
    return m;
  }

  private static List<double[]> points(JsonNode series) {
    List<double[]> out = new ArrayList<>();
    if (series.has("value")) {
      JsonNode v = series.path("value");
      out.add(new double[] {v.get(0).asDouble(), Double.parseDouble(v.get(1).asText())});
    }
    for (JsonNode v : series.path("values")) {
      out.add(new double[] {v.get(0).asDouble(), Double.parseDouble(v.get(1).asText())});
    }
    return out;
  }

  private static String promBase() {
    return "http://127.0.0.1:" + promPort;
  }

  private static String ourBase() {
    return "http://127.0.0.1:" + ours.port();
  }

  private static JsonNode instant(String base, String q, long tMs) throws Exception {
    return get(
        base
            + "/api/v1/query?query="
            + URLEncoder.encode(q, StandardCharsets.UTF_8)
            + "&time="
            + tMs / 1000.0);
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new AssertionError(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return body.path("data");
  }

  private static void awaitReady(URI ready) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && prometheus.isAlive()) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200); // waiting for another process to start
    }
    throw new AssertionError(
        "prometheus did not become ready; alive="
            + prometheus.isAlive()
            + "; log: "
            + Files.readString(dir.resolve("prometheus.log")));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
