package com.yumzoom.ops.alert.delivery;

import com.sun.net.httpserver.HttpServer;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.config.YumzoomConfig;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Load figures for the delivery side alone (not a test): notifications handed to the sink as fast
 * as it takes them, delivered through the DuckDB outbox and the worker pool to a webhook receiver
 * on loopback. Reports sink calls per second, deliveries per second, and send-to-received latency.
 *
 * <pre>
 * ./mvnw -B -o -q -pl server test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt \
 *   -Dmdep.includeScope=test
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp "server/target/test-classes:server/target/classes:$(cat server/cp.txt)" \
 *   com.yumzoom.ops.alert.delivery.DeliveryThroughputBench [notifications=5000] [workers=4]
 * </pre>
 *
 * It lives beside the code (like {@code DuckDbStorageBench}) because the sink has no HTTP ingress
 * of its own: the rule side calls it in-process. The run is bounded by {@code notifications} and a
 * 5-minute deadline and stops by itself.
 */
public final class DeliveryThroughputBench {

  private DeliveryThroughputBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (String a : args) {
      String[] kv = a.split("=", 2);
      opts.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    int total = Integer.parseInt(opts.getOrDefault("notifications", "5000"));
    int workers = Integer.parseInt(opts.getOrDefault("workers", "4"));

    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    long[] latencies = new long[total];
    AtomicInteger received = new AtomicInteger();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(8));
    receiver.createContext(
        "/hook",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            long now = System.nanoTime();
            int at = body.indexOf("\"groupKey\":\"");
            String key = body.substring(at + 12, body.indexOf('"', at + 12));
            Long sent = sentAt.get(key);
            int n = received.getAndIncrement();
            if (sent != null && n < total) {
              latencies[n] = now - sent;
            }
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    receiver.start();
    Path dir = Files.createTempDirectory("yz-delivery-bench");
    DeliveryConfig config =
        DeliveryConfig.parse(
            """
            receivers:
              - name: hook
                webhook_configs:
                  - url: http://127.0.0.1:%d/hook
                    hmac_secret: bench
            """
                .formatted(receiver.getAddress().getPort()));
    YumzoomConfig.AlertDeliverySettings settings =
        new YumzoomConfig.AlertDeliverySettings(
            null,
            workers,
            10,
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            Duration.ofSeconds(10),
            10_000,
            "",
            Duration.ofDays(1),
            Duration.ofDays(30),
            Set.of("critical"));
    AlertDelivery delivery =
        new AlertDelivery(
            config,
            settings,
            dir,
            Clock.systemUTC(),
            RandomGenerator.getDefault(),
            ChannelSender.defaultClient(Duration.ofSeconds(5)));
    // workersFirst=false queues everything before the workers start: the sink's own cost
    boolean workersFirst = Boolean.parseBoolean(opts.getOrDefault("workersFirst", "true"));
    if (workersFirst) {
      delivery.start();
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    long start = System.nanoTime();
    int refused = 0;
    for (int i = 0; i < total && System.nanoTime() < deadline; i++) {
      String key = "bench-group-" + i;
      Notification n =
          new Notification(
              "hook",
              Alert.FIRING,
              Map.of("alertname", "BenchAlert"),
              Map.of("alertname", "BenchAlert", "severity", "warning"),
              Map.of("summary", "load"),
              "http://localhost:8080",
              key,
              List.of(
                  new Alert(
                      Alert.FIRING,
                      Map.of("alertname", "BenchAlert", "severity", "warning", "i", "" + i),
                      Map.of("summary", "load", "value", "1"),
                      java.time.Instant.now(),
                      null,
                      "",
                      "fp-" + i)),
              0);
      sentAt.put(key, System.nanoTime());
      try {
        delivery.send(n);
      } catch (Outbox.FullException e) {
        refused++;
        i--;
        Thread.sleep(5);
      }
    }
    long sendDone = System.nanoTime();
    if (!workersFirst) {
      delivery.start();
    }
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long end = System.nanoTime();
    delivery.close();
    receiver.stop(0);
    ((java.util.concurrent.ExecutorService) receiver.getExecutor()).shutdownNow();
    int got = Math.min(received.get(), total);
    long[] l = Arrays.copyOf(latencies, got);
    Arrays.sort(l);
    double sendSeconds = (sendDone - start) / 1e9;
    double allSeconds = (end - start) / 1e9;
    System.out.printf(
        "notifications=%d workers=%d delivered=%d refused(full)=%d%n"
            + "sink: %.0f notifications/s (%.2f ms per send)%n"
            + "delivered: %.0f notifications/s end to end (%.1f s)%n"
            + "send->received latency ms: p50 %.1f p95 %.1f p99 %.1f max %.1f%n",
        total,
        workers,
        got,
        refused,
        total / sendSeconds,
        sendSeconds * 1000 / total,
        got / allSeconds,
        allSeconds,
        pct(l, 0.50),
        pct(l, 0.95),
        pct(l, 0.99),
        l.length == 0 ? 0 : l[l.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
  }
}
