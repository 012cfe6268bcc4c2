package com.yumzoom.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast the UI shows something useful, measured in headless Chromium with the browser's own
 * Performance API: first contentful paint and the first painted services table of {@code
 * /overview}, and the time until a 12-panel dashboard over 24 h has painted every panel's first
 * results ({@code yz:*} marks set by the UI after the paint). Run against a running server; the
 * first run is cold (empty browser cache), the others warm.
 */
@Command(
    name = "ui-render-benchmark",
    mixinStandardHelpOptions = true,
    description = "Overview first paint and 12-panel dashboard render time in headless Chromium.")
public final class UiRenderBenchmark implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server URL.")
  String url;

  @Option(names = "--runs", defaultValue = "10", description = "Measured page loads per page.")
  int runs;

  @Option(names = "--chromium", defaultValue = "/usr/bin/chromium")
  String chromium;

  @Option(names = "--chromedriver", defaultValue = "/usr/bin/chromedriver")
  String chromedriver;

  private final HttpClient http = HttpClient.newHttpClient();

  public static void main(String[] args) {
    System.exit(new CommandLine(new UiRenderBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf(
        "load average at start: %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    String dashboardId = createDashboard();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process driver =
        new ProcessBuilder(chromedriver, "--port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Path profile = Files.createTempDirectory("yz-bench-chromium-");
    String wd = "http://127.0.0.1:" + port;
    try {
      waitReady(wd);
      String session = wd + "/session/" + newSession(wd, profile);
      List<double[]> overview = new ArrayList<>();
      List<Double> dashboard = new ArrayList<>();
      for (int i = 0; i <= runs; i++) {
        navigate(session, url + "/overview?from=now-1h&to=now");
        double content = waitMark(session, "yz:overview");
        double fcp =
            script(
                    session,
                    "const e = performance.getEntriesByName('first-contentful-paint')[0];"
                        + " return e ? e.startTime : -1;")
                .asDouble();
        navigate(session, url + "/dashboards/" + dashboardId + "?from=now-24h&to=now");
        double dash = waitMark(session, "yz:dashboard");
        if (i == 0) {
          System.out.printf(
              "cold: overview FCP %.0f ms, overview content %.0f ms, 12-panel dashboard %.0f ms%n",
              fcp, content, dash);
        } else {
          overview.add(new double[] {fcp, content});
          dashboard.add(dash);
        }
      }
      report("overview first contentful paint", overview.stream().mapToDouble(a -> a[0]).toArray());
      report("overview services table painted", overview.stream().mapToDouble(a -> a[1]).toArray());
      report(
          "12-panel dashboard (24 h) all panels painted",
          dashboard.stream().mapToDouble(Double::doubleValue).toArray());
      call("DELETE", session, null);
    } finally {
      driver.destroy();
      send("DELETE", url + "/api/ui/dashboards/" + dashboardId, null);
      try (var paths = Files.walk(profile)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  private static void report(String what, double[] ms) {
    Arrays.sort(ms);
    System.out.printf(
        "%-46s warm runs %d: p50 %.0f ms, p90 %.0f ms, max %.0f ms%n",
        what,
        ms.length,
        ms[ms.length / 2],
        ms[(int) Math.ceil(ms.length * 0.9) - 1],
        ms[ms.length - 1]);
  }

  /** Twelve panels of every kind over the server's own and span-derived metrics. */
  private String createDashboard() throws Exception {
    ObjectNode d = JSON.createObjectNode().put("title", "benchmark: 12 panels");
    ArrayNode panels = d.putArray("panels");
    String[][] specs = {
      {"line", "rate(yumzoom_ingest_spans_accepted_total[5m])"},
      {"area", "yumzoom_pipeline_queued_spans"},
      {"bar", "rate(yumzoom_pipeline_commits_total[5m])"},
      {"stacked", "sum by (outcome) (rate(yumzoom_ingest_requests_total[5m]))"},
      {"line", "sum by (service) (rate(traces_spanmetrics_calls_total[5m]))"},
      {"area", "jvm_memory_used_bytes"},
      {"gauge", "yumzoom_pipeline_last_commit_seconds"},
      {"gauge", "jvm_memory_used_bytes{area=\"heap\"} / jvm_memory_max_bytes{area=\"heap\"}"},
      {"stat", "yumzoom_store_spans"},
      {"stat", "yumzoom_metrics_series"},
      {"heatmap", "sum by (le) (increase(traces_spanmetrics_latency_bucket[5m]))"},
      {"table", "sum by (service, span_name) (rate(traces_spanmetrics_calls_total[5m]))"},
    };
    for (int i = 0; i < specs.length; i++) {
      ObjectNode p = panels.addObject();
      p.put("id", "p" + i).put("title", specs[i][0] + " " + i).put("type", specs[i][0]);
      p.put("w", 6).put("h", 6);
      p.putArray("targets").addObject().put("expr", specs[i][1]);
    }
    JsonNode created = JSON.readTree(send("POST", url + "/api/ui/dashboards", d));
    return created.path("id").asText();
  }

  private String send(String method, String target, JsonNode body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target));
    b.header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private void waitReady(String wd) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        String body =
            http.send(
                    HttpRequest.newBuilder(URI.create(wd + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        if (JSON.readTree(body).path("value").path("ready").asBoolean()) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("chromedriver did not start");
  }

  private String newSession(String wd, Path profile) throws Exception {
    ObjectNode caps = JSON.createObjectNode();
    ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
    ObjectNode chrome = always.putObject("goog:chromeOptions");
    chrome.put("binary", chromium);
    ArrayNode args = chrome.putArray("args");
    for (String a :
        List.of(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--window-size=1440,900",
            "--user-data-dir=" + profile)) {
      args.add(a);
    }
    JsonNode r = JSON.readTree(send("POST", wd + "/session", caps));
    return r.path("value").path("sessionId").asText();
  }

  private JsonNode call(String method, String target, JsonNode body) throws Exception {
    return JSON.readTree(send(method, target, body == null ? JSON.createObjectNode() : body))
        .path("value");
  }

  private void navigate(String session, String page) throws Exception {
    call("POST", session + "/url", JSON.createObjectNode().put("url", page));
  }

  private JsonNode script(String session, String js) throws Exception {
    ObjectNode b = JSON.createObjectNode().put("script", js);
    b.putArray("args");
    return call("POST", session + "/execute/sync", b);
  }

  private double waitMark(String session, String mark) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonNode v =
          script(
              session,
              "const m = performance.getEntriesByName('"
                  + mark
                  + "')[0];"
                  + " return m ? m.startTime : null;");
      if (v.isNumber()) {
        return v.asDouble();
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no " + mark + " mark within 30 s");
  }
}
