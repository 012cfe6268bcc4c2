package com.yumzoom.ops.metrics;

import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A bounded in-memory {@link SampleStore}; persistence in DuckDB comes later.
 *
 * <p>Design: each series is a ring buffer of its newest {@code maxSamplesPerSeries} samples, so
 * memory is bounded by {@code maxSeries x maxSamplesPerSeries} and the oldest samples are dropped
 * first. A sample of a new series past {@code maxSeries} is rejected and counted, never stored; a
 * sample older than its series' newest is dropped (as Prometheus rejects out-of-order samples) and
 * one at the same time replaces it. One read-write lock: appends are short, queries copy out.
 */
public final class InMemorySampleStore implements SampleStore {

  private static final class Ring {
    final int capacity;
    long[] ts;
    double[] vs;
    int start;
    int n;

    Ring(int capacity) {
      this.capacity = capacity;
      // grown on demand: most series of a busy store never fill their ring
      ts = new long[Math.min(capacity, 16)];
      vs = new double[ts.length];
    }

    long last() {
      return ts[(start + n - 1) % ts.length];
    }

    /** Adds a sample; returns the timestamp of the sample it pushed out, or Long.MIN_VALUE. */
    long add(long t, double v) {
      long evicted = Long.MIN_VALUE;
      if (n == ts.length && ts.length < capacity) {
        int size = (int) Math.min(capacity, ts.length * 2L);
        long[] nt = new long[size];
        double[] nv = new double[size];
        for (int k = 0; k < n; k++) {
          nt[k] = ts[(start + k) % ts.length];
          nv[k] = vs[(start + k) % ts.length];
        }
        ts = nt;
        vs = nv;
        start = 0;
      }
      if (n == ts.length) {
        evicted = ts[start];
        start = (start + 1) % ts.length;
        n--;
      }
      int i = (start + n) % ts.length;
      ts[i] = t;
      vs[i] = v;
      n++;
      return evicted;
    }

    void replaceLast(double v) {
      vs[(start + n - 1) % ts.length] = v;
    }

    long at(int k) {
      return ts[(start + k) % ts.length];
    }

    boolean hasIn(long minT, long maxT) {
      int lo = lowerBound(minT);
      return lo < n && at(lo) <= maxT;
    }

    int lowerBound(long key) {
      int lo = 0;
      int hi = n;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (at(mid) < key) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  private final MetricsLimits limits;
  private final Map<Labels, Ring> series = new HashMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final AtomicLong rejected = new AtomicLong();
  private volatile long evictedUpTo = Long.MIN_VALUE;

  public InMemorySampleStore(MetricsLimits limits) {
    this.limits = limits;
  }

  @Override
  public AppendResult append(List<Sample> samples) {
    int appended = 0;
    int rejectedNow = 0;
    int outOfOrder = 0;
    String error = null;
    lock.writeLock().lock();
    try {
      for (Sample s : samples) {
        Ring r = series.get(s.labels());
        if (r == null) {
          if (series.size() >= limits.maxSeries()) {
            rejectedNow++;
            if (error == null) {
              error =
                  "series limit of "
                      + limits.maxSeries()
                      + " reached (metrics.maxSeries); rejected new series such as "
                      + s.labels();
            }
            continue;
          }
          r = new Ring(limits.maxSamplesPerSeries());
          series.put(s.labels(), r);
        }
        if (r.n > 0 && s.tMs() <= r.last()) {
          if (s.tMs() == r.last()) {
            r.replaceLast(s.value());
            appended++;
          } else {
            outOfOrder++;
          }
          continue;
        }
        long evicted = r.add(s.tMs(), s.value());
        if (evicted > evictedUpTo) {
          evictedUpTo = evicted;
        }
        appended++;
      }
    } finally {
      lock.writeLock().unlock();
    }
    rejected.addAndGet(rejectedNow);
    return new AppendResult(appended, rejectedNow, outOfOrder, error);
  }

  private static boolean matches(Labels labels, List<LabelMatcher> matchers) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels.get(m.name()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
    List<Series> out = new ArrayList<>();
    lock.readLock().lock();
    try {
      for (var e : series.entrySet()) {
        if (!matches(e.getKey(), matchers)) {
          continue;
        }
        Ring r = e.getValue();
        int lo = r.lowerBound(minT);
        int hi = maxT == Long.MAX_VALUE ? r.n : r.lowerBound(maxT + 1);
        if (lo >= hi) {
          continue;
        }
        long[] ts = new long[hi - lo];
        double[] vs = new double[hi - lo];
        for (int k = lo; k < hi; k++) {
          int i = (r.start + k) % r.ts.length;
          ts[k - lo] = r.ts[i];
          vs[k - lo] = r.vs[i];
        }
        out.add(new Series(e.getKey(), ts, vs));
      }
    } finally {
      lock.readLock().unlock();
    }
    return out;
  }

  @Override
  public List<String> labelNames(long minT, long maxT) {
    TreeSet<String> names = new TreeSet<>();
    lock.readLock().lock();
    try {
      series.forEach(
          (l, r) -> {
            if (r.hasIn(minT, maxT)) {
              names.addAll(l.map().keySet());
            }
          });
    } finally {
      lock.readLock().unlock();
    }
    return List.copyOf(names);
  }

  @Override
  public List<String> labelValues(String name, List<LabelMatcher> matchers, long minT, long maxT) {
    TreeSet<String> values = new TreeSet<>();
    lock.readLock().lock();
    try {
      series.forEach(
          (l, r) -> {
            String v = l.get(name);
            if (!v.isEmpty() && matches(l, matchers) && r.hasIn(minT, maxT)) {
              values.add(v);
            }
          });
    } finally {
      lock.readLock().unlock();
    }
    return List.copyOf(values);
  }

  @Override
  public List<Labels> series(List<LabelMatcher> matchers, long minT, long maxT) {
    List<Labels> out = new ArrayList<>();
    lock.readLock().lock();
    try {
      series.forEach(
          (l, r) -> {
            if (matches(l, matchers) && r.hasIn(minT, maxT)) {
              out.add(l);
            }
          });
    } finally {
      lock.readLock().unlock();
    }
    out.sort(null);
    return out;
  }

  /**
   * The newest timestamp of any sample pushed out of a full series ring (Long.MIN_VALUE if none):
   * samples after it are all still held, which is what a head in front of a durable store needs.
   */
  public long evictedUpTo() {
    return evictedUpTo;
  }

  @Override
  public long rejectedSamples() {
    return rejected.get();
  }

  @Override
  public int seriesCount() {
    lock.readLock().lock();
    try {
      return series.size();
    } finally {
      lock.readLock().unlock();
    }
  }
}
