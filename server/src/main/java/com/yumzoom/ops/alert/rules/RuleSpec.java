package com.yumzoom.ops.alert.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One rule as written in a rule file or sent to the API: Prometheus' rule format plus three
 * optional extensions of ours for alerting rules.
 *
 * @param alert the alert name (alerting rule) or null
 * @param record the series name (recording rule) or null
 * @param forDuration how long the condition must hold before the alert fires
 * @param keepFiringFor how long it keeps firing after the condition stopped
 * @param receiver route hint: send this rule's alerts to this receiver (bypasses the routing tree)
 * @param remediation name of a remediation action; carried to delivery as the {@code remediation}
 *     annotation
 * @param sendResolved whether a resolved notification is produced for this rule's alerts
 */
record RuleSpec(
    String alert,
    String record,
    String expr,
    Duration forDuration,
    Duration keepFiringFor,
    Map<String, String> labels,
    Map<String, String> annotations,
    String receiver,
    String remediation,
    boolean sendResolved) {

  RuleSpec {
    Objects.requireNonNull(expr, "expr");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  boolean isAlerting() {
    return alert != null;
  }

  String name() {
    return alert != null ? alert : record;
  }
}
