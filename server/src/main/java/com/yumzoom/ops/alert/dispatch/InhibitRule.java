package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.query.promql.LabelMatcher;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's inhibition rule: while an alert matching {@code source} fires, alerts matching
 * {@code target} that have the same values for the {@code equal} labels (absent counts as equal to
 * absent) are muted. An alert never inhibits itself.
 */
record InhibitRule(List<LabelMatcher> source, List<LabelMatcher> target, List<String> equal) {

  InhibitRule {
    source = List.copyOf(source);
    target = List.copyOf(target);
    equal = List.copyOf(equal);
  }

  boolean sameEqualLabels(Map<String, String> a, Map<String, String> b) {
    for (String l : equal) {
      if (!a.getOrDefault(l, "").equals(b.getOrDefault(l, ""))) {
        return false;
      }
    }
    return true;
  }
}
