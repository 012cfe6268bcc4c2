package com.yumzoom.ops.errors;

import java.util.List;
import java.util.Map;

/**
 * Entry point of error grouping: computes the {@link Fingerprint} of an event with the current
 * algorithm, or with the version a group was created with. Immutable and thread-safe.
 */
public final class Grouping {

  /** The version new groups are created with. */
  public static final String CURRENT_VERSION = GroupingV1.VERSION;

  private final Map<String, GroupingAlgorithm> algorithms;

  private Grouping(InAppRules inApp, List<FingerprintRule> rules) {
    GroupingAlgorithm v1 = new GroupingV1(inApp, rules);
    this.algorithms = Map.of(v1.version(), v1);
  }

  /** Grouping with the given in-app rules and custom fingerprint rules (first match wins). */
  public static Grouping create(InAppRules inApp, List<FingerprintRule> rules) {
    if (inApp == null) {
      throw new IllegalArgumentException("grouping.in-app must not be null");
    }
    if (rules == null) {
      throw new IllegalArgumentException("grouping.rules must not be null");
    }
    return new Grouping(inApp, rules);
  }

  /** Default in-app rules, no custom rules. */
  public static Grouping defaults() {
    return create(InAppRules.defaults(), List.of());
  }

  /** Fingerprint with the current algorithm. */
  public Fingerprint fingerprint(ErrorEvent event) {
    return fingerprint(event, CURRENT_VERSION);
  }

  /**
   * Fingerprint with a given algorithm version, the one stored with an existing group.
   *
   * @throws IllegalArgumentException for an unknown version
   */
  public Fingerprint fingerprint(ErrorEvent event, String version) {
    GroupingAlgorithm algorithm = algorithms.get(version);
    if (algorithm == null) {
      throw new IllegalArgumentException(
          "grouping version unknown: " + version + " (known: " + algorithms.keySet() + ")");
    }
    return algorithm.fingerprint(event);
  }
}
