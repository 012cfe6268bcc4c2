package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.query.promql.LabelMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node of the routing tree (Alertmanager's {@code dispatch.Route}): its matchers, the receiver
 * and grouping options (inherited from the parent where unset), and children. An alert goes to the
 * deepest matching routes: children are tried in order, the first match wins unless it has {@code
 * continue: true}, and when no child matches the node itself takes the alert.
 *
 * @param groupBy label names, or null for {@code ...} (every label)
 * @param sendResolved our extension: whether resolved notifications are produced on this route
 */
record Route(
    String key,
    List<LabelMatcher> matchers,
    String receiver,
    Set<String> groupBy,
    Duration groupWait,
    Duration groupInterval,
    Duration repeatInterval,
    boolean continueMatching,
    boolean sendResolved,
    List<Route> children) {

  Route {
    matchers = List.copyOf(matchers);
    children = List.copyOf(children);
  }

  boolean groupByAll() {
    return groupBy == null;
  }

  /** The routes an alert with {@code labels} goes to, in order. */
  List<Route> match(Map<String, String> labels) {
    if (!Matchers.matches(matchers, labels)) {
      return List.of();
    }
    List<Route> all = new ArrayList<>();
    for (Route child : children) {
      List<Route> m = child.match(labels);
      all.addAll(m);
      if (!m.isEmpty() && !child.continueMatching()) {
        break;
      }
    }
    if (all.isEmpty()) {
      all.add(this);
    }
    return all;
  }

  /** Every receiver named in this subtree. */
  void receivers(List<String> out) {
    out.add(receiver);
    for (Route c : children) {
      c.receivers(out);
    }
  }
}
