package com.yumzoom.ops.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule side of alerting in a running server: rules from a file and the API, Prometheus' and
 * Alertmanager's APIs over real HTTP, the notification log surviving a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertingIT {

  @TempDir static Path dir;
  static YumzoomServer server;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(
        dir.resolve("base.rules.yml"),
        """
        groups:
          - name: base
            interval: 1s
            rules:
              - alert: AlwaysOn
                expr: vector(1) > 0
                labels: {severity: warning}
                annotations:
                  summary: "value {{ $value }}"
        """);
    Files.writeString(
        dir.resolve("alerting.yml"),
        """
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 0s
          group_interval: 1m
          repeat_interval: 4h
        receivers: [{name: default}, {name: pager}]
        """);
    server = YumzoomServer.start(config(), Clock.systemUTC());
  }

  static YumzoomConfig config() {
    return ConfigLoader.load(
        null,
        Map.of(),
        Map.of(
            "data-dir", dir.resolve("data").toString(),
            "server.host", "127.0.0.1",
            "server.http-port", "0",
            "otlp.grpc-port", "0",
            "otlp.http-port", "0",
            "alerting.rule-files", dir.resolve("*.rules.yml").toString(),
            "alerting.config-file", dir.resolve("alerting.yml").toString(),
            "alerting.evaluation-interval", "1s"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(String method, String path, String body, int status) throws Exception {
    HttpResponse<String> r = send(method, path, body);
    assertThat(r.statusCode()).as(method + " " + path + " -> " + r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  static JsonNode await(String path, Predicate<JsonNode> condition) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = json("GET", path, null, 200);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("condition not met for " + path + ", last: " + last);
  }

  @Test
  @Order(1)
  void fileRuleFiresAndShowsInPrometheusShapes() throws Exception {
    JsonNode alerts = await("/api/v1/alerts", n -> n.path("data").path("alerts").size() == 1);
    assertThat(alerts.get("status").asText()).isEqualTo("success");
    JsonNode a = alerts.get("data").get("alerts").get(0);
    assertThat(a.get("state").asText()).isEqualTo("firing");
    assertThat(a.get("labels").get("alertname").asText()).isEqualTo("AlwaysOn");
    assertThat(a.get("annotations").get("summary").asText()).isEqualTo("value 1");
    assertThat(a.get("value").asText()).isEqualTo("1e+00");

    JsonNode rules = json("GET", "/api/v1/rules", null, 200).get("data").get("groups").get(0);
    assertThat(rules.get("name").asText()).isEqualTo("base");
    assertThat(rules.get("file").asText()).endsWith("base.rules.yml");
    assertThat(rules.get("interval").asDouble()).isEqualTo(1.0);
    JsonNode rule = rules.get("rules").get(0);
    assertThat(rule.get("type").asText()).isEqualTo("alerting");
    assertThat(rule.get("state").asText()).isEqualTo("firing");
    assertThat(rule.get("health").asText()).isEqualTo("ok");
    assertThat(rule.get("query").asText()).isEqualTo("vector(1) > 0");

    // the dispatcher notified the default receiver once (group_wait 0s)
    await(
        "/api/alerting/status",
        n -> n.path("dispatch").path("receivers").path("default").path("sent").asInt() == 1);
    JsonNode amAlerts = json("GET", "/api/v2/alerts", null, 200);
    assertThat(amAlerts).hasSize(1);
    assertThat(amAlerts.get(0).get("receivers").get(0).get("name").asText()).isEqualTo("default");
    assertThat(amAlerts.get(0).get("status").get("state").asText()).isEqualTo("active");
    assertThat(amAlerts.get(0).get("fingerprint").asText()).hasSize(16);
    JsonNode history = json("GET", "/api/alerting/history?rule=AlwaysOn", null, 200);
    assertThat(history.get(0).get("to").asText()).isEqualTo("firing");

    // alerting's own metrics and the ALERTS series are queryable with PromQL
    JsonNode rulesInGroup =
        await(
            "/api/v1/query?query=yumzoom_rule_group_rules%7Brule_group%3D%22base%22%7D",
            n -> n.path("data").path("result").size() == 1);
    assertThat(rulesInGroup.get("data").get("result").get(0).get("value").get(1).asText())
        .isEqualTo("1");
    JsonNode alertsSeries =
        json("GET", "/api/v1/query?query=ALERTS%7Balertname%3D%22AlwaysOn%22%7D", null, 200);
    assertThat(
            alertsSeries.get("data").get("result").get(0).get("metric").get("alertstate").asText())
        .isEqualTo("firing");
  }

  @Test
  @Order(2)
  void rulesOverTheApiAreValidatedAndApplied() throws Exception {
    JsonNode bad =
        json(
            "PUT",
            "/api/alerting/rules/api-group",
            "rules:\n  - alert: X\n    expr: 'rate(x[5m]'\n",
            400);
    assertThat(bad.get("error").asText()).isEqualTo("bad_request");
    assertThat(bad.get("message").asText()).startsWith("rules[0].expr: does not parse");
    JsonNode unknownReceiver =
        json(
            "PUT",
            "/api/alerting/rules/api-group",
            "rules:\n  - alert: X\n    expr: up\n    receiver: nobody\n",
            400);
    assertThat(unknownReceiver.get("message").asText())
        .isEqualTo("rules[0].receiver: receiver \"nobody\" does not exist");
    json(
        "PUT",
        "/api/alerting/rules/api-group",
        """
        {"interval": "1s", "rules": [{"alert": "ApiRule", "expr": "vector(2) > 1",
          "receiver": "pager", "labels": {"severity": "critical"}}]}
        """,
        200);
    await(
        "/api/v1/alerts",
        n -> n.path("data").path("alerts").findValuesAsText("alertname").contains("ApiRule"));
    await(
        "/api/alerting/status",
        n -> n.path("dispatch").path("receivers").path("pager").path("sent").asInt() == 1);
    json("PUT", "/api/alerting/rules/base", "rules: []", 409);
    json("DELETE", "/api/alerting/rules/api-group", null, 200);
    json("GET", "/api/alerting/rules/api-group", null, 404);
    assertThat(json("GET", "/api/v1/rules?type=alert", null, 200).get("data").get("groups"))
        .hasSize(1);
  }

  @Test
  @Order(3)
  void silencesOverAlertmanagersApi() throws Exception {
    String start = Instant.now().minusSeconds(1).toString();
    String end = Instant.now().plus(Duration.ofHours(1)).toString();
    JsonNode created =
        json(
            "POST",
            "/api/v2/silences",
            """
            {"matchers": [{"name": "alertname", "value": "Always.*", "isRegex": true, "isEqual": true}],
             "startsAt": "%s", "endsAt": "%s", "createdBy": "amtool", "comment": "deploy"}
            """
                .formatted(start, end),
            200);
    String id = created.get("silenceID").asText();
    JsonNode s = json("GET", "/api/v2/silence/" + id, null, 200);
    assertThat(s.get("status").get("state").asText()).isEqualTo("active");
    assertThat(s.get("createdBy").asText()).isEqualTo("amtool");
    JsonNode suppressed = json("GET", "/api/v2/alerts?silenced=true&active=false", null, 200);
    assertThat(suppressed).hasSize(1);
    assertThat(suppressed.get(0).get("status").get("silencedBy").get(0).asText()).isEqualTo(id);
    JsonNode missing =
        json(
            "POST",
            "/api/v2/silences",
            "{\"matchers\": [{\"name\": \"a\", \"value\": \"b\"}], \"startsAt\": \"%s\", \"endsAt\": \"%s\", \"createdBy\": \"x\"}"
                .formatted(start, end),
            400);
    assertThat(missing.get("message").asText()).isEqualTo("comment: comment missing");
    json("DELETE", "/api/v2/silence/" + id, null, 200);
    assertThat(
            json("GET", "/api/v2/silences", null, 200).get(0).get("status").get("state").asText())
        .isEqualTo("expired");
  }

  @Test
  @Order(4)
  void reloadPicksUpRuleFileChanges() throws Exception {
    Files.writeString(
        dir.resolve("extra.rules.yml"),
        "groups: [{name: extra, rules: [{record: yz:one, expr: vector(1)}]}]");
    json("POST", "/-/reload", null, 200);
    assertThat(json("GET", "/api/alerting/rules/extra", null, 200).get("source").asText())
        .endsWith("extra.rules.yml");
    Files.writeString(
        dir.resolve("extra.rules.yml"),
        "groups: [{name: extra, rules: [{record: 'bad name', expr: vector(1)}]}]");
    JsonNode err = json("POST", "/-/reload", null, 400);
    assertThat(err.get("message").asText()).contains("extra.rules.yml: groups[0].rules[0].record");
    Files.delete(dir.resolve("extra.rules.yml"));
    json("POST", "/-/reload", null, 200);
  }

  @Test
  @Order(5)
  void aRestartDoesNotNotifyAgain() throws Exception {
    server.close();
    server = YumzoomServer.start(config(), Clock.systemUTC());
    await("/api/alerting/status", n -> n.path("rules").path("evaluations").asInt() >= 4);
    await("/api/v2/alerts", n -> n.size() == 1);
    JsonNode status = json("GET", "/api/alerting/status", null, 200);
    assertThat(status.get("dispatch").get("receivers").path("default").path("sent").asInt())
        .isZero();
    // still exactly one pending->firing transition for the rule
    JsonNode history = json("GET", "/api/alerting/history?rule=AlwaysOn", null, 200);
    assertThat(history.findValuesAsText("to").stream().filter("firing"::equals).count())
        .isEqualTo(1);
  }
}
