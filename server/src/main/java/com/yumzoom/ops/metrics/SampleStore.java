package com.yumzoom.ops.metrics;

import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.SeriesSource;
import java.util.List;

/**
 * Where metric samples live. A store is the PromQL engine's {@link SeriesSource}; the metadata
 * queries answer the Prometheus API's label and series endpoints. Times are in milliseconds and
 * ranges are inclusive; a series counts as present in a range when it has a sample in it.
 */
public interface SampleStore extends SeriesSource {

  /** Stores samples; never throws for a full store, reports rejections in the result instead. */
  AppendResult append(List<Sample> samples);

  /** Sorted label names of the series present in the range. */
  List<String> labelNames(long minT, long maxT);

  /** Sorted values of label {@code name} over the series that match all matchers (may be none). */
  List<String> labelValues(String name, List<LabelMatcher> matchers, long minT, long maxT);

  /** Label sets of the series that match all matchers, sorted. */
  List<Labels> series(List<LabelMatcher> matchers, long minT, long maxT);

  /** Samples rejected so far because the series limit was reached. */
  long rejectedSamples();

  /** Number of series held. */
  int seriesCount();
}
