package com.yumzoom.ops.query.promql;

import java.util.List;

/**
 * Where the engine reads samples from. Implementations return every series whose labels satisfy all
 * matchers, with its samples whose timestamps lie in {@code [minT, maxT]} (milliseconds), in time
 * order; staleness markers ({@link Values#STALE_NAN}) are returned as samples.
 */
public interface SeriesSource {
  List<Series> select(List<LabelMatcher> matchers, long minT, long maxT);

  /**
   * Like {@link #select(List, long, long)}, with what the query will do with the samples, so a
   * store with rollups may answer a long range at a step of minutes from pre-aggregated samples.
   * The default ignores the hints.
   */
  default List<Series> select(List<LabelMatcher> matchers, long minT, long maxT, Hints hints) {
    return select(matchers, minT, maxT);
  }

  /**
   * What a selector's samples are used for.
   *
   * @param stepMs the step of the evaluation the selector is part of (0 for an instant query)
   * @param rangeMs the range of a range selector ({@code x[5m]}), 0 for an instant selector
   * @param lookbackMs the engine's lookback delta for instant selectors
   */
  record Hints(long stepMs, long rangeMs, long lookbackMs) {
    /** No information: a store must answer from raw samples. */
    public static final Hints RAW = new Hints(0, 0, 0);
  }

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
