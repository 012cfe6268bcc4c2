package com.yumzoom.ops.bench;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Breach-to-delivered latency of an alerting stack, measured from outside over HTTP. The runner is
 * both the metric target and the webhook receiver: trial {@code k} serves (or, in push mode, pushes
 * over OTLP/HTTP) {@code bench_gauge{trial="k"}}, flips it from 0 to 1 at a recorded instant, and
 * measures until the webhook receives a firing notification naming that trial; then it flips the
 * gauge back to 0 and waits (bounded) for the resolved notification before the next trial. Each
 * trial is its own series, so each is a new alert group whatever the stack's grouping timers, and a
 * slow resolution of one trial does not delay the next one's first notification.
 *
 * <pre>
 * java -cp benchmarks.jar com.yumzoom.ops.bench.AlertLatencyBenchmark --port 9999 --trials 10 \
 *   [--push http://127.0.0.1:4318/v1/metrics] [--fire-timeout-s 60] [--resolve-timeout-s 30] \
 *   [--warmup-s 3] [--result-file out.env]
 * </pre>
 *
 * Serves {@code GET /metrics} (Prometheus text) and {@code POST /hook} (Alertmanager webhook JSON).
 */
public final class AlertLatencyBenchmark {

  private record Hook(long receivedNanos, String body) {}

  private final List<Hook> hooks = new CopyOnWriteArrayList<>();
  private volatile int trial = 0;
  private volatile double value = 0;
  private volatile long scrapes;
  private final HttpClient http = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new AlertLatencyBenchmark()
        .run(
            Integer.parseInt(a.getOrDefault("port", "0")),
            Integer.parseInt(a.getOrDefault("trials", "5")),
            a.get("push"),
            Integer.parseInt(a.getOrDefault("fire-timeout-s", "60")),
            Integer.parseInt(a.getOrDefault("resolve-timeout-s", "30")),
            Integer.parseInt(a.getOrDefault("warmup-s", "3")),
            a.get("result-file"));
  }

  private void run(
      int port,
      int trials,
      String pushUrl,
      int fireTimeoutS,
      int resolveTimeoutS,
      int warmupS,
      String resultFile)
      throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/metrics",
        ex -> {
          scrapes++;
          byte[] b =
              ("# TYPE bench_gauge gauge\nbench_gauge{trial=\"" + trial + "\"} " + value + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.createContext(
        "/hook",
        ex -> {
          long now = System.nanoTime();
          try (InputStream in = ex.getRequestBody()) {
            hooks.add(new Hook(now, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(200, -1);
          } finally {
            ex.close();
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor();
    if (pushUrl != null) {
      // a pushed gauge is refreshed like a scraped one would be, so it never goes stale
      pusher.scheduleAtFixedRate(() -> push(pushUrl), 0, 500, TimeUnit.MILLISECONDS);
    }
    System.err.printf(
        Locale.ROOT, "target/receiver on 127.0.0.1:%d%n", server.getAddress().getPort());
    SplittableRandom random = new SplittableRandom(42);
    List<Double> latencies = new ArrayList<>();
    int missed = 0;
    try {
      awaitNanos(Duration.ofSeconds(warmupS).toNanos());
      for (int k = 1; k <= trials; k++) {
        trial = k;
        value = 0;
        // a random phase against the stack's scrape and evaluation ticks
        awaitNanos(Duration.ofMillis(1000 + random.nextInt(1000)).toNanos());
        long breach = System.nanoTime();
        value = 1;
        if (pushUrl != null) {
          push(pushUrl);
        }
        String marker = "\"trial\":\"" + k + "\"";
        Hook fired = awaitHook(breach, marker, "firing", fireTimeoutS);
        if (fired == null) {
          missed++;
          System.err.printf(
              Locale.ROOT, "trial %d: no firing notification in %d s%n", k, fireTimeoutS);
        } else {
          double ms = (fired.receivedNanos() - breach) / 1e6;
          latencies.add(ms);
          System.err.printf(Locale.ROOT, "trial %d: breach-to-delivered %.0f ms%n", k, ms);
        }
        long down = System.nanoTime();
        value = 0;
        if (pushUrl != null) {
          push(pushUrl);
        }
        if (resolveTimeoutS > 0 && awaitHook(down, marker, "resolved", resolveTimeoutS) == null) {
          System.err.printf(
              Locale.ROOT, "trial %d: no resolved notification in %d s%n", k, resolveTimeoutS);
        }
      }
    } finally {
      pusher.shutdownNow();
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
    List<Double> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    String result =
        String.format(
            Locale.ROOT,
            "trials=%d%ndelivered=%d%nmissed=%d%np50_ms=%.0f%np95_ms=%.0f%nmax_ms=%.0f%nscrapes=%d%n",
            trials,
            latencies.size(),
            missed,
            quantile(sorted, 0.50),
            quantile(sorted, 0.95),
            sorted.isEmpty() ? Double.NaN : sorted.getLast(),
            scrapes);
    System.out.print(result);
    if (resultFile != null) {
      Files.writeString(Path.of(resultFile), result);
    }
  }

  /** Nearest-rank quantile. */
  static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private Hook awaitHook(long after, String marker, String status, int timeoutS)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutS).toNanos();
    String top = "\"status\":\"" + status + "\"";
    while (System.nanoTime() < deadline) {
      for (Hook h : hooks) {
        if (h.receivedNanos() >= after && h.body().contains(marker) && h.body().contains(top)) {
          return h;
        }
      }
      Thread.sleep(2);
    }
    return null;
  }

  private static void awaitNanos(long nanos) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
    }
  }

  private void push(String url) {
    long nowNanos = System.currentTimeMillis() * 1_000_000L;
    ExportMetricsServiceRequest req =
        ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(kv("service.name", "alert-latency-bench")))
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder()
                            .addMetrics(
                                Metric.newBuilder()
                                    .setName("bench_gauge")
                                    .setGauge(
                                        Gauge.newBuilder()
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder()
                                                    .addAttributes(
                                                        kv("trial", Integer.toString(trial)))
                                                    .setTimeUnixNano(nowNanos)
                                                    .setAsDouble(value))))))
            .build();
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Content-Type", "application/x-protobuf")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(req.toByteArray()))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        System.err.println("push answered " + r.statusCode());
      }
    } catch (IOException e) {
      System.err.println("push failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }
}
