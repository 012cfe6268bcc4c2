package com.yumzoom.ops.errors;

import java.util.Locale;

/** What kind of fault an error group is, for triage, filtering and suggested fixes. */
public enum Category {
  DATABASE,
  NETWORK,
  TIMEOUT,
  VALIDATION,
  AUTHENTICATION,
  AUTHORIZATION,
  NOT_FOUND,
  RATE_LIMIT,
  OUT_OF_MEMORY,
  NULL_REFERENCE,
  CONFIGURATION,
  UNKNOWN;

  /** Stable lower-case name for APIs and storage ({@code not_found}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
