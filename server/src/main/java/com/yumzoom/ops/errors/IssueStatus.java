package com.yumzoom.ops.errors;

import java.util.Locale;

/**
 * Where an issue is in its lifecycle. {@link #REGRESSED} is unresolved again after a resolution;
 * {@link #MERGED} issues forward their events to the issue they were merged into.
 */
public enum IssueStatus {
  UNRESOLVED,
  RESOLVED,
  IGNORED,
  REGRESSED,
  MERGED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a label; null when unknown. */
  public static IssueStatus parse(String label) {
    for (IssueStatus s : values()) {
      if (s.label().equals(label)) {
        return s;
      }
    }
    return null;
  }
}
