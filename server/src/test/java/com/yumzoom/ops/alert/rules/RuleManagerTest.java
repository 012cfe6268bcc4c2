package com.yumzoom.ops.alert.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.dispatch.DispatchAlert;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.Values;
import com.yumzoom.ops.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleManagerTest {

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final InMemorySampleStore samples =
      new InMemorySampleStore(new MetricsLimits(10_000, 1_000));
  private final List<DispatchAlert> dispatched = new ArrayList<>();
  private AlertsDatabase db;
  private RuleStore store;
  private RuleManager manager;

  @BeforeEach
  void open() {
    db = AlertsDatabase.open(dir);
    manager = newManager(List.of());
  }

  private RuleManager newManager(List<String> files) {
    store = new RuleStore(db);
    RuleManager m =
        new RuleManager(
            store,
            samples,
            new PromqlEngine(samples),
            clock,
            new RuleManager.Settings(Duration.ofSeconds(15), files, "http://ops"),
            Set.of("default", "pager")::contains,
            dispatched::addAll);
    m.start();
    return m;
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  private void errorRate(String service, double v) {
    samples.append(
        List.of(
            new Sample(
                Labels.of(Map.of("__name__", "error_rate", "service", service)),
                clock.millis(),
                v)));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private double query(String expr) {
    Values.Value v = new PromqlEngine(samples).instant(expr, clock.instant());
    List<Values.Sample> s = ((Values.Vector) v).samples();
    return s.isEmpty() ? Double.NaN : s.getFirst().value();
  }

  private void step(Duration d) {
    clock.advance(d);
    manager.evaluateDue();
  }

  private static final String ERROR_RULE =
      """
      interval: 15s
      rules:
        - alert: HighErrorRate
          expr: error_rate > 0.05
          for: 30s
          labels: {severity: critical}
          annotations:
            summary: "{{ $labels.service }} at {{ humanizePercentage $value }}"
      """;

  @Test
  void pendingThenFiringThenResolvedWithHistoryAndAlertsSeries() {
    manager.putGroup("api", b(ERROR_RULE));
    errorRate("orders", 0.1);
    manager.evaluateDue(); // t=0: pending
    JsonNode alerts = manager.prometheusAlerts().get("alerts");
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).get("state").asText()).isEqualTo("pending");
    assertThat(alerts.get(0).get("annotations").get("summary").asText()).isEqualTo("orders at 10%");
    assertThat(alerts.get(0).get("value").asText()).isEqualTo("1e-01");
    assertThat(query("ALERTS{alertstate=\"pending\"}")).isEqualTo(1);
    assertThat(dispatched).isEmpty();

    errorRate("orders", 0.1);
    step(Duration.ofSeconds(15)); // 15s held: still pending
    assertThat(dispatched).isEmpty();
    clock.advance(Duration.ofSeconds(15));
    errorRate("orders", 0.2);
    manager.evaluateDue(); // 30s held: firing
    assertThat(manager.prometheusAlerts().get("alerts").get(0).get("state").asText())
        .isEqualTo("firing");
    assertThat(dispatched).hasSize(1);
    Alert firing = dispatched.getFirst().alert();
    assertThat(firing.status()).isEqualTo(Alert.FIRING);
    assertThat(firing.labels())
        .containsEntry("alertname", "HighErrorRate")
        .containsEntry("severity", "critical")
        .containsEntry("service", "orders");
    assertThat(firing.startsAt()).isEqualTo(clock.instant());
    assertThat(query("ALERTS{alertstate=\"firing\"}")).isEqualTo(1);
    // the pending series was marked stale at once, as Prometheus does
    assertThat(query("ALERTS{alertstate=\"pending\"}")).isNaN();
    assertThat(query("ALERTS_FOR_STATE"))
        .isEqualTo(Instant.parse("2026-11-22T10:00:00Z").getEpochSecond());

    // the condition clears: resolved
    dispatched.clear();
    step(Duration.ofSeconds(15));
    step(Duration.ofMinutes(5)); // sample aged out of the lookback window
    assertThat(manager.prometheusAlerts().get("alerts")).isEmpty();
    assertThat(dispatched).extracting(d -> d.alert().status()).contains(Alert.RESOLVED);
    assertThat(query("ALERTS")).isNaN();

    JsonNode history = manager.history(null, "HighErrorRate", 10);
    assertThat(history)
        .extracting(h -> h.get("from").asText() + "->" + h.get("to").asText())
        .containsExactly("firing->resolved", "pending->firing", "inactive->pending");
    assertThat(history.get(1).get("value").asDouble()).isEqualTo(0.2);
    String fp = history.get(0).get("fingerprint").asText();
    assertThat(manager.history(fp, null, 10)).hasSize(3);
  }

  @Test
  void forZeroFiresOnTheFirstEvaluationAndKeepFiringForHolds() {
    manager.putGroup(
        "g",
        b(
            """
            rules:
              - alert: Down
                expr: error_rate > 0.5
                keep_firing_for: 1m
            """));
    errorRate("a", 1);
    manager.evaluateDue();
    assertThat(manager.prometheusAlerts().get("alerts").get(0).get("state").asText())
        .isEqualTo("firing");
    // the series is gone (stale marker), yet the alert keeps firing for a minute
    samples.append(
        List.of(
            new Sample(
                Labels.of(Map.of("__name__", "error_rate", "service", "a")),
                clock.millis() + 1,
                Values.STALE_NAN)));
    step(Duration.ofSeconds(15));
    JsonNode a = manager.prometheusAlerts().get("alerts").get(0);
    assertThat(a.get("state").asText()).isEqualTo("firing");
    assertThat(a.has("keepFiringSince")).isTrue();
    step(Duration.ofSeconds(45));
    assertThat(manager.prometheusAlerts().get("alerts")).hasSize(1);
    step(Duration.ofSeconds(15));
    assertThat(manager.prometheusAlerts().get("alerts")).isEmpty();
  }

  @Test
  void pendingAlertThatClearsIsDroppedWithoutNotification() {
    manager.putGroup("api", b(ERROR_RULE));
    errorRate("orders", 0.1);
    manager.evaluateDue();
    errorRate("orders", 0.01);
    step(Duration.ofSeconds(15));
    assertThat(manager.prometheusAlerts().get("alerts")).isEmpty();
    assertThat(dispatched).isEmpty();
    assertThat(manager.history(null, "HighErrorRate", 10))
        .extracting(h -> h.get("to").asText())
        .containsExactly("inactive", "pending");
  }

  @Test
  void stateSurvivesARestartWithoutFiringAgain() {
    manager.putGroup("api", b(ERROR_RULE));
    for (int i = 0; i < 3; i++) {
      errorRate("orders", 0.1);
      manager.evaluateDue();
      clock.advance(Duration.ofSeconds(15));
    }
    assertThat(manager.history(null, null, 10)).hasSize(2);
    store.close();

    manager = newManager(List.of()); // same alerts.duckdb: API group and state come back
    errorRate("orders", 0.1);
    manager.evaluateDue();
    JsonNode a = manager.prometheusAlerts().get("alerts").get(0);
    assertThat(a.get("state").asText()).isEqualTo("firing");
    assertThat(a.get("activeAt").asText()).isEqualTo("2026-11-22T10:00:00Z");
    // no second pending->firing transition after the restart
    assertThat(manager.history(null, null, 10)).hasSize(2);
  }

  @Test
  void recordingRulesWriteIntoTheStore() {
    manager.putGroup(
        "rec",
        b(
            """
            rules:
              - record: service:error_rate:max
                expr: max by (service) (error_rate)
                labels: {team: web}
            """));
    errorRate("a", 0.3);
    manager.evaluateDue();
    assertThat(query("service:error_rate:max{team=\"web\",service=\"a\"}")).isEqualTo(0.3);
    JsonNode rules = manager.prometheusRules(null, Set.of(), Set.of()).get("groups").get(0);
    assertThat(rules.get("rules").get(0).get("type").asText()).isEqualTo("recording");
    assertThat(rules.get("rules").get(0).get("health").asText()).isEqualTo("ok");
    assertThat(rules.get("interval").asDouble()).isEqualTo(15.0);
  }

  @Test
  void groupsRunAtTheirOwnInterval() {
    manager.putGroup("fast", b("interval: 1s\nrules: [{record: r1, expr: vector(1)}]"));
    manager.putGroup("slow", b("interval: 1m\nrules: [{record: r2, expr: vector(1)}]"));
    assertThat(manager.evaluateDue()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(manager.evaluateDue()).isEqualTo(1);
    clock.advance(Duration.ofMillis(500));
    assertThat(manager.evaluateDue()).isZero();
  }

  @Test
  void apiRuleChangesAndFileGroupsAreProtected() throws Exception {
    Path file = dir.resolve("team.rules.yml");
    Files.writeString(file, "groups: [{name: fromfile, rules: [{alert: A, expr: vector(1) > 0}]}]");
    store.close();
    manager = newManager(List.of(dir.resolve("*.rules.yml").toString()));
    assertThat(manager.groupsJson()).hasSize(1);
    assertThatThrownBy(() -> manager.putGroup("fromfile", b("rules: []")))
        .isInstanceOf(RuleApiException.class)
        .hasMessageContaining("edit that file");

    manager.putRule("g", "R1", b("alert: R1\nexpr: vector(1)"));
    manager.putRule("g", "R2", b("{\"alert\": \"R2\", \"expr\": \"vector(2)\"}"));
    assertThat(manager.groupJson("g").get("rules")).hasSize(2);
    manager.deleteRule("g", "R1");
    assertThat(manager.groupJson("g").get("rules")).hasSize(1);
    assertThatThrownBy(() -> manager.putRule("g", "R3", b("alert: Other\nexpr: up")))
        .hasMessageContaining("differs from the rule in the URL");
    manager.deleteGroup("g");
    assertThatThrownBy(() -> manager.groupJson("g")).isInstanceOf(RuleApiException.class);

    // reload picks up a change; an invalid file leaves the old rules in place
    Files.writeString(file, "groups: [{name: fromfile, rules: [{alert: B, expr: up}]}]");
    assertThat(manager.reloadFiles()).isTrue();
    assertThat(manager.groupJson("fromfile").get("rules").get(0).get("alert").asText())
        .isEqualTo("B");
    Files.writeString(file, "groups: [{name: fromfile, rules: [{alert: B, expr: 'up{'}]}]");
    assertThatThrownBy(manager::reloadFiles)
        .hasMessageStartingWith(file + ": groups[0].rules[0].expr");
    assertThat(manager.groupJson("fromfile").get("rules").get(0).get("alert").asText())
        .isEqualTo("B");
  }

  @Test
  void groupsEvaluateInParallelWithTheSameResults() {
    RuleManager parallel =
        new RuleManager(
            store,
            samples,
            new PromqlEngine(samples),
            clock,
            new RuleManager.Settings(Duration.ofSeconds(15), List.of(), "http://ops", 3),
            r -> true,
            dispatched::addAll);
    try {
      parallel.start();
      for (int g = 0; g < 8; g++) {
        parallel.putGroup(
            "p" + g,
            b(
                "rules: [{alert: P"
                    + g
                    + ", expr: 'vector(1) > 0'}, {record: 'p:"
                    + g
                    + "', expr: 'vector("
                    + g
                    + ")'}]"));
      }
      assertThat(parallel.evaluateDue()).isEqualTo(8);
      assertThat(parallel.prometheusAlerts().get("alerts")).hasSize(8);
      assertThat(query("p:7")).isEqualTo(7);
      assertThat(dispatched).hasSize(8);
      clock.advance(Duration.ofSeconds(15));
      assertThat(parallel.evaluateDue()).isEqualTo(8);
      assertThat(parallel.status().get("evaluations").asLong()).isEqualTo(32);
    } finally {
      parallel.close();
    }
  }

  @Test
  void removingAFiringRuleResolvesItsAlerts() {
    manager.putGroup("g", b("rules: [{alert: A, expr: vector(1) > 0}]"));
    manager.evaluateDue();
    assertThat(dispatched).hasSize(1);
    manager.deleteGroup("g");
    assertThat(dispatched.getLast().alert().status()).isEqualTo(Alert.RESOLVED);
    assertThat(manager.history(null, "A", 5).get(0).get("to").asText()).isEqualTo("resolved");
  }
}
