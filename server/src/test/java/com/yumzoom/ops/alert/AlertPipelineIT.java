package com.yumzoom.ops.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.server.YumzoomServer;
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
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole alerting pipeline in one server: a rule created over the HTTP API fires, the rule
 * side's dispatcher hands the group to the delivery outbox, a loopback webhook receives the signed
 * Alertmanager payload, the critical alert opens an incident whose timeline shows the
 * acknowledgement, and deleting the rule resolves the alert with a resolved notification.
 */
class AlertPipelineIT {

  static final String SECRET = "pipeline-secret";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static HttpServer webhook;
  static final List<Delivered> received = new CopyOnWriteArrayList<>();
  static YumzoomServer server;

  record Delivered(String signature, byte[] body) {}

  @BeforeAll
  static void start() throws Exception {
    webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    webhook.createContext(
        "/hook",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            received.add(
                new Delivered(exchange.getRequestHeaders().getFirst("X-YumZoom-Signature"), body));
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    webhook.start();
    Path alerting = dir.resolve("alerting.yml");
    Files.writeString(
        alerting,
        """
        route:
          receiver: hook
          group_by: [alertname]
          group_wait: 200ms
          group_interval: 1s
          repeat_interval: 4h
        receivers:
          - name: hook
            webhook_configs:
              - url: http://127.0.0.1:%d/hook
                send_resolved: true
                hmac_secret: %s
        """
            .formatted(webhook.getAddress().getPort(), SECRET));
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
                    "alerting.config-file", alerting.toString(),
                    "alerting.evaluation-interval", "1s")),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (webhook != null) {
      webhook.stop(0);
    }
  }

  @Test
  void firingAcknowledgedAndResolvedEndToEnd() throws Exception {
    call(
        "PUT",
        "/api/alerting/rules/pipeline",
        """
        {"interval": "1s", "rules": [{"alert": "PipelineDown", "expr": "vector(1) > 0",
          "labels": {"severity": "critical", "team": "ops"},
          "annotations": {"summary": "pipeline value {{ $value }}"}}]}
        """,
        200);

    JsonNode firing = awaitWebhook(p -> "firing".equals(p.path("status").asText()));
    assertThat(firing.path("version").asText()).isEqualTo("4");
    assertThat(firing.path("receiver").asText()).isEqualTo("hook");
    assertThat(firing.path("groupKey").asText()).contains("PipelineDown");
    assertThat(firing.path("groupLabels").path("alertname").asText()).isEqualTo("PipelineDown");
    assertThat(firing.path("commonLabels").path("severity").asText()).isEqualTo("critical");
    assertThat(firing.path("alerts")).hasSize(1);
    JsonNode alert = firing.path("alerts").get(0);
    assertThat(alert.path("status").asText()).isEqualTo("firing");
    assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("PipelineDown");
    assertThat(alert.path("labels").path("team").asText()).isEqualTo("ops");
    assertThat(alert.path("annotations").path("summary").asText()).isEqualTo("pipeline value 1");
    assertThat(alert.path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    String fingerprint = alert.path("fingerprint").asText();
    assertThat(fingerprint).isNotEmpty();

    // the critical alert opened an incident for its group
    JsonNode incidents =
        await(
            "/api/incidents?state=triggered",
            n -> n.path("incidents").findValuesAsText("groupKey").contains(groupKey(firing)));
    long id = -1;
    for (JsonNode i : incidents.path("incidents")) {
      if (i.path("groupKey").asText().equals(groupKey(firing))) {
        id = i.path("id").asLong();
      }
    }
    assertThat(id).isPositive();

    JsonNode ack =
        call(
            "POST",
            "/api/alerting/alerts/" + fingerprint + "/ack",
            "{\"by\": \"oncall-ann\"}",
            200);
    assertThat(ack.path("acknowledged").asBoolean()).isTrue();
    assertThat(ack.path("acknowledgedBy").asText()).isEqualTo("oncall-ann");
    JsonNode detail =
        await("/api/incidents/" + id, n -> "acknowledged".equals(n.path("state").asText()));
    assertThat(detail.path("acknowledgedAt").isNull()).isFalse();
    assertThat(detail.path("timeline").findValuesAsText("text"))
        .anySatisfy(
            t -> assertThat(t).contains(fingerprint).contains("acknowledged by oncall-ann"));

    // removing the rule resolves its firing alert; send_resolved brings the resolved notification
    call("DELETE", "/api/alerting/rules/pipeline", null, 200, 204);
    JsonNode resolved = awaitWebhook(p -> "resolved".equals(p.path("status").asText()));
    assertThat(resolved.path("groupKey").asText()).isEqualTo(groupKey(firing));
    JsonNode resolvedAlert = resolved.path("alerts").get(0);
    assertThat(resolvedAlert.path("status").asText()).isEqualTo("resolved");
    assertThat(resolvedAlert.path("fingerprint").asText()).isEqualTo(fingerprint);
    assertThat(resolvedAlert.path("endsAt").asText()).isNotEqualTo("0001-01-01T00:00:00Z");
    await("/api/incidents/" + id, n -> "resolved".equals(n.path("state").asText()));
  }

  static String groupKey(JsonNode payload) {
    return payload.path("groupKey").asText();
  }

  /** Waits for a webhook payload matching the condition, checking every payload's signature. */
  static JsonNode awaitWebhook(Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (Delivered d : received) {
        assertThat(d.signature()).as("X-YumZoom-Signature").isEqualTo("sha256=" + hmac(d.body()));
        JsonNode payload = JSON.readTree(d.body());
        if (condition.test(payload)) {
          return payload;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no matching webhook payload; received " + received.size());
  }

  /** Computed here independently of the server's signer, as a receiver would. */
  static String hmac(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String hex = HexFormat.of().formatHex(mac.doFinal(body));
    return hex;
  }

  static JsonNode await(String path, Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = call("GET", path, null, 200);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("condition not met for " + path + ", last: " + last);
  }

  static JsonNode call(String method, String path, String body, int... statuses) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(List.of(java.util.Arrays.stream(statuses).boxed().toArray()))
        .as(method + " " + path + " -> " + r.statusCode() + " " + r.body())
        .contains(r.statusCode());
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }
}
