package com.yumzoom.ops.alert.rules;

import java.util.Map;

/** One alert of an alerting rule between evaluations (Prometheus' {@code rules.Alert}). */
final class ActiveAlert {

  /** {@code INACTIVE} with a resolve time is what the history and the API call resolved. */
  enum State {
    INACTIVE,
    PENDING,
    FIRING
  }

  final String fingerprint;
  final Map<String, String> labels;
  Map<String, String> annotations;
  State state;
  double value;
  long activeAtMs;
  long firedAtMs;
  long resolvedAtMs;
  long keepFiringSinceMs;

  ActiveAlert(
      String fingerprint,
      Map<String, String> labels,
      Map<String, String> annotations,
      State state,
      double value,
      long activeAtMs) {
    this.fingerprint = fingerprint;
    this.labels = Map.copyOf(labels);
    this.annotations = Map.copyOf(annotations);
    this.state = state;
    this.value = value;
    this.activeAtMs = activeAtMs;
  }

  /** The state name used in history and persistence. */
  String stateName() {
    return switch (state) {
      case PENDING -> "pending";
      case FIRING -> "firing";
      case INACTIVE -> resolvedAtMs != 0 ? "resolved" : "inactive";
    };
  }

  static State parse(String name) {
    return switch (name) {
      case "pending" -> State.PENDING;
      case "firing" -> State.FIRING;
      default -> State.INACTIVE;
    };
  }
}
