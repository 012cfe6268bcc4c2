package com.yumzoom.ops.query.promql;

import java.util.List;

/**
 * Where the engine reads samples from. Implementations return every series whose labels satisfy all
 * matchers, with its samples whose timestamps lie in {@code [minT, maxT]} (milliseconds), in time
 * order; staleness markers ({@link Values#STALE_NAN}) are returned as samples.
 */
public interface SeriesSource {
  List<Series> select(List<LabelMatcher> matchers, long minT, long maxT);

  /** One series: labels and parallel arrays of timestamps (ms) and values. */
  record Series(Labels labels, long[] timestamps, double[] values) {
    public Series {
      if (timestamps.length != values.length) {
        throw new IllegalArgumentException(
            "series.timestamps has " + timestamps.length + " entries but values " + values.length);
      }
    }
  }
}
