package com.yumzoom.ops.metrics.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.SeriesSource;
import com.yumzoom.ops.query.promql.Values;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scrapes a real HTTP endpoint on loopback; the clock is moved by the test. */
class ScrapeTargetTest {

  private static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

  private static HttpServer server;
  private static ExecutorService executor;
  private static volatile int status = 200;
  private static volatile String contentType = "text/plain; version=0.0.4";
  private static volatile String body = "";
  private static volatile long delayMs;
  private static volatile String lastAccept;

  private static final class MutableClock extends Clock {
    final AtomicLong now = new AtomicLong(T0);

    @Override
    public long millis() {
      return now.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @BeforeAll
  static void startTarget() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        exchange -> {
          lastAccept = exchange.getRequestHeaders().getFirst("Accept");
          try {
            if (delayMs > 0) {
              Thread.sleep(delayMs); // the slow target a timeout must cut short
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", contentType);
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          } catch (IOException gone) {
            // the scraper gave up
          }
        });
    server.start();
  }

  @AfterAll
  static void stopTarget() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void serve(int s, String type, String text) {
    status = s;
    contentType = type;
    body = text;
    delayMs = 0;
  }

  private static String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private static ScrapeManager manager(String jobYaml, InMemorySampleStore store, Clock clock) {
    String yaml =
        "scrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['"
            + address()
            + "']\n"
            + jobYaml.indent(4);
    return new ScrapeManager(ScrapeConfig.parse(yaml), store, clock, System::nanoTime);
  }

  private static List<SeriesSource.Series> select(InMemorySampleStore store, String name) {
    return store.select(
        List.of(LabelMatcher.of(Labels.NAME, LabelMatcher.Op.EQ, name)), 0, Long.MAX_VALUE);
  }

  private static double last(InMemorySampleStore store, String name) {
    double[] v = select(store, name).getFirst().values();
    return v[v.length - 1];
  }

  @Test
  void textScrapeAttachesTargetLabelsAndWritesTheReportSeries() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    MutableClock clock = new MutableClock();
    serve(
        200,
        "text/plain; version=0.0.4",
        "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\",job=\"x\"} 5\n"
            + "go_goroutines 7\n");
    ScrapeTarget t = manager("", store, clock).activeTargets().getFirst();
    assertThat(t.scrapeOnce()).isTrue();
    assertThat(lastAccept).startsWith("application/openmetrics-text;version=1.0.0");
    SeriesSource.Series s = select(store, "http_requests_total").getFirst();
    assertThat(s.labels().map())
        .containsEntry("job", "app")
        .containsEntry("exported_job", "x")
        .containsEntry("instance", address())
        .containsEntry("code", "200");
    assertThat(s.timestamps()).containsExactly(T0);
    assertThat(last(store, "up")).isEqualTo(1);
    assertThat(last(store, "scrape_samples_scraped")).isEqualTo(2);
    assertThat(last(store, "scrape_samples_post_metric_relabeling")).isEqualTo(2);
    assertThat(last(store, "scrape_series_added")).isEqualTo(2);
    assertThat(select(store, "scrape_duration_seconds")).hasSize(1);
    clock.now.addAndGet(15_000);
    assertThat(t.scrapeOnce()).isTrue();
    assertThat(last(store, "scrape_series_added")).isEqualTo(0);
    assertThat(t.status().health()).isEqualTo("up");
  }

  @Test
  void honorLabelsKeepsTheScrapedValue() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    serve(200, "text/plain", "m{job=\"x\"} 1\n");
    ScrapeTarget t =
        manager("honor_labels: true", store, new MutableClock()).activeTargets().getFirst();
    t.scrapeOnce();
    assertThat(select(store, "m").getFirst().labels().map())
        .containsEntry("job", "x")
        .doesNotContainKey("exported_job");
  }

  @Test
  void openMetricsIsParsedWithEofCreatedExemplarsAndSecondTimestamps() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    serve(
        200,
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        """
        # TYPE orders counter
        # UNIT orders_bytes bytes
        # HELP orders Orders placed.
        orders_total{shop="a"} 17 # {trace_id="abc"} 1 1772323200.5
        orders_created{shop="a"} 1772000000
        # TYPE temp gauge
        temp 21.5 1772323200.250
        # EOF
        """);
    ScrapeTarget t = manager("", store, new MutableClock()).activeTargets().getFirst();
    assertThat(t.scrapeOnce()).as(t.status().lastError()).isTrue();
    assertThat(last(store, "orders_total")).isEqualTo(17);
    assertThat(select(store, "orders_created")).isEmpty();
    assertThat(select(store, "temp").getFirst().timestamps()).containsExactly(1772323200250L);

    serve(200, "application/openmetrics-text; version=1.0.0", "temp 1\n");
    assertThat(t.scrapeOnce()).isFalse();
    assertThat(t.status().lastError()).contains("# EOF");
  }

  @Test
  void vanishedSeriesAndFailedScrapesWriteStalenessMarkers() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    MutableClock clock = new MutableClock();
    serve(200, "text/plain", "a 1\nb 2\n");
    ScrapeTarget t = manager("", store, clock).activeTargets().getFirst();
    t.scrapeOnce();
    clock.now.addAndGet(15_000);
    serve(200, "text/plain", "a 1\n");
    t.scrapeOnce();
    assertThat(Values.isStale(last(store, "b"))).isTrue();
    assertThat(last(store, "a")).isEqualTo(1);

    clock.now.addAndGet(15_000);
    serve(500, "text/plain", "boom");
    assertThat(t.scrapeOnce()).isFalse();
    assertThat(Values.isStale(last(store, "a"))).isTrue();
    assertThat(last(store, "up")).isEqualTo(0);
    assertThat(t.status().lastError()).isEqualTo("server returned HTTP status 500");
    assertThat(t.status().health()).isEqualTo("down");
  }

  @Test
  void metricRelabellingAndSampleLimit() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    MutableClock clock = new MutableClock();
    serve(200, "text/plain", "go_gc 1\ngo_threads 2\napp_a 3\napp_b 4\napp_c 5\n");
    ScrapeManager m =
        manager(
            """
            sample_limit: 2
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: 'go_.*'
                action: drop
            """,
            store,
            clock);
    ScrapeTarget t = m.activeTargets().getFirst();
    assertThat(t.scrapeOnce()).isFalse();
    assertThat(t.status().lastError())
        .isEqualTo(
            "sample limit exceeded: 3 samples after metric relabeling, more than sample_limit"
                + " (limit 2)");
    assertThat(select(store, "app_a")).isEmpty();
    assertThat(last(store, "up")).isEqualTo(0);
    assertThat(m.stats().sampleLimitExceeded()).isEqualTo(1);

    clock.now.addAndGet(15_000);
    serve(200, "text/plain", "go_gc 1\napp_a 3\napp_b 4\n");
    assertThat(t.scrapeOnce()).isTrue();
    assertThat(last(store, "scrape_samples_scraped")).isEqualTo(3);
    assertThat(last(store, "scrape_samples_post_metric_relabeling")).isEqualTo(2);
    assertThat(select(store, "go_gc")).isEmpty();
  }

  @Test
  void bodySizeLimitAndTimeoutFailTheScrape() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    serve(200, "text/plain", "x 1\n".repeat(100));
    ScrapeTarget t =
        manager("body_size_limit: 100B", store, new MutableClock()).activeTargets().getFirst();
    assertThat(t.scrapeOnce()).isFalse();
    assertThat(t.status().lastError()).contains("body size limit exceeded").contains("100 bytes");

    serve(200, "text/plain", "x 1\n");
    delayMs = 3_000;
    ScrapeTarget slow =
        manager("scrape_interval: 1s\nscrape_timeout: 300ms", store, new MutableClock())
            .activeTargets()
            .getFirst();
    long started = System.nanoTime();
    assertThat(slow.scrapeOnce()).isFalse();
    assertThat(slow.status().lastError()).contains("deadline exceeded");
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_500);
    delayMs = 0;
  }

  @Test
  void targetsApiInPrometheusShape() throws Exception {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 100));
    serve(200, "text/plain", "x 1\n");
    String yaml =
        "scrape_configs:\n  - job_name: app\n    scrape_interval: 15s\n    static_configs:\n"
            + "      - targets: ['"
            + address()
            + "', 'skip:1']\n        labels: {env: prod}\n"
            + "    relabel_configs:\n      - source_labels: [__address__]\n"
            + "        regex: 'skip:.*'\n        action: drop\n";
    ScrapeManager m =
        new ScrapeManager(ScrapeConfig.parse(yaml), store, new MutableClock(), System::nanoTime);
    m.activeTargets().getFirst().scrapeOnce();
    JsonNode root = new ObjectMapper().readTree(m.targetsJson("any"));
    assertThat(root.path("status").asText()).isEqualTo("success");
    JsonNode a = root.path("data").path("activeTargets").get(0);
    assertThat(a.path("labels").path("env").asText()).isEqualTo("prod");
    assertThat(a.path("labels").path("instance").asText()).isEqualTo(address());
    assertThat(a.path("discoveredLabels").path("__address__").asText()).isEqualTo(address());
    assertThat(a.path("scrapePool").asText()).isEqualTo("app");
    assertThat(a.path("scrapeUrl").asText()).isEqualTo("http://" + address() + "/metrics");
    assertThat(a.path("health").asText()).isEqualTo("up");
    assertThat(a.path("lastScrape").asText()).isEqualTo("2026-03-01T00:00:00Z");
    assertThat(a.path("scrapeInterval").asText()).isEqualTo("15s");
    assertThat(a.path("scrapeTimeout").asText()).isEqualTo("10s");
    JsonNode d = root.path("data").path("droppedTargets").get(0);
    assertThat(d.path("discoveredLabels").path("__address__").asText()).isEqualTo("skip:1");
    assertThat(
            new ObjectMapper()
                .readTree(m.targetsJson("active"))
                .path("data")
                .path("droppedTargets"))
        .isEmpty();
  }
}
