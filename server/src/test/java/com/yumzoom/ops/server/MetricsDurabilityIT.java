package com.yumzoom.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.config.MetricsSettings;
import com.yumzoom.ops.metrics.duckdb.DuckDbSampleStore;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.SeriesSource;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "2xx means durable" for OTLP metrics, against a real server process: every sample acknowledged
 * before a {@code kill -9} is in {@code metrics.duckdb} when it is opened again.
 */
class MetricsDurabilityIT {

  private static final int SENDERS = 4;
  private static final int POINTS_PER_REQUEST = 10;

  @TempDir Path dataDir;

  private record Acked(int sender, long tMs) {}

  @Test
  void acknowledgedSamplesSurviveKillMinus9() throws Exception {
    int port = ServerProcess.freePort();
    Process server = ServerProcess.start(dataDir, port);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/v1/metrics");
    ServerProcess.awaitReady(http, port, server);

    long base = System.currentTimeMillis() - 3_600_000L;
    Queue<Acked> acked = new ConcurrentLinkedQueue<>();
    CountDownLatch enoughAcked = new CountDownLatch(50);
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int s = 0; s < SENDERS; s++) {
      int sender = s;
      senders.execute(
          () -> {
            for (int i = 0; i < 500 && System.nanoTime() < deadline; i++) {
              long first = base + (long) i * POINTS_PER_REQUEST * 1000;
              byte[] body = request(sender, first).toByteArray();
              try {
                HttpResponse<String> response =
                    http.send(
                        HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/x-protobuf")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                  for (int p = 0; p < POINTS_PER_REQUEST; p++) {
                    acked.add(new Acked(sender, first + p * 1000L));
                  }
                  enoughAcked.countDown();
                }
              } catch (IOException e) {
                if (!server.isAlive()) {
                  return;
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          });
    }
    assertThat(enoughAcked.await(60, TimeUnit.SECONDS)).as("50 requests acknowledged").isTrue();
    server.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    senders.shutdown();
    assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    List<Acked> all = new ArrayList<>(acked);
    assertThat(all).hasSizeGreaterThanOrEqualTo(50 * POINTS_PER_REQUEST);
    try (DuckDbSampleStore store =
        DuckDbSampleStore.open(dataDir, MetricsSettings.DEFAULTS, Clock.systemUTC())) {
      Map<String, Set<Long>> stored = new HashMap<>();
      for (SeriesSource.Series s :
          store.select(
              List.of(LabelMatcher.of(Labels.NAME, LabelMatcher.Op.EQ, "durability_probe")),
              base - 1,
              Long.MAX_VALUE)) {
        Set<Long> ts = new HashSet<>();
        for (long t : s.timestamps()) {
          ts.add(t);
        }
        stored.put(s.labels().get("sender"), ts);
      }
      List<Acked> missing = new ArrayList<>();
      for (Acked a : all) {
        if (!stored.getOrDefault(Integer.toString(a.sender()), Set.of()).contains(a.tMs())) {
          missing.add(a);
        }
      }
      assertThat(missing).as("acknowledged samples missing after kill -9").isEmpty();
    }
  }

  private static ExportMetricsServiceRequest request(int sender, long firstMs) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (int p = 0; p < POINTS_PER_REQUEST; p++) {
      gauge.addDataPoints(
          NumberDataPoint.newBuilder()
              .setTimeUnixNano((firstMs + p * 1000L) * 1_000_000L)
              .setAsDouble(p)
              .addAttributes(
                  KeyValue.newBuilder()
                      .setKey("sender")
                      .setValue(AnyValue.newBuilder().setStringValue(Integer.toString(sender)))));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .addMetrics(
                            Metric.newBuilder().setName("durability_probe").setGauge(gauge))))
        .build();
  }
}
