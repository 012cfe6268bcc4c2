package com.yumzoom.ops.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our fingerprints against the real Alertmanager's (Debian's prometheus-alertmanager): the same
 * label sets, posted to it, get the fingerprints {@link Fingerprints} computes, so dedup keys and
 * API answers agree with Alertmanager's.
 */
class AlertmanagerFingerprintIT {

  static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static Process alertmanager;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(ALERTMANAGER), "prometheus-alertmanager not installed");
    Files.writeString(dir.resolve("am.yml"), "route: {receiver: r}\nreceivers: [{name: r}]\n");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    alertmanager =
        new ProcessBuilder(
                ALERTMANAGER.toString(),
                "--config.file=" + dir.resolve("am.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("am.log").toFile())
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (alertmanager != null) {
      alertmanager.destroy();
      if (!alertmanager.waitFor(20, TimeUnit.SECONDS)) {
        alertmanager.destroyForcibly();
      }
    }
  }

  @Test
  void fingerprintsMatchAlertmanagers() throws Exception {
    List<Map<String, String>> labelSets =
        List.of(
            Map.of("alertname", "A"),
            Map.of("alertname", "HighErrorRate", "service_name", "orders", "severity", "critical"),
            Map.of("alertname", "Unicode", "note", "caf\u00e9 \u2603", "empty_not", "x"));
    StringBuilder body = new StringBuilder("[");
    for (Map<String, String> l : labelSets) {
      if (body.length() > 1) {
        body.append(',');
      }
      body.append("{\"labels\":").append(JSON.writeValueAsString(l)).append('}');
    }
    body.append(']');
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    int status = 0;
    while (status != 200 && Instant.now().isBefore(deadline)) {
      try {
        status =
            HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (java.io.IOException notYetListening) {
        Thread.sleep(200);
      }
    }
    assertThat(status).as(Files.readString(dir.resolve("am.log"))).isEqualTo(200);
    JsonNode alerts =
        JSON.readTree(
            HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    Map<String, String> theirs = new LinkedHashMap<>();
    for (JsonNode a : alerts) {
      theirs.put(a.get("labels").get("alertname").asText(), a.get("fingerprint").asText());
    }
    assertThat(theirs).hasSize(3);
    for (Map<String, String> l : labelSets) {
      assertThat(Fingerprints.of(l)).as(l.toString()).isEqualTo(theirs.get(l.get("alertname")));
    }
  }
}
