package com.yumzoom.ops.query.promql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-query read cache. The evaluator works one step at a time and asks for a small window per
 * selector and step; this wrapper fetches a window once, widened forward by {@code ahead} (the rest
 * of the query's sweep), and answers later steps by slicing it, so a store is read about once per
 * selector rather than once per step.
 */
final class CachingSource implements SeriesSource {
  private record Entry(long minT, long maxT, List<Series> series) {}

  private final SeriesSource delegate;
  private final long ahead;

  private record Key(List<LabelMatcher> matchers, Hints hints) {}

  private final Map<Key, Entry> cache = new HashMap<>();

  CachingSource(SeriesSource delegate, long ahead) {
    this.delegate = delegate;
    this.ahead = ahead;
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
    return select(matchers, minT, maxT, Hints.RAW);
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT, Hints hints) {
    Key key = new Key(matchers, hints);
    Entry e = cache.get(key);
    if (e == null || minT < e.minT() || maxT > e.maxT()) {
      long to = maxT > Long.MAX_VALUE - ahead ? Long.MAX_VALUE : maxT + ahead;
      e =
          new Entry(
              minT,
              to,
              hints == Hints.RAW
                  ? delegate.select(matchers, minT, to)
                  : delegate.select(matchers, minT, to, hints));
      cache.put(key, e);
    }
    List<Series> out = new ArrayList<>();
    for (Series s : e.series()) {
      long[] ts = s.timestamps();
      int lo = lowerBound(ts, minT);
      int hi = lowerBound(ts, maxT == Long.MAX_VALUE ? maxT : maxT + 1);
      if (maxT == Long.MAX_VALUE) {
        hi = ts.length;
      }
      if (lo < hi) {
        out.add(
            new Series(
                s.labels(),
                Arrays.copyOfRange(ts, lo, hi),
                Arrays.copyOfRange(s.values(), lo, hi)));
      }
    }
    return out;
  }

  private static int lowerBound(long[] a, long key) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
