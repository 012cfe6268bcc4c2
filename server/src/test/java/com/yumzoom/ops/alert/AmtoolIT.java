package com.yumzoom.ops.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.server.YumzoomServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alertmanager's own command-line client, amtool (Debian package prometheus-alertmanager), against
 * our Alertmanager API v2: silences added, listed and expired, alerts listed with their silence.
 */
class AmtoolIT {

  static final Path AMTOOL = Path.of("/usr/bin/amtool");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static YumzoomServer server;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(Files.isExecutable(AMTOOL), "amtool not installed (prometheus-alertmanager)");
    Files.writeString(
        dir.resolve("r.yml"),
        "groups: [{name: g, interval: 1s, rules: [{alert: AlwaysOn, expr: vector(1) > 0,"
            + " labels: {severity: info}}]}]");
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
                    "otlp.http-port", "0",
                    "alerting.rule-files", dir.resolve("r.yml").toString())),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String amtool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(AMTOOL.toString());
    cmd.add("--alertmanager.url=http://127.0.0.1:" + server.port());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    p.getOutputStream().close();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("amtool timed out: " + cmd);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(cmd + "\n" + out + "\n" + err).isZero();
    return out.trim();
  }

  @Test
  void silencesAndAlertsThroughAmtool() throws Exception {
    String id =
        amtool(
            "silence", "add", "alertname=AlwaysOn", "-c", "maintenance", "-a", "alice", "-d", "1h");
    assertThat(id).matches("[0-9a-f-]{36}");

    JsonNode silences = JSON.readTree(amtool("silence", "query", "-o", "json"));
    assertThat(silences).hasSize(1);
    assertThat(silences.get(0).get("id").asText()).isEqualTo(id);
    assertThat(silences.get(0).get("createdBy").asText()).isEqualTo("alice");
    assertThat(silences.get(0).get("status").get("state").asText()).isEqualTo("active");

    // the rule fires within a few evaluations; amtool shows it as silenced
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    JsonNode alerts = JSON.createArrayNode();
    while (alerts.isEmpty() && Instant.now().isBefore(deadline)) {
      alerts = JSON.readTree(amtool("alert", "query", "--silenced", "-o", "json"));
      if (alerts.isEmpty()) {
        Thread.sleep(200);
      }
    }
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).get("labels").get("alertname").asText()).isEqualTo("AlwaysOn");
    assertThat(alerts.get(0).get("status").get("silencedBy").get(0).asText()).isEqualTo(id);

    amtool("silence", "expire", id);
    assertThat(JSON.readTree(amtool("silence", "query", "-o", "json"))).isEmpty();
    JsonNode expired = JSON.readTree(amtool("silence", "query", "--expired", "-o", "json"));
    assertThat(expired.get(0).get("status").get("state").asText()).isEqualTo("expired");
  }
}
