package com.yumzoom.ops.alert.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same rule and input series through Prometheus' own rule unit tester ({@code promtool test
 * rules}, Debian package prometheus) and through our rule manager: at every evaluation time both
 * must agree on which alerts fire. The expectations are written once and checked by both, so a
 * wrong expectation fails promtool and a wrong implementation fails ours.
 */
class PromtoolConformanceTest {

  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @TempDir Path dir;

  static final String RULES =
      """
      groups:
        - name: conformance
          interval: 1m
          rules:
            - alert: Down
              expr: up == 0
              for: 2m
              keep_firing_for: 2m
              labels: {severity: critical}
            - alert: Flapping
              expr: up == 0
              labels: {severity: info}
      """;

  /** up{job="a"} at 0m, 1m, ... and up{job="b"} always 1. */
  static final double[] UP_A = {1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1};

  /** eval minute -> alert name -> expected firing job labels. */
  static final Map<Integer, Map<String, Set<String>>> EXPECTED = new TreeMap<>();

  static {
    for (int m = 0; m < UP_A.length; m++) {
      Map<String, Set<String>> at = new TreeMap<>();
      at.put("Flapping", UP_A[m] == 0 ? Set.of("a") : Set.of());
      EXPECTED.put(m, at);
    }
    // pending at 2m and 3m, firing from 4m (held 2m), kept firing 6m and 7m after the condition
    // stopped at 6m, at 8m the condition is back: still firing, no new pending period
    for (int m : new int[] {4, 5, 6, 7, 8, 9, 10}) {
      EXPECTED.get(m).put("Down", Set.of("a"));
    }
    for (int m : new int[] {0, 1, 2, 3}) {
      EXPECTED.get(m).put("Down", Set.of());
    }
  }

  @Test
  void promtoolAgreesWithTheExpectations() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "promtool not installed (Debian package prometheus)");
    Files.writeString(dir.resolve("rules.yml"), RULES);
    StringBuilder t = new StringBuilder();
    t.append("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n");
    t.append("    input_series:\n");
    StringBuilder values = new StringBuilder();
    for (double v : UP_A) {
      values.append((int) v).append(' ');
    }
    t.append("      - series: 'up{job=\"a\"}'\n        values: '")
        .append(values.toString().trim())
        .append("'\n");
    t.append("      - series: 'up{job=\"b\"}'\n        values: '1x10'\n");
    t.append("    alert_rule_test:\n");
    EXPECTED.forEach(
        (m, byAlert) ->
            byAlert.forEach(
                (alert, jobs) -> {
                  t.append("      - eval_time: ").append(m).append("m\n");
                  t.append("        alertname: ").append(alert).append('\n');
                  t.append("        exp_alerts:");
                  if (jobs.isEmpty()) {
                    t.append(" []\n");
                  } else {
                    t.append('\n');
                    for (String job : jobs) {
                      t.append("          - exp_labels: {job: ")
                          .append(job)
                          .append(", severity: ")
                          .append(alert.equals("Down") ? "critical" : "info")
                          .append("}\n");
                    }
                  }
                }));
    Files.writeString(dir.resolve("test.yml"), t.toString());
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "test", "rules", "test.yml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void ourRuleManagerAgreesWithTheExpectations() {
    InMemorySampleStore samples = new InMemorySampleStore(new MetricsLimits(1000, 1000));
    MutableClock clock = new MutableClock(Instant.EPOCH);
    List<Sample> input = new ArrayList<>();
    for (int m = 0; m < UP_A.length; m++) {
      input.add(new Sample(Labels.of(Map.of("__name__", "up", "job", "a")), m * 60_000L, UP_A[m]));
      input.add(new Sample(Labels.of(Map.of("__name__", "up", "job", "b")), m * 60_000L, 1));
    }
    samples.append(input);
    try (AlertsDatabase db = AlertsDatabase.open(dir);
        RuleStore store = new RuleStore(db)) {
      RuleManager manager =
          new RuleManager(
              store,
              samples,
              new PromqlEngine(samples),
              clock,
              new RuleManager.Settings(Duration.ofMinutes(1), List.of(), "http://ops"),
              r -> true,
              alerts -> {});
      manager.start();
      String group = RULES.substring(RULES.indexOf("interval:"));
      manager.putGroup(
          "conformance", group.replace("\n    ", "\n").getBytes(StandardCharsets.UTF_8));
      for (int m = 0; m < UP_A.length; m++) {
        clock.set(Instant.ofEpochSecond(m * 60L));
        manager.evaluateDue();
        Map<String, Set<String>> firing = new TreeMap<>();
        firing.put("Down", new java.util.TreeSet<>());
        firing.put("Flapping", new java.util.TreeSet<>());
        for (JsonNode a : manager.prometheusAlerts().get("alerts")) {
          if (a.get("state").asText().equals("firing")) {
            firing
                .get(a.get("labels").get("alertname").asText())
                .add(a.get("labels").get("job").asText());
          }
        }
        assertThat(firing).as("at %dm", m).isEqualTo(EXPECTED.get(m));
      }
    }
  }
}
