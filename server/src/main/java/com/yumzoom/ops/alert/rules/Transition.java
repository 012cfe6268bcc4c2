package com.yumzoom.ops.alert.rules;

import java.util.Map;

/**
 * One state change of one alert, as persisted in the history.
 *
 * @param atMs evaluation time of the change
 * @param from {@code inactive}, {@code pending}, {@code firing} or {@code resolved}
 * @param to the state after the change
 */
record Transition(
    long atMs,
    String group,
    String rule,
    String fingerprint,
    Map<String, String> labels,
    String from,
    String to,
    double value) {

  Transition {
    labels = Map.copyOf(labels);
  }
}
