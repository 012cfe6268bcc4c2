package com.yumzoom.ops.bench;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Metrics benchmark against a running server: first the OTLP metrics ingest rate (samples per
 * second acknowledged, i.e. committed) while backfilling {@code --series} series over {@code
 * --hours} at {@code --resolution}, then query_range latency (p50/p95) of dashboard queries over
 * the whole backfilled range at a 1-minute step (raw samples from the file) and at a 5-minute and
 * 1-hour step (rollups), once the server reports its rollups caught up.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar com.yumzoom.ops.bench.MetricsBenchmark \
 *     --url http://127.0.0.1:8080 --series 1000 --hours 24
 * </pre>
 */
@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Measures OTLP metrics ingest and PromQL query_range latency.")
public final class MetricsBenchmark implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Base URL.")
  String url;

  @Option(names = "--series", defaultValue = "1000", description = "Counter series.")
  int series;

  @Option(names = "--hours", defaultValue = "24", description = "Backfilled span, hours.")
  int hours;

  @Option(names = "--resolution-seconds", defaultValue = "15", description = "Sample spacing.")
  int resolutionSeconds;

  @Option(names = "--senders", defaultValue = "4", description = "Requests in flight.")
  int senders;

  @Option(names = "--steps-per-request", defaultValue = "20", description = "Timestamps/request.")
  int stepsPerRequest;

  @Option(names = "--repeat", defaultValue = "10", description = "Runs of each query.")
  int repeat;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  public static void main(String[] args) {
    System.exit(new CommandLine(new MetricsBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.println("load average at start: " + loadAverage());
    long stepMs = resolutionSeconds * 1000L;
    long end = System.currentTimeMillis() / stepMs * stepMs - 60_000;
    long start = end - hours * 3_600_000L;
    ingest(start, end, stepMs);
    awaitRollups();
    queries(start, end);
    return 0;
  }

  private void ingest(long start, long end, long stepMs) throws Exception {
    AtomicLong acked = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    Histogram latency = new ConcurrentHistogram(3);
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    long began = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < senders; w++) {
      int worker = w;
      futures.add(
          pool.submit(
              () -> {
                for (long t = start; t <= end; t += stepMs * stepsPerRequest) {
                  ExportMetricsServiceRequest r =
                      request(
                          worker,
                          t,
                          Math.min(end, t + stepMs * (stepsPerRequest - 1)),
                          stepMs,
                          start);
                  int points = points(r);
                  while (true) {
                    long sent = System.nanoTime();
                    HttpResponse<byte[]> resp = post(r.toByteArray());
                    latency.recordValue((System.nanoTime() - sent) / 1000);
                    if (resp.statusCode() == 429 || resp.statusCode() == 503) {
                      Thread.sleep(200); // told to retry
                      continue;
                    }
                    if (resp.statusCode() != 200) {
                      throw new IllegalStateException("HTTP " + resp.statusCode());
                    }
                    long rejected =
                        ExportMetricsServiceResponse.parseFrom(resp.body())
                            .getPartialSuccess()
                            .getRejectedDataPoints();
                    refused.addAndGet(rejected);
                    acked.addAndGet(points - rejected);
                    break;
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - began) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "ingest: %d samples acknowledged (%d refused) in %.1f s = %.0f samples/s;"
            + " request latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms (%d senders, %d samples per"
            + " request)%n",
        acked.get(),
        refused.get(),
        seconds,
        acked.get() / seconds,
        latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(95) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0,
        senders,
        (series / senders) * stepsPerRequest);
  }

  private ExportMetricsServiceRequest request(
      int worker, long from, long to, long stepMs, long start) {
    Sum.Builder sum =
        Sum.newBuilder()
            .setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    Gauge.Builder gauge = Gauge.newBuilder();
    for (int s = worker; s < series; s += senders) {
      for (long t = from; t <= to; t += stepMs) {
        double elapsed = (t - start) / 1000.0;
        sum.addDataPoints(
            NumberDataPoint.newBuilder()
                .setTimeUnixNano(t * 1_000_000L)
                .setAsDouble(elapsed * (1 + s % 7))
                .addAttributes(attr("series", "s" + s))
                .addAttributes(attr("shard", "shard" + (s % 10))));
        if (s % 10 == 0) {
          gauge.addDataPoints(
              NumberDataPoint.newBuilder()
                  .setTimeUnixNano(t * 1_000_000L)
                  .setAsDouble(50 + 40 * Math.sin(t / 3_600_000.0 + s))
                  .addAttributes(attr("series", "s" + s)));
        }
      }
    }
    ScopeMetrics.Builder scope =
        ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("bench.requests").setSum(sum));
    if (gauge.getDataPointsCount() > 0) {
      scope.addMetrics(Metric.newBuilder().setName("bench.queue.depth").setGauge(gauge));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "bench")))
                .addScopeMetrics(scope))
        .build();
  }

  private static int points(ExportMetricsServiceRequest r) {
    int n = 0;
    for (Metric m : r.getResourceMetrics(0).getScopeMetrics(0).getMetricsList()) {
      n += m.hasSum() ? m.getSum().getDataPointsCount() : m.getGauge().getDataPointsCount();
    }
    return n;
  }

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  private HttpResponse<byte[]> post(byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url + "/v1/metrics"))
            .header("Content-Type", "application/x-protobuf")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Waits (at most 15 minutes) until the server's 5-minute rollups are within 10 minutes. */
  private void awaitRollups() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
    long began = System.nanoTime();
    while (System.nanoTime() < deadline) {
      String metrics =
          client
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : metrics.split("\n")) {
        if (line.startsWith("yumzoom_metrics_rollup_lag_seconds ")) {
          double lag = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
          if (lag < 600) {
            System.out.printf(
                Locale.ROOT,
                "rollups caught up %.1f s after the ingest ended%n",
                (System.nanoTime() - began) / 1e9);
            return;
          }
        }
      }
      Thread.sleep(1000);
    }
    System.out.println("rollups still behind after 15 minutes; rollup figures include raw reads");
  }

  private void queries(long start, long end) throws Exception {
    String[] exprs = {
      "sum by (shard) (rate(bench_requests_total[20m]))",
      "sum(rate(bench_requests_total[1h]))",
      "max(bench_queue_depth)",
    };
    long[] steps = {60, 300, 3600};
    System.out.printf(Locale.ROOT, "query_range over %d h, %d repeats (ms):%n", hours, repeat);
    System.out.printf(
        Locale.ROOT, "%-55s %8s %8s %8s %8s%n", "query", "step", "p50", "p95", "series");
    for (String q : exprs) {
      for (long step : steps) {
        Histogram h = new Histogram(3);
        int resultSeries = 0;
        for (int i = 0; i < repeat; i++) {
          String u =
              url
                  + "/api/v1/query_range?query="
                  + URLEncoder.encode(q, StandardCharsets.UTF_8)
                  + "&start="
                  + start / 1000
                  + "&end="
                  + end / 1000
                  + "&step="
                  + step;
          long t0 = System.nanoTime();
          HttpResponse<String> r =
              client.send(
                  HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofMinutes(3)).build(),
                  HttpResponse.BodyHandlers.ofString());
          h.recordValue((System.nanoTime() - t0) / 1000);
          if (r.statusCode() != 200) {
            throw new IllegalStateException(q + ": HTTP " + r.statusCode() + " " + r.body());
          }
          resultSeries = r.body().split("\"metric\"").length - 1;
        }
        System.out.printf(
            Locale.ROOT,
            "%-55s %7ds %8.1f %8.1f %8d%n",
            q,
            step,
            h.getValueAtPercentile(50) / 1000.0,
            h.getValueAtPercentile(95) / 1000.0,
            resultSeries);
      }
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
