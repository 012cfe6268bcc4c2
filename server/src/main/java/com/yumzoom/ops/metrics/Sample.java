package com.yumzoom.ops.metrics;

import com.yumzoom.ops.query.promql.Labels;

/** One sample of one series: its labels (with {@code __name__}), a time in ms and a value. */
public record Sample(Labels labels, long tMs, double value) {
  public Sample {
    if (labels == null) {
      throw new IllegalArgumentException("sample.labels must not be null");
    }
    if (labels.get(Labels.NAME).isEmpty()) {
      throw new IllegalArgumentException("sample.labels has no __name__");
    }
  }
}
