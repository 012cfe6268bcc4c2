package com.yumzoom.ops.alert.rules;

import java.time.Duration;
import java.util.List;

/**
 * A rule group: rules evaluated together, in order, at one interval.
 *
 * @param interval the group's own interval, or null for {@code alerting.evaluation-interval}
 * @param source the file it came from, or {@code api} for groups managed over HTTP
 */
record GroupSpec(String name, Duration interval, List<RuleSpec> rules, String source) {

  static final String API_SOURCE = "api";

  GroupSpec {
    rules = List.copyOf(rules);
  }

  boolean fromApi() {
    return API_SOURCE.equals(source);
  }
}
