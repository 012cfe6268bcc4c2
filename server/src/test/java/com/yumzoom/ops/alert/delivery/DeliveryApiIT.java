package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery HTTP API on a real Armeria server: notifications and attempts, acknowledgement over
 * the API and over a signed link, incidents with notes, state changes and the Markdown review.
 */
class DeliveryApiIT {

  @TempDir static Path dataDir;
  static TestReceiver receiver;
  static MutableClock clock = new MutableClock(TestAlerts.T0);
  static AlertDelivery delivery;
  static Server server;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    receiver = new TestReceiver();
    DeliveryConfig config =
        DeliveryConfig.parse(
            """
            receivers:
              - name: hook
                webhook_configs: [{url: '%s'}]
              - name: broken
                webhook_configs: [{url: '%s'}]
              - name: pd
                pagerduty_configs:
                  - url: '%s'
                    routing_key: 0123456789abcdef0123456789abcdef
            """
                .formatted(
                    receiver.url("/hook"),
                    "http://127.0.0.1:1/nothing-listens",
                    receiver.url("/v2/enqueue")));
    delivery = TestDelivery.open(config, dataDir, clock);
    ServerBuilder sb = Server.builder().http(0);
    delivery.register(sb);
    server = sb.build();
    server.start().join();
  }

  @AfterAll
  static void stop() {
    server.stop().join();
    delivery.close();
    receiver.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> send(String method, String path, String body, String type)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", type)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String json) throws Exception {
    return send("POST", path, json, "application/json");
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.activeLocalPort() + path);
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Payloads.JSON.readTree(r.body());
  }

  @Test
  void notificationsAreListedByStatusWithEveryAttempt() throws Exception {
    delivery.send(TestAlerts.withReceiver(OutboxIT.numbered(100), "hook"));
    delivery.send(TestAlerts.withReceiver(OutboxIT.numbered(101), "broken"));
    delivery.outbox().deliverDue();

    JsonNode delivered = json(get("/api/alerting/notifications?status=delivered"));
    assertThat(delivered.path("notifications").findValuesAsText("groupKey")).contains("group-100");
    assertThat(delivered.path("notifications").findValuesAsText("groupKey"))
        .doesNotContain("group-101");
    JsonNode pending = json(get("/api/alerting/notifications?status=pending&receiver=broken"));
    assertThat(pending.path("notifications")).hasSize(1);
    JsonNode n = pending.path("notifications").get(0);
    assertThat(n.path("deliveries").get(0).path("state").asText()).isEqualTo("pending");
    assertThat(n.path("deliveries").get(0).path("nextAttemptAt").asText())
        .isEqualTo("2026-11-22T10:00:07.500Z");

    JsonNode detail = json(get("/api/alerting/notifications/" + n.path("id").asLong()));
    JsonNode attempt = detail.path("deliveries").get(0).path("attemptLog").get(0);
    assertThat(attempt.path("result").asText()).isEqualTo("retry");
    assertThat(attempt.path("statusCode").asInt()).isZero();
    assertThat(attempt.path("error").asText()).startsWith("ConnectException");
    assertThat(detail.path("payload").path("receiver").asText()).isEqualTo("broken");

    JsonNode status = json(get("/api/alerting/delivery/status"));
    assertThat(status.path("pending").asInt()).isPositive();
    assertThat(status.path("delivered").asLong()).isPositive();
    assertThat(status.path("workerErrors").asLong()).isZero();
  }

  @Test
  void badInputIsAnsweredWithTheFieldAndTheLimit() throws Exception {
    HttpResponse<String> r = get("/api/alerting/notifications?status=lost");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("error").asText()).isEqualTo("bad_request");
    assertThat(json(r).path("message").asText())
        .isEqualTo("status: must be pending, delivered or dead, got lost");
    r = get("/api/alerting/notifications?limit=5000");
    assertThat(json(r).path("message").asText())
        .isEqualTo("limit: must be a number between 1 and 1000 (limit 1000)");
    assertThat(get("/api/alerting/notifications/999999").statusCode()).isEqualTo(404);
    assertThat(get("/api/alerting/notifications/abc").statusCode()).isEqualTo(400);
    r = post("/api/incidents", "{\"title\": \"" + "x".repeat(501) + "\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).path("message").asText())
        .isEqualTo("title: longer than 500 characters (limit 500)");
    r = post("/api/incidents", "[1,2]");
    assertThat(json(r).path("message").asText()).isEqualTo("body: must be a JSON object");
    r = send("PUT", "/api/incidents/1/review", "{}", "application/json");
    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void acknowledgeOverTheApi() throws Exception {
    delivery.send(
        TestAlerts.notification(
            "hook", "firing", TestAlerts.alert("firing", "DiskFull", "critical", "fp-api")));
    HttpResponse<String> r = post("/api/alerting/alerts/fp-api/ack", "{\"by\": \"carol\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).path("acknowledged").asBoolean()).isTrue();
    assertThat(json(r).path("acknowledgedBy").asText()).isEqualTo("carol");
    assertThat(post("/api/alerting/alerts/unknown/ack", "").statusCode()).isEqualTo(404);

    r = post("/api/alerting/alerts/fp-api/resolve", "");
    assertThat(json(r).path("status").asText()).isEqualTo("resolved");
    assertThat(post("/api/alerting/alerts/fp-api/resolve", "").statusCode()).isEqualTo(409);
  }

  @Test
  void anAcknowledgementIsForwardedToPagerDuty() throws Exception {
    delivery.send(
        TestAlerts.notification(
            "pd", "firing", TestAlerts.alert("firing", "QueueStuck", "critical", "fp-pd")));
    delivery.outbox().deliverDue();
    assertThat(post("/api/alerting/alerts/fp-pd/ack", "{\"by\": \"gina\"}").statusCode())
        .isEqualTo(200);
    delivery.outbox().deliverDue();

    List<JsonNode> events =
        receiver.requests.stream()
            .filter(r -> r.path().equals("/v2/enqueue"))
            .map(r -> OutboxIT.readTree(r.body()))
            .toList();
    assertThat(events)
        .extracting(e -> e.path("event_action").asText())
        .containsExactly("trigger", "acknowledge");
    assertThat(events.get(1).path("dedup_key").asText())
        .isEqualTo(events.get(0).path("dedup_key").asText())
        .isEqualTo("{}/{severity=\"critical\"}:{alertname=\"QueueStuck\"}");
  }

  @Test
  void aSignedLinkShowsAConfirmationAndAcknowledgesOnPost() throws Exception {
    delivery.send(
        TestAlerts.notification(
            "hook", "firing", TestAlerts.alert("firing", "Latency", "critical", "fp-link")));
    long exp = clock.instant().plus(Duration.ofHours(1)).getEpochSecond();
    String sig = delivery.signer().sign("ack", List.of("fp-link"), exp);
    String query = "action=ack&fp=fp-link&exp=" + exp + "&sig=" + sig;

    HttpResponse<String> page = get("/ack?" + query);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
    assertThat(page.body()).contains("<form method=\"post\" action=\"/ack\">", "fp-link");
    assertThat(json(get("/api/alerting/alerts/fp-link")).path("acknowledged").asBoolean())
        .as("a GET (link scanners) must not acknowledge")
        .isFalse();

    HttpResponse<String> done =
        send("POST", "/ack", query + "&by=dave", "application/x-www-form-urlencoded");
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("Acknowledged 1 alert(s) as dave.");
    JsonNode alert = json(get("/api/alerting/alerts/fp-link"));
    assertThat(alert.path("acknowledged").asBoolean()).isTrue();
    assertThat(alert.path("acknowledgedBy").asText()).isEqualTo("dave");

    String tampered = "action=ack&fp=fp-other&exp=" + exp + "&sig=" + sig;
    assertThat(get("/ack?" + tampered).statusCode()).isEqualTo(403);
    long past = clock.instant().minusSeconds(1).getEpochSecond();
    String expired =
        "action=ack&fp=fp-link&exp="
            + past
            + "&sig="
            + delivery.signer().sign("ack", List.of("fp-link"), past);
    assertThat(send("POST", "/ack", expired, "application/x-www-form-urlencoded").statusCode())
        .isEqualTo(403);
  }

  @Test
  void incidentsByHandWithNotesStatesAndAMarkdownReview() throws Exception {
    HttpResponse<String> r =
        post(
            "/api/incidents",
            "{\"title\": \"Checkout down\", \"severity\": \"critical\", \"by\": \"erin\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    long id = json(r).path("id").asLong();
    assertThat(json(r).path("state").asText()).isEqualTo("triggered");

    post(
        "/api/incidents/" + id + "/notes",
        "{\"text\": \"rolled back 1.4.2\", \"author\": \"erin\"}");
    r = post("/api/incidents/" + id + "/state", "{\"state\": \"resolved\", \"by\": \"erin\"}");
    assertThat(json(r).path("state").asText()).isEqualTo("resolved");
    r =
        send(
            "PUT",
            "/api/incidents/" + id + "/review",
            """
        {"summary": "Checkout failed for 12 minutes.", "impact": "312 orders lost",
         "rootCause": "A bad migration.", "actionItems": [
           {"text": "Test migrations on a copy", "owner": "frank"},
           {"text": "Alert on checkout errors", "done": true}]}
        """,
            "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    r =
        send(
            "PUT",
            "/api/incidents/" + id + "/review",
            "{\"actionItems\": [{\"owner\": \"x\"}]}",
            "application/json");
    assertThat(json(r).path("message").asText()).isEqualTo("actionItems[0].text: is required");

    assertThat(
            json(get("/api/incidents?state=resolved")).path("incidents").findValuesAsText("title"))
        .contains("Checkout down");
    HttpResponse<String> md = get("/api/incidents/" + id + "/review.md");
    assertThat(md.headers().firstValue("content-type").orElseThrow()).startsWith("text/markdown");
    assertThat(md.body())
        .startsWith("# Incident " + id + ": Checkout down\n")
        .contains(
            "## Summary\n\nCheckout failed for 12 minutes.",
            "## Impact\n\n312 orders lost",
            "## Root cause\n\nA bad migration.",
            "- [ ] Test migrations on a copy (owner: frank)",
            "- [x] Alert on checkout errors",
            "| note | erin: rolled back 1.4.2 |",
            "| state | triggered -> resolved: by erin |");
  }
}
