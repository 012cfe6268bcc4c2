package com.yumzoom.ops.query.promql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link SeriesSource} held in memory, for tests and the conformance runner. Not thread-safe. */
public final class InMemorySeriesSource implements SeriesSource {
  private static final class Buf {
    long[] ts = new long[16];
    double[] vs = new double[16];
    int n;
    boolean sorted = true;
  }

  private final Map<Labels, Buf> series = new LinkedHashMap<>();

  /** Adds one sample; a later sample at the same timestamp replaces the earlier one. */
  public void add(Labels labels, long t, double v) {
    Buf b = series.computeIfAbsent(labels, k -> new Buf());
    if (b.n > 0 && b.ts[b.n - 1] >= t) {
      b.sorted = false;
    }
    if (b.n == b.ts.length) {
      b.ts = Arrays.copyOf(b.ts, b.n * 2);
      b.vs = Arrays.copyOf(b.vs, b.n * 2);
    }
    b.ts[b.n] = t;
    b.vs[b.n] = v;
    b.n++;
  }

  public void clear() {
    series.clear();
  }

  private static void sort(Buf b) {
    if (b.sorted) {
      return;
    }
    Integer[] idx = new Integer[b.n];
    for (int i = 0; i < b.n; i++) {
      idx[i] = i;
    }
    // Stable sort keeps insertion order among equal timestamps; the last one wins below.
    Arrays.sort(idx, (x, y) -> Long.compare(b.ts[x], b.ts[y]));
    long[] ts = new long[b.ts.length];
    double[] vs = new double[b.vs.length];
    int m = 0;
    for (int i = 0; i < b.n; i++) {
      int k = idx[i];
      if (m > 0 && ts[m - 1] == b.ts[k]) {
        vs[m - 1] = b.vs[k];
      } else {
        ts[m] = b.ts[k];
        vs[m] = b.vs[k];
        m++;
      }
    }
    b.ts = ts;
    b.vs = vs;
    b.n = m;
    b.sorted = true;
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
    List<Series> out = new ArrayList<>();
    outer:
    for (var e : series.entrySet()) {
      for (LabelMatcher m : matchers) {
        if (!m.matches(e.getKey().get(m.name()))) {
          continue outer;
        }
      }
      Buf b = e.getValue();
      sort(b);
      int lo = lowerBound(b.ts, b.n, minT);
      int hi = lowerBound(b.ts, b.n, maxT + 1);
      if (lo < hi) {
        out.add(
            new Series(
                e.getKey(), Arrays.copyOfRange(b.ts, lo, hi), Arrays.copyOfRange(b.vs, lo, hi)));
      }
    }
    return out;
  }

  private static int lowerBound(long[] a, int n, long key) {
    int lo = 0;
    int hi = n;
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
