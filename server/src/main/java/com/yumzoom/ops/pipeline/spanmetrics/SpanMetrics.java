package com.yumzoom.ops.pipeline.spanmetrics;

import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.store.SpanRow;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RED metrics derived from committed spans, named and labelled like the OpenTelemetry Collector's
 * spanmetrics connector (Prometheus exporter naming) so that existing dashboards and alert rules
 * work: {@code traces_spanmetrics_calls_total} and the histogram {@code
 * traces_spanmetrics_latency_{bucket,sum,count}} in seconds, per {@code service}, {@code
 * span_name}, {@code span_kind} and {@code status_code}, with {@code job} = service.
 *
 * <p>Design: {@link #record} runs on the single group-commit thread, so it must not slow commits.
 * Series live in a two-level map (service, then span name, both looked up with the span's own
 * strings, whose hashes are cached) to an array indexed by kind and status; a span therefore costs
 * two hash lookups and a few long increments, with no allocation once its series exists. Bucket
 * bounds and the sum are kept in nanoseconds as longs (exact), converted to seconds only in {@link
 * #snapshot}. One lock per batch (not per span) makes snapshots consistent: a series' count always
 * equals its {@code +Inf} bucket. Counters are cumulative from process start; a restart is a
 * counter reset, which {@code rate()} handles.
 *
 * <p>Memory is bounded: at most {@code maxSeries} (service, span name, kind, status) keys. Spans of
 * a new key past that bound are counted in one overflow series per kind and status, labelled {@code
 * service="__overflow__", span_name="__overflow__"} (at most 18 more), and in {@link #rejected()}.
 */
public final class SpanMetrics {

  public static final int DEFAULT_MAX_SERIES = 10_000;
  public static final String OVERFLOW = "__overflow__";
  public static final String CALLS = "traces_spanmetrics_calls_total";
  public static final String LATENCY = "traces_spanmetrics_latency";

  private static final Logger LOG = LoggerFactory.getLogger(SpanMetrics.class);

  /** The connector's default explicit buckets, in nanoseconds; +Inf is implicit. */
  private static final long[] BOUNDS_NANOS = {
    2_000_000L,
    4_000_000L,
    6_000_000L,
    8_000_000L,
    10_000_000L,
    50_000_000L,
    100_000_000L,
    200_000_000L,
    400_000_000L,
    800_000_000L,
    1_000_000_000L,
    1_400_000_000L,
    2_000_000_000L,
    5_000_000_000L,
    10_000_000_000L,
    15_000_000_000L
  };

  /** Prometheus renders le like Go's strconv.FormatFloat(v, 'f', -1, 64). */
  private static final String[] LE = {
    "0.002", "0.004", "0.006", "0.008", "0.01", "0.05", "0.1", "0.2", "0.4", "0.8", "1", "1.4", "2",
    "5", "10", "15", "+Inf"
  };

  private static final String[] KINDS = {
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };

  private static final String[] STATUSES = {
    "STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"
  };

  private static final int SLOTS = KINDS.length * STATUSES.length;

  /** Cumulative counters of one key; guarded by the owner's lock. */
  private static final class Series {
    long count;
    long sumNanos;
    final long[] buckets = new long[BOUNDS_NANOS.length + 1]; // per bucket, not cumulative

    void add(long durationNanos) {
      count++;
      sumNanos += durationNanos;
      buckets[bucketOf(durationNanos)]++;
    }
  }

  private final int maxSeries;
  private final Object lock = new Object();
  private final Map<String, Map<String, Series[]>> byService = new HashMap<>();
  private final Series[] overflow = new Series[SLOTS];
  private int seriesCount;
  private long rejected;
  private final AtomicLong flushFailures = new AtomicLong();

  public SpanMetrics() {
    this(DEFAULT_MAX_SERIES);
  }

  /**
   * @param maxSeries at most this many (service, span name, kind, status) keys are tracked
   */
  public SpanMetrics(int maxSeries) {
    if (maxSeries < 1 || maxSeries > 1_000_000) {
      throw new IllegalArgumentException(
          "spanmetrics.maxSeries must be between 1 and 1000000, got " + maxSeries);
    }
    this.maxSeries = maxSeries;
  }

  /** Counts the spans of one commit. Called by the single writer thread; never throws. */
  public void record(List<SpanRow> committed) {
    synchronized (lock) {
      for (int i = 0, n = committed.size(); i < n; i++) {
        SpanRow row = committed.get(i);
        int slot = slot(row.kind(), row.statusCode());
        Map<String, Series[]> byName = byService.get(row.serviceName());
        Series[] slots = byName == null ? null : byName.get(row.name());
        Series s = slots == null ? null : slots[slot];
        if (s == null) {
          s = create(row, byName, slots, slot);
        }
        s.add(row.durationNanos());
      }
    }
  }

  /** The slow path: a key seen for the first time, or past the bound the overflow series. */
  private Series create(SpanRow row, Map<String, Series[]> byName, Series[] slots, int slot) {
    if (seriesCount >= maxSeries) {
      rejected++;
      Series o = overflow[slot];
      if (o == null) {
        o = new Series();
        overflow[slot] = o;
      }
      return o;
    }
    if (byName == null) {
      byName = new HashMap<>();
      byService.put(row.serviceName(), byName);
    }
    if (slots == null) {
      slots = new Series[SLOTS];
      byName.put(row.name(), slots);
    }
    Series s = new Series();
    slots[slot] = s;
    seriesCount++;
    return s;
  }

  /** Spans counted in the overflow series because their key would have exceeded the bound. */
  public long rejected() {
    synchronized (lock) {
      return rejected;
    }
  }

  /** Distinct keys tracked, the overflow series not included. */
  public int seriesCount() {
    synchronized (lock) {
      return seriesCount;
    }
  }

  /** Flushes that failed so far (the store threw). */
  public long flushFailures() {
    return flushFailures.get();
  }

  /**
   * Every series' cumulative value at {@code tMs}: per key one calls sample, 17 buckets, a sum and
   * a count. Keys that never saw a span are absent.
   */
  public List<Sample> snapshot(long tMs) {
    // Copy the counters under the lock, build labels outside it: the writer waits only for copies.
    List<Object[]> copies = new ArrayList<>();
    synchronized (lock) {
      for (var svc : byService.entrySet()) {
        for (var op : svc.getValue().entrySet()) {
          copySlots(svc.getKey(), op.getKey(), op.getValue(), copies);
        }
      }
      copySlots(OVERFLOW, OVERFLOW, overflow, copies);
    }
    List<Sample> out = new ArrayList<>(copies.size() * (LE.length + 3));
    for (Object[] c : copies) {
      String service = (String) c[0];
      String name = (String) c[1];
      int slot = (Integer) c[2];
      long[] v = (long[]) c[3]; // count, sumNanos, buckets...
      TreeMap<String, String> base = new TreeMap<>();
      base.put("service", service);
      base.put("job", service);
      base.put("span_name", name);
      base.put("span_kind", KINDS[slot / STATUSES.length]);
      base.put("status_code", STATUSES[slot % STATUSES.length]);
      out.add(new Sample(named(base, CALLS, null), tMs, v[0]));
      long cumulative = 0;
      for (int b = 0; b < LE.length; b++) {
        cumulative += v[2 + b];
        out.add(new Sample(named(base, LATENCY + "_bucket", LE[b]), tMs, cumulative));
      }
      out.add(new Sample(named(base, LATENCY + "_sum", null), tMs, v[1] / 1e9));
      out.add(new Sample(named(base, LATENCY + "_count", null), tMs, v[0]));
    }
    return out;
  }

  private static void copySlots(String service, String name, Series[] slots, List<Object[]> out) {
    for (int slot = 0; slot < SLOTS; slot++) {
      Series s = slots[slot];
      if (s == null) {
        continue;
      }
      long[] v = new long[2 + s.buckets.length];
      v[0] = s.count;
      v[1] = s.sumNanos;
      System.arraycopy(s.buckets, 0, v, 2, s.buckets.length);
      out.add(new Object[] {service, name, slot, v});
    }
  }

  private static Labels named(TreeMap<String, String> base, String metric, String le) {
    TreeMap<String, String> m = new TreeMap<>(base);
    m.put(Labels.NAME, metric);
    if (le != null) {
      m.put("le", le);
    }
    return new Labels(m);
  }

  /**
   * Appends {@link #snapshot} at {@code tMs} to {@code store}. Never throws, so a scheduled flush
   * never dies; returns whether the store took every sample.
   */
  public boolean flushTo(SampleStore store, long tMs) {
    try {
      AppendResult result = store.append(snapshot(tMs));
      if (result.error() != null) {
        LOG.warn("spanmetrics: {} samples rejected: {}", result.rejected(), result.error());
        return false;
      }
      return true;
    } catch (RuntimeException e) {
      flushFailures.incrementAndGet();
      LOG.warn("spanmetrics flush failed", e);
      return false;
    }
  }

  /**
   * Flushes to {@code store} every {@code interval} on {@code scheduler}, stamped with {@code
   * clock}; cancel the returned future to stop.
   */
  public ScheduledFuture<?> scheduleFlush(
      ScheduledExecutorService scheduler, Duration interval, SampleStore store, Clock clock) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("spanmetrics.interval must be positive, got " + interval);
    }
    return scheduler.scheduleAtFixedRate(
        () -> {
          try {
            flushTo(store, clock.millis());
          } catch (RuntimeException e) { // a clock that throws must not end the schedule either
            flushFailures.incrementAndGet();
            LOG.warn("spanmetrics flush failed", e);
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static int slot(int kind, int status) {
    int k = kind >= 0 && kind < KINDS.length ? kind : 0;
    int s = status >= 0 && status < STATUSES.length ? status : 0;
    return k * STATUSES.length + s;
  }

  /** Prometheus buckets are upper-inclusive: a span of exactly 2 ms is in le="0.002". */
  static int bucketOf(long nanos) {
    long[] b = BOUNDS_NANOS;
    for (int i = 0; i < b.length; i++) {
      if (nanos <= b[i]) {
        return i;
      }
    }
    return b.length;
  }
}
