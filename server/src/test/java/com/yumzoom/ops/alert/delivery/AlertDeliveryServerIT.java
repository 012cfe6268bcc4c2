package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.server.YumzoomServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery side wired into the whole server: the alerting file from {@code
 * alerting.config-file}, the sink's workers delivering to a loopback webhook receiver, and the API
 * on the server's port.
 */
class AlertDeliveryServerIT {

  @TempDir static Path dir;
  static TestReceiver receiver;
  static YumzoomServer server;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    receiver = new TestReceiver();
    Path alerting = dir.resolve("alerting.yaml");
    Files.writeString(
        alerting,
        """
        route:
          receiver: hook   # the rule side's section; ignored here
        receivers:
          - name: hook
            webhook_configs:
              - url: %s
                hmac_secret: topsecret
        """
            .formatted(receiver.url("/hook")));
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
                    "alerting.config-file", alerting.toString())),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
    receiver.close();
  }

  @Test
  void aNotificationIsDeliveredSignedAndVisibleInTheApi() throws Exception {
    assertThat(server.alertDelivery().receiverExists().test("hook")).isTrue();
    assertThat(server.alertDelivery().receiverExists().test("default")).isFalse();
    server.alertDelivery().send(TestAlerts.critical("hook"));

    receiver.awaitRequests(1, Duration.ofSeconds(20));
    assertThat(receiver.requests).hasSize(1);
    TestReceiver.Request req = receiver.requests.getFirst();
    assertThat(req.header("x-yumzoom-signature"))
        .isEqualTo(
            "sha256="
                + LinkSigner.hmacHex("topsecret", req.body().getBytes(StandardCharsets.UTF_8)));

    JsonNode list = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      list = get("/api/alerting/notifications?status=delivered").path("notifications");
      if (!list.isEmpty()) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("receiver").asText()).isEqualTo("hook");
    JsonNode incidents = get("/api/incidents?state=triggered").path("incidents");
    assertThat(incidents).hasSize(1);
    assertThat(Files.exists(dir.resolve("data").resolve("notifications.duckdb"))).isTrue();
  }

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return Payloads.JSON.readTree(r.body());
  }
}
