package com.yumzoom.ops.errors;

import java.util.ArrayList;
import java.util.List;

/**
 * The mutable row of one issue, owned by the error writer thread only (never shared): the writer
 * changes it while grouping a batch and writes it back whole at commit. A failed commit drops every
 * cached state, so memory never runs ahead of the database.
 */
final class IssueState {

  /** Releases and environments kept per issue, newest last; older ones fall off. */
  static final int MAX_LIST = 50;

  long id;
  String groupingVersion;
  String fingerprint;
  String type;
  String title;
  String culprit;
  String platform;
  String category;
  String severity;
  IssueStatus status;
  String service;
  long firstSeenMs;
  long lastSeenMs;
  long totalCount;
  List<String> releases = new ArrayList<>();
  List<String> environments = new ArrayList<>();

  /** {@code now}, {@code in_release}, {@code next_release} or empty when not resolved. */
  String resolveMode = "";

  String resolvedInRelease = "";
  long resolvedAtMs;
  long ignoreUntilMs;
  long ignoreUntilCount;
  long mergedInto;
  long statusChangedMs;

  static void addBounded(List<String> list, String value) {
    if (value.isEmpty()) {
      return;
    }
    int at = list.indexOf(value);
    if (at == list.size() - 1 && at >= 0) {
      return;
    }
    if (at >= 0) {
      list.remove(at);
    }
    list.add(value);
    while (list.size() > MAX_LIST) {
      list.removeFirst();
    }
  }

  static int severityRank(String level) {
    return switch (level) {
      case "fatal" -> 4;
      case "error" -> 3;
      case "warning" -> 2;
      case "info" -> 1;
      default -> 0;
    };
  }
}
