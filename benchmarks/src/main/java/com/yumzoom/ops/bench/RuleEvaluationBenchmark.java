package com.yumzoom.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Rule evaluation cost: installs {@code --rules} alerting rules (in groups of {@code --group-size})
 * on a running server whose metrics store holds {@code --metrics} gauges of {@code --series} series
 * each (pushed over OTLP/HTTP and refreshed every interval, so the store has realistic size and
 * freshness), then reads each group's own evaluation time from {@code /api/v1/rules} for {@code
 * --duration} and reports, per evaluation interval, the total time spent evaluating all rules (p50,
 * p95, max) and the mean per rule. The expressions mix what alerting rules usually are: a filtered
 * selector, an aggregation over a whole metric, a range function, and a ratio of two aggregations.
 *
 * <pre>
 * ./yumzoom serve --data-dir /tmp/bench-rules &amp;
 * java -cp benchmarks/target/benchmarks.jar com.yumzoom.ops.bench.RuleEvaluationBenchmark \
 *     --url http://127.0.0.1:8080 --rules 1000 --series 1000 --interval 5s --duration 60s
 * </pre>
 */
@Command(
    name = "rule-evaluation",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Measures the evaluation cost of many alerting rules per interval.")
public final class RuleEvaluationBenchmark implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Base URL.")
  String url;

  @Option(names = "--rules", defaultValue = "1000", description = "Alerting rules.")
  int rules;

  @Option(names = "--group-size", defaultValue = "100", description = "Rules per group.")
  int groupSize;

  @Option(names = "--metrics", defaultValue = "8", description = "Gauge metrics in the store.")
  int metrics;

  @Option(names = "--series", defaultValue = "1000", description = "Series per metric.")
  int series;

  @Option(names = "--interval", defaultValue = "15s", description = "Group interval (s).")
  String interval;

  @Option(names = "--duration", defaultValue = "120s", description = "Measured time (s).")
  String duration;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final SplittableRandom random = new SplittableRandom(42);

  public static void main(String[] args) {
    System.exit(new CommandLine(new RuleEvaluationBenchmark()).execute(args));
  }

  private static long seconds(String s) {
    return Long.parseLong(s.endsWith("s") ? s.substring(0, s.length() - 1) : s);
  }

  @Override
  public Integer call() throws Exception {
    long intervalS = seconds(interval);
    long durationS = seconds(duration);
    System.out.printf(
        Locale.ROOT,
        "load average at start: %s%n",
        Files.readString(Path.of("/proc/loadavg")).trim());
    pushMetrics();
    int groups = (rules + groupSize - 1) / groupSize;
    for (int g = 0; g < groups; g++) {
      put("/api/alerting/rules/bench-" + g, group(g, intervalS));
    }
    System.out.printf(
        Locale.ROOT,
        "%d rules in %d groups, %d metrics x %d series, interval %ds, measuring %ds%n",
        rules,
        groups,
        metrics,
        series,
        intervalS,
        durationS);
    // evaluationTime per (group, lastEvaluation): each group evaluation counted once
    Map<String, Double> evaluations = new HashMap<>();
    Instant warmupEnd = Instant.now().plusSeconds(intervalS * 2);
    Instant end = warmupEnd.plusSeconds(durationS);
    Instant nextPush = Instant.now().plusSeconds(intervalS);
    while (Instant.now().isBefore(end)) {
      if (!Instant.now().isBefore(nextPush)) {
        pushMetrics();
        nextPush = nextPush.plusSeconds(intervalS);
      }
      if (Instant.now().isAfter(warmupEnd)) {
        JsonNode data = get("/api/v1/rules?type=alert").get("data").get("groups");
        for (JsonNode g : data) {
          if (g.get("name").asText().startsWith("bench-")
              && !g.get("lastEvaluation").asText().startsWith("0001")) {
            evaluations.put(
                g.get("name").asText() + "@" + g.get("lastEvaluation").asText(),
                g.get("evaluationTime").asDouble());
          }
        }
      }
      Thread.sleep(500);
    }
    JsonNode status = get("/api/alerting/status").get("rules");
    for (int g = 0; g < groups; g++) {
      delete("/api/alerting/rules/bench-" + g);
    }
    report(evaluations, groups, intervalS, status);
    return 0;
  }

  /**
   * Groups run one after another on the server's evaluation thread, each at its own slot times, so
   * one pass over all rules costs the sum of the groups' evaluation times: the sum of the per-group
   * medians (p50 pass) and of the per-group maxima (worst case).
   */
  private void report(
      Map<String, Double> evaluations, int groups, long intervalS, JsonNode status) {
    Map<String, List<Double>> byGroup = new TreeMap<>();
    for (Map.Entry<String, Double> e : evaluations.entrySet()) {
      String g = e.getKey().substring(0, e.getKey().indexOf('@'));
      byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(e.getValue());
    }
    if (byGroup.size() < groups) {
      System.out.println(
          "only " + byGroup.size() + " of " + groups + " groups measured; run longer");
      return;
    }
    double p50 = 0;
    double max = 0;
    int n = Integer.MAX_VALUE;
    for (List<Double> times : byGroup.values()) {
      Collections.sort(times);
      p50 += times.get(times.size() / 2);
      max += times.getLast();
      n = Math.min(n, times.size());
    }
    System.out.printf(
        Locale.ROOT,
        "evaluations per group measured: at least %d%none pass over all %d rules: p50 %.1f ms,"
            + " worst %.1f ms (interval %d s: %.1f%% of one core at p50)%nper rule: %.1f us%n"
            + "server: rule evaluations %d, failed %d, missed group iterations %d%n",
        n,
        rules,
        p50 * 1000,
        max * 1000,
        intervalS,
        p50 * 100 / intervalS,
        p50 * 1e6 / rules,
        status.path("evaluations").asLong(),
        status.path("failedEvaluations").asLong(),
        status.path("missedIterations").asLong());
  }

  private ObjectNode group(int g, long intervalS) {
    ObjectNode o = JSON.createObjectNode();
    o.put("interval", intervalS + "s");
    ArrayNode list = o.putArray("rules");
    int first = g * groupSize;
    for (int i = first; i < Math.min(rules, first + groupSize); i++) {
      int m = i % metrics;
      int service = i % 100;
      String metric = "bench_metric_" + m;
      String expr =
          switch (i % 4) {
            case 0 -> metric + "{service=\"svc-" + service + "\"} > 0.99";
            case 1 -> "avg by (service) (" + metric + ") > 0.95";
            case 2 -> "max_over_time(" + metric + "{service=\"svc-" + service + "\"}[5m]) > 0.9999";
            default -> "sum(" + metric + ") / count(" + metric + ") > 0.9";
          };
      ObjectNode r = list.addObject();
      r.put("alert", "Bench" + i);
      r.put("expr", expr);
      r.put("for", "1m");
      r.putObject("labels").put("severity", "warning");
      r.putObject("annotations").put("summary", "{{ $labels.service }} at {{ humanize $value }}");
    }
    return o;
  }

  private void pushMetrics() throws IOException, InterruptedException {
    long nowNanos = System.currentTimeMillis() * 1_000_000L;
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
    int instances = Math.max(1, series / 100);
    int services = series / instances;
    for (int m = 0; m < metrics; m++) {
      Gauge.Builder gauge = Gauge.newBuilder();
      for (int s = 0; s < services; s++) {
        for (int i = 0; i < instances; i++) {
          gauge.addDataPoints(
              NumberDataPoint.newBuilder()
                  .setTimeUnixNano(nowNanos)
                  .setAsDouble(random.nextDouble())
                  .addAttributes(attr("service", "svc-" + s))
                  .addAttributes(attr("pod", "i-" + i)));
        }
      }
      scope.addMetrics(Metric.newBuilder().setName("bench_metric_" + m).setGauge(gauge));
    }
    ExportMetricsServiceRequest req =
        ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .setResource(
                        Resource.newBuilder().addAttributes(attr("service.name", "rule-bench")))
                    .addScopeMetrics(scope))
            .build();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/v1/metrics"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(req.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("metrics push: " + r.statusCode() + " " + r.body());
    }
  }

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private void put(String path, JsonNode body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
  }

  private void delete(String path) throws IOException, InterruptedException {
    http.send(
        HttpRequest.newBuilder(URI.create(url + path)).DELETE().build(),
        HttpResponse.BodyHandlers.discarding());
  }
}
