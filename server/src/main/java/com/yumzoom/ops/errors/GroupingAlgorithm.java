package com.yumzoom.ops.errors;

/** One version of the grouping algorithm. Versions are never changed once released. */
interface GroupingAlgorithm {

  /** Stored with every fingerprint, e.g. {@code grouping-v1}. */
  String version();

  Fingerprint fingerprint(ErrorEvent event);
}
