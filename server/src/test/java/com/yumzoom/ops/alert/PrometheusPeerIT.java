package com.yumzoom.ops.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.server.YumzoomServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus as a peer: its notifier sends its alerts to our Alertmanager API v2 as it
 * would to an Alertmanager, and they show up in {@code GET /api/v2/alerts} with Prometheus'
 * fingerprint.
 */
class PrometheusPeerIT {

  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static YumzoomServer server;
  static Process prometheus;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus not installed");
    server =
        YumzoomServer.start(
            ConfigLoader.load(
                null,
                Map.of(),
                Map.of(
                    "data-dir", dir.resolve("data").toString(),
                    "server.host", "127.0.0.1",
                    "server.http-port", "0",
                    "otlp.grpc-port", "0",
                    "otlp.http-port", "0")),
            Clock.systemUTC());
    Files.writeString(
        dir.resolve("rules.yml"),
        """
        groups:
          - name: peer
            interval: 1s
            rules:
              - alert: PeerAlert
                expr: vector(1)
                labels: {severity: warning, origin: prometheus}
                annotations: {summary: from a real Prometheus}
        """);
    Files.writeString(
        dir.resolve("prometheus.yml"),
        """
        global: {evaluation_interval: 1s}
        rule_files: [%s]
        alerting:
          alertmanagers:
            - api_version: v2
              static_configs: [{targets: ['127.0.0.1:%d']}]
        """
            .formatted(dir.resolve("rules.yml"), server.port()));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    prometheus =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port,
                // the first send happens before the notifier has discovered us and is dropped;
                // resend every second instead of every minute
                "--rules.alert.resend-delay=1s")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void alertsFromPrometheusArriveOverApiV2() throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    JsonNode alerts = JSON.createArrayNode();
    while (alerts.isEmpty() && Instant.now().isBefore(deadline)) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/api/v2/alerts"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      alerts = JSON.readTree(r.body());
      if (alerts.isEmpty()) {
        Thread.sleep(250);
      }
    }
    assertThat(alerts)
        .as("Prometheus log: %s", Files.readString(dir.resolve("prometheus.log")))
        .hasSize(1);
    JsonNode a = alerts.get(0);
    assertThat(a.get("labels").get("alertname").asText()).isEqualTo("PeerAlert");
    assertThat(a.get("labels").get("origin").asText()).isEqualTo("prometheus");
    assertThat(a.get("annotations").get("summary").asText()).isEqualTo("from a real Prometheus");
    assertThat(a.get("generatorURL").asText()).contains("/graph?g0.expr=");
    assertThat(a.get("receivers").get(0).get("name").asText()).isEqualTo("default");
    // Alertmanager's fingerprint of the label set, which we compute the same way
    assertThat(a.get("fingerprint").asText()).hasSize(16);
  }
}
