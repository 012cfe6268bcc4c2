package com.yumzoom.ops.metrics.scrape;

import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.PrometheusTextParser;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.Values;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scrape target and its last result, scraped the way Prometheus' scrape loop does it: the body
 * is fetched with Prometheus' Accept header (OpenMetrics preferred, text 0.0.4 accepted), bounded
 * in size and time; target labels are attached ({@code honor_labels} decides conflicts), {@code
 * metric_relabel_configs} run, {@code sample_limit} fails the whole scrape when exceeded, series
 * that disappeared since the previous scrape get a staleness marker, and the report series ({@code
 * up}, {@code scrape_duration_seconds}, {@code scrape_samples_scraped}, {@code
 * scrape_samples_post_metric_relabeling}, {@code scrape_series_added}) are written every time.
 * {@link #scrapeOnce} never throws.
 */
public final class ScrapeTarget {

  static final String ACCEPT =
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
          + "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private static final Logger LOG = LoggerFactory.getLogger(ScrapeTarget.class);

  /** What the targets API shows about the last scrape. */
  public record Status(
      String health, String lastError, long lastScrapeMs, double lastDurationSeconds) {}

  private final ScrapeConfig.Job job;
  private final Map<String, String> discoveredLabels;
  private final Labels labels;
  private final URI url;
  private final SampleStore store;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final HttpClient http;
  private final ScrapeStats stats;
  private final java.util.concurrent.Executor appendExecutor;
  private Set<Labels> previous = Set.of();
  private CompletableFuture<Void> appending = CompletableFuture.completedFuture(null);
  private volatile Status status = new Status("unknown", "", 0, 0);

  ScrapeTarget(
      ScrapeConfig.Job job,
      Map<String, String> discoveredLabels,
      Map<String, String> relabelled,
      SampleStore store,
      Clock clock,
      LongSupplier nanoTime,
      HttpClient http,
      ScrapeStats stats,
      java.util.concurrent.Executor appendExecutor) {
    this.appendExecutor = appendExecutor;
    this.job = job;
    this.discoveredLabels = Map.copyOf(discoveredLabels);
    this.url = url(relabelled);
    TreeMap<String, String> visible = new TreeMap<>();
    relabelled.forEach(
        (k, v) -> {
          if (!k.startsWith("__")) {
            visible.put(k, v);
          }
        });
    visible.putIfAbsent("instance", relabelled.get("__address__"));
    this.labels = new Labels(visible);
    this.store = store;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.http = http;
    this.stats = stats;
  }

  /** The scrape URL from the relabelled {@code __scheme__}, {@code __address__}, ... labels. */
  static URI url(Map<String, String> l) {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, String> e : l.entrySet()) {
      if (e.getKey().startsWith("__param_")) {
        query
            .append(query.isEmpty() ? "?" : "&")
            .append(URLEncoder.encode(e.getKey().substring(8), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      }
    }
    String path = l.getOrDefault("__metrics_path__", "/metrics");
    return URI.create(
        l.getOrDefault("__scheme__", "http") + "://" + l.get("__address__") + path + query);
  }

  public ScrapeConfig.Job job() {
    return job;
  }

  public Labels labels() {
    return labels;
  }

  public Map<String, String> discoveredLabels() {
    return discoveredLabels;
  }

  public URI url() {
    return url;
  }

  public Status status() {
    return status;
  }

  /**
   * One scrape stamped {@code clock.millis()}, returning once its samples are stored; returns
   * whether the scrape succeeded. Never throws.
   */
  public boolean scrapeOnce() {
    return scrape(true);
  }

  /**
   * One scrape; with {@code waitForCommit} false it returns once the samples are handed to the
   * append executor, so a slow commit does not delay the next scrape's fetch (the loop's case).
   * Appends of one target stay in order: each waits for the one before.
   */
  boolean scrape(boolean waitForCommit) {
    long t = clock.millis();
    long start = nanoTime.getAsLong();
    List<Sample> out = new ArrayList<>();
    String error = "";
    int scraped = 0;
    int kept = 0;
    int added = 0;
    Set<Labels> current = new HashSet<>();
    try {
      Body body = fetch();
      List<Sample> parsed =
          body.openMetrics()
              ? PrometheusTextParser.parseOpenMetrics(body.text(), t)
              : PrometheusTextParser.parse(body.text(), t);
      scraped = parsed.size();
      List<Sample> samples = new ArrayList<>(parsed.size());
      for (Sample s : parsed) {
        TreeMap<String, String> m = withTargetLabels(s.labels().map());
        if (!job.metricRelabelConfigs().isEmpty()) {
          m = Relabeler.apply(m, job.metricRelabelConfigs());
          if (m == null || !m.containsKey(Labels.NAME)) {
            continue;
          }
        }
        Labels l = new Labels(m);
        if (!current.add(l)) {
          continue; // a duplicate series in one scrape: Prometheus keeps the first
        }
        samples.add(new Sample(l, job.honorTimestamps() ? s.tMs() : t, s.value()));
      }
      kept = samples.size();
      if (job.sampleLimit() > 0 && kept > job.sampleLimit()) {
        stats.sampleLimitExceeded.incrementAndGet();
        throw new ScrapeException(
            "sample limit exceeded: "
                + kept
                + " samples after metric relabeling, more than sample_limit (limit "
                + job.sampleLimit()
                + ")");
      }
      for (Labels l : current) {
        if (!previous.contains(l)) {
          added++;
        }
      }
      out.addAll(samples);
    } catch (ScrapeException | IOException | IllegalArgumentException e) {
      error = e.getMessage() == null ? e.toString() : e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "scrape interrupted";
    } catch (RuntimeException e) {
      error = e.toString();
      LOG.warn("scrape of {} failed unexpectedly", url, e);
    }
    boolean up = error.isEmpty();
    if (!up) {
      current = Set.of();
      out.clear();
      kept = 0;
      stats.failedScrapes.incrementAndGet();
    }
    for (Labels gone : previous) {
      if (!current.contains(gone)) {
        out.add(new Sample(gone, t, Values.STALE_NAN));
      }
    }
    previous = current;
    double seconds = (nanoTime.getAsLong() - start) / 1e9;
    out.add(new Sample(report("up"), t, up ? 1 : 0));
    out.add(new Sample(report("scrape_duration_seconds"), t, seconds));
    out.add(new Sample(report("scrape_samples_scraped"), t, scraped));
    out.add(new Sample(report("scrape_samples_post_metric_relabeling"), t, kept));
    out.add(new Sample(report("scrape_series_added"), t, added));
    stats.scrapes.incrementAndGet();
    String scrapeError = error;
    double took = seconds;
    // the previous scrape's commit may still run; its order before ours is what matters
    appending.join();
    appending = CompletableFuture.runAsync(() -> store(out, scrapeError, t, took), appendExecutor);
    if (waitForCommit) {
      appending.join();
    }
    return error.isEmpty();
  }

  /** Appends a scrape's samples (on the append executor) and publishes the status. */
  private void store(List<Sample> out, String scrapeError, long t, double seconds) {
    String error = scrapeError;
    try {
      AppendResult r = store.append(out);
      if (r.error() != null) {
        LOG.warn("scrape of {}: {} samples refused by the store: {}", url, r.rejected(), r.error());
      }
    } catch (RuntimeException e) {
      stats.failedAppends.incrementAndGet();
      LOG.warn("scrape of {}: storing the samples failed: {}", url, e.toString());
      if (error.isEmpty()) {
        error = "storing samples failed: " + e.getMessage();
      }
    }
    status = new Status(error.isEmpty() ? "up" : "down", error, t, seconds);
  }

  private Labels report(String name) {
    TreeMap<String, String> m = new TreeMap<>(labels.map());
    m.put(Labels.NAME, name);
    return new Labels(m);
  }

  /** Prometheus' {@code mutateSampleLabels}: target labels win unless honor_labels is set. */
  private TreeMap<String, String> withTargetLabels(Map<String, String> scraped) {
    TreeMap<String, String> m = new TreeMap<>(scraped);
    for (Map.Entry<String, String> e : labels.map().entrySet()) {
      String k = e.getKey();
      String existing = m.get(k);
      if (job.honorLabels()) {
        if (existing == null) {
          m.put(k, e.getValue());
        }
        continue;
      }
      if (existing != null) {
        String exported = "exported_" + k;
        while (m.containsKey(exported)) {
          exported = "exported_" + exported;
        }
        m.put(exported, existing);
      }
      m.put(k, e.getValue());
    }
    return m;
  }

  private record Body(String text, boolean openMetrics) {}

  private static final class ScrapeException extends Exception {
    private static final long serialVersionUID = 1L;

    ScrapeException(String message) {
      super(message, null, false, false);
    }
  }

  private Body fetch() throws IOException, InterruptedException, ScrapeException {
    Duration timeout = job.timeout();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Accept", ACCEPT)
            .header("Accept-Encoding", "gzip")
            .header("User-Agent", "YumZoomOps-scraper")
            .header(
                "X-Prometheus-Scrape-Timeout-Seconds",
                String.format(Locale.ROOT, "%.6g", timeout.toMillis() / 1000.0))
            .GET()
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (java.net.http.HttpTimeoutException e) {
      throw new ScrapeException("context deadline exceeded (scrape_timeout " + timeout + ")");
    }
    try (InputStream raw = response.body()) {
      // the request timeout ends at the headers; a body that trickles is cut at the deadline
      CompletableFuture<Void> guard = new CompletableFuture<>();
      guard.completeOnTimeout(
          null, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      guard.thenRun(
          () -> {
            try {
              raw.close();
            } catch (IOException ignored) {
              // closing to abort
            }
          });
      try {
        if (response.statusCode() != 200) {
          throw new ScrapeException("server returned HTTP status " + response.statusCode());
        }
        boolean gzip =
            response.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip");
        byte[] bytes = readBounded(gzip ? new GZIPInputStream(raw) : raw, job.bodySizeLimit());
        String type =
            response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        return new Body(
            new String(bytes, StandardCharsets.UTF_8),
            type.startsWith("application/openmetrics-text"));
      } catch (IOException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new ScrapeException("context deadline exceeded (scrape_timeout " + timeout + ")");
        }
        throw e;
      } finally {
        guard.cancel(false);
      }
    }
  }

  static byte[] readBounded(InputStream in, long limit) throws IOException, ScrapeException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[16_384];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > limit) {
        throw new ScrapeException(
            "body size limit exceeded: more than " + limit + " bytes (body_size_limit)");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** The discovered labels of a static target before relabelling. */
  static Map<String, String> discovered(
      ScrapeConfig.Job job, String address, Map<String, String> staticLabels) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("__address__", address);
    m.put("__scheme__", job.scheme());
    m.put("__metrics_path__", job.metricsPath());
    m.put("__scrape_interval__", PromDurations.format(job.interval()));
    m.put("__scrape_timeout__", PromDurations.format(job.timeout()));
    m.put("job", job.name());
    job.params()
        .forEach(
            (k, v) -> {
              if (!v.isEmpty()) {
                m.put("__param_" + k, v.getFirst());
              }
            });
    m.putAll(staticLabels);
    return m;
  }
}
