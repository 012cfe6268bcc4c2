package com.yumzoom.ops.alert.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleParserTest {

  private final RuleParser parser = new RuleParser(Set.of("pager", "default")::contains);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsAPrometheusRuleFileAsIs() {
    List<GroupSpec> groups =
        parser.parseFile(
            b(
                """
                groups:
                  - name: api
                    interval: 30s
                    rules:
                      - record: job:http_requests:rate5m
                        expr: sum by (job) (rate(http_requests_total[5m]))
                      - alert: HighErrorRate
                        expr: job:errors:ratio > 0.05
                        for: 5m
                        keep_firing_for: 1m
                        labels:
                          severity: critical
                        annotations:
                          summary: "{{ $labels.job }} errors at {{ humanizePercentage $value }}"
                """),
            "rules.yml");
    assertThat(groups).hasSize(1);
    GroupSpec g = groups.getFirst();
    assertThat(g.name()).isEqualTo("api");
    assertThat(g.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(g.source()).isEqualTo("rules.yml");
    RuleSpec alert = g.rules().get(1);
    assertThat(alert.alert()).isEqualTo("HighErrorRate");
    assertThat(alert.forDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(alert.keepFiringFor()).isEqualTo(Duration.ofMinutes(1));
    assertThat(alert.labels()).containsEntry("severity", "critical");
    assertThat(alert.sendResolved()).isTrue();
    assertThat(g.rules().getFirst().record()).isEqualTo("job:http_requests:rate5m");
  }

  @Test
  void extensionsAndJsonBodies() {
    GroupSpec g =
        parser.parseGroup(
            b(
                """
                {"interval": "1s", "rules": [{"alert": "Down", "expr": "up == 0",
                  "receiver": "pager", "remediation": "restart-pod", "send_resolved": false}]}
                """),
            "g1");
    RuleSpec r = g.rules().getFirst();
    assertThat(r.receiver()).isEqualTo("pager");
    assertThat(r.remediation()).isEqualTo("restart-pod");
    assertThat(r.sendResolved()).isFalse();
    // our canonical JSON round-trips
    GroupSpec again = parser.parseGroup(RuleParser.toBytes(RuleParser.toJson(g)), "g1");
    assertThat(again).isEqualTo(g);
  }

  @Test
  void errorsNameTheField() {
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: 'sum(('}]}]",
        "groups[0].rules[0].expr: does not parse");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: up, for: 5x}]}]",
        "groups[0].rules[0].for: not a valid duration string");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: up}, {alert: A, expr: up}]}]",
        "groups[0].rules[1].alert: rule name \"A\" is repeated");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: up, receiver: nobody}]}]",
        "groups[0].rules[0].receiver: receiver \"nobody\" does not exist");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: up, labels: {severity: page}}]}]",
        "groups[0].rules[0].labels.severity: must be one of critical, warning, info");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: up, fro: 1m}]}]",
        "groups[0].rules[0].fro: unknown field");
    assertError(
        "groups: [{name: a, rules: [{record: r, expr: up, for: 1m}]}]",
        "groups[0].rules[0].for: is only allowed for alerting rules");
    assertError(
        "groups: [{name: a, interval: 500ms, rules: []}]",
        "groups[0].interval: must be at least 1s");
    assertError(
        "groups: [{name: a, rules: []}, {name: a, rules: []}]",
        "groups[1].name: group name \"a\" is repeated");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: 'rate(x[5m])[1m:]'}]}]",
        "groups[0].rules[0].expr: must be an instant vector or scalar");
    assertError(
        "groups: [{name: a, rules: [{alert: A, expr: up, annotations: {s: '{{ if }}'}}]}]",
        "groups[0].rules[0].annotations.s: template:");
  }

  private void assertError(String yaml, String message) {
    assertThatThrownBy(() -> parser.parseFile(b(yaml), "f.yml"))
        .isInstanceOf(RuleValidationException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void apiGroupNameMustMatchTheUrl() {
    assertThatThrownBy(() -> parser.parseGroup(b("name: other\nrules: []"), "mine"))
        .hasMessageStartingWith("name: \"other\" differs from the group in the URL");
  }
}
