package com.yumzoom.ops.store.memory;

import com.yumzoom.ops.store.OperationStats;
import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.SpanTags;
import com.yumzoom.ops.store.StorageComponent;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.TraceQuery;
import com.yumzoom.ops.store.TraceSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The reference backend: every query is a plain scan over a map of traces, so its answers define
 * what the contract suite expects of faster backends. Not bounded; for tests and small demos.
 *
 * <p>Rules every backend follows (the contract suite checks them):
 *
 * <ul>
 *   <li>A trace's spans are ordered by start, then span id.
 *   <li>The root of a summary is the earliest span without a parent, else the earliest span.
 *   <li>Search ranks traces by the latest start among their matching spans (ties by trace id),
 *       keeps the first {@code limit}, and returns them ordered by trace start, newest first (ties
 *       by trace id). Ranking by the latest match lets a backend search the newest part of the
 *       range first and stop early, exactly.
 *   <li>Percentiles interpolate linearly between the two nearest ranks (DuckDB's {@code
 *       quantile_cont}, type 7 of Hyndman and Fan), rounded to the nearest nanosecond.
 * </ul>
 */
public final class InMemoryStorage implements StorageComponent, SpanConsumer, SpanStore {

  /** Order of spans inside a trace, and of candidate roots. */
  static final Comparator<SpanRow> BY_START =
      Comparator.comparingLong(SpanRow::startEpochNanos).thenComparingLong(SpanRow::spanId);

  private static final Comparator<TraceId> BY_ID =
      Comparator.comparingLong(TraceId::high).thenComparingLong(TraceId::low);

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<TraceId, List<SpanRow>> traces = new HashMap<>();
  private long spanCount;

  public InMemoryStorage() {}

  @Override
  public SpanConsumer spanConsumer() {
    return this;
  }

  @Override
  public SpanStore spanStore() {
    return this;
  }

  @Override
  public void accept(List<SpanRow> spans) {
    List<SpanRow> copy = List.copyOf(spans); // fails on null before anything is visible
    lock.writeLock().lock();
    try {
      for (SpanRow row : copy) {
        traces.computeIfAbsent(row.traceId(), id -> new ArrayList<>()).add(row);
      }
      spanCount += copy.size();
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public List<SpanRow> trace(TraceId traceId) {
    lock.readLock().lock();
    try {
      List<SpanRow> spans = traces.get(traceId);
      if (spans == null) {
        return List.of();
      }
      List<SpanRow> sorted = new ArrayList<>(spans);
      sorted.sort(BY_START);
      return List.copyOf(sorted);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<TraceSummary> search(TraceQuery query) {
    lock.readLock().lock();
    try {
      record Candidate(TraceId id, long lastMatch) {}
      List<Candidate> candidates = new ArrayList<>();
      for (Map.Entry<TraceId, List<SpanRow>> e : traces.entrySet()) {
        long lastMatch = Long.MIN_VALUE;
        boolean matched = false;
        for (SpanRow row : e.getValue()) {
          if (matches(row, query) && row.startEpochNanos() >= lastMatch) {
            lastMatch = row.startEpochNanos();
            matched = true;
          }
        }
        if (matched) {
          candidates.add(new Candidate(e.getKey(), lastMatch));
        }
      }
      candidates.sort(
          Comparator.comparingLong(Candidate::lastMatch)
              .reversed()
              .thenComparing(Candidate::id, BY_ID));
      List<TraceSummary> out = new ArrayList<>();
      for (Candidate c : candidates.subList(0, Math.min(query.limit(), candidates.size()))) {
        out.add(summarize(c.id(), traces.get(c.id())));
      }
      out.sort(
          Comparator.comparingLong(TraceSummary::startEpochNanos)
              .reversed()
              .thenComparing(TraceSummary::traceId, BY_ID));
      return List.copyOf(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  private static boolean matches(SpanRow row, TraceQuery q) {
    if (row.startEpochNanos() < q.startEpochNanos() || row.startEpochNanos() >= q.endEpochNanos()) {
      return false;
    }
    if (q.serviceName() != null && !q.serviceName().equals(row.serviceName())) {
      return false;
    }
    if (q.spanName() != null && !q.spanName().equals(row.name())) {
      return false;
    }
    if (row.durationNanos() < q.minDurationNanos() || row.durationNanos() > q.maxDurationNanos()) {
      return false;
    }
    if (q.errorsOnly() && !row.isError()) {
      return false;
    }
    for (Map.Entry<String, String> tag : q.tags().entrySet()) {
      if (!SpanTags.matches(row.tags(), tag.getKey(), tag.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static TraceSummary summarize(TraceId id, List<SpanRow> spans) {
    SpanRow earliest = null;
    SpanRow root = null;
    long end = Long.MIN_VALUE;
    int errors = 0;
    for (SpanRow row : spans) {
      if (earliest == null || BY_START.compare(row, earliest) < 0) {
        earliest = row;
      }
      if (row.isRoot() && (root == null || BY_START.compare(row, root) < 0)) {
        root = row;
      }
      end = Math.max(end, row.startEpochNanos() + row.durationNanos());
      if (row.isError()) {
        errors++;
      }
    }
    SpanRow head = root != null ? root : earliest;
    long start = earliest.startEpochNanos();
    return new TraceSummary(
        id, head.serviceName(), head.name(), start, end - start, spans.size(), errors);
  }

  @Override
  public List<String> serviceNames() {
    lock.readLock().lock();
    try {
      TreeSet<String> names = new TreeSet<>();
      traces.values().forEach(spans -> spans.forEach(row -> names.add(row.serviceName())));
      return List.copyOf(names);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<String> spanNames(String serviceName) {
    lock.readLock().lock();
    try {
      TreeSet<String> names = new TreeSet<>();
      for (List<SpanRow> spans : traces.values()) {
        for (SpanRow row : spans) {
          if (row.serviceName().equals(serviceName)) {
            names.add(row.name());
          }
        }
      }
      return List.copyOf(names);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<String> tagKeys(long startEpochNanos, long endEpochNanos) {
    TreeSet<String> keys = new TreeSet<>();
    forEachTag(startEpochNanos, endEpochNanos, (k, v) -> keys.add(k));
    return List.copyOf(keys);
  }

  @Override
  public List<String> tagValues(String key, long startEpochNanos, long endEpochNanos, int limit) {
    TreeSet<String> values = new TreeSet<>();
    forEachTag(
        startEpochNanos,
        endEpochNanos,
        (k, v) -> {
          if (k.equals(key)) {
            values.add(v);
          }
        });
    return values.stream().limit(Math.max(0, limit)).toList();
  }

  private void forEachTag(long start, long end, java.util.function.BiConsumer<String, String> f) {
    lock.readLock().lock();
    try {
      for (List<SpanRow> spans : traces.values()) {
        for (SpanRow row : spans) {
          if (row.startEpochNanos() >= start && row.startEpochNanos() < end) {
            for (String line : row.tags().split(String.valueOf(SpanTags.SEPARATOR))) {
              int eq = line.indexOf('=');
              if (eq > 0) {
                f.accept(line.substring(0, eq), line.substring(eq + 1));
              }
            }
          }
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<OperationStats> operationStats(
      String serviceName, boolean perOperation, long startEpochNanos, long endEpochNanos) {
    record Key(String service, String operation) {}
    Map<Key, List<SpanRow>> groups =
        new TreeMap<>(
            Comparator.comparing(Key::service)
                .thenComparing(Key::operation, Comparator.nullsFirst(Comparator.naturalOrder())));
    lock.readLock().lock();
    try {
      for (List<SpanRow> spans : traces.values()) {
        for (SpanRow row : spans) {
          boolean entry = row.isEntry() || row.isRoot();
          boolean inRange =
              row.startEpochNanos() >= startEpochNanos && row.startEpochNanos() < endEpochNanos;
          if (entry && inRange && (serviceName == null || serviceName.equals(row.serviceName()))) {
            Key key = new Key(row.serviceName(), perOperation ? row.name() : null);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
          }
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    List<OperationStats> out = new ArrayList<>();
    groups.forEach(
        (key, rows) -> {
          long[] durations = rows.stream().mapToLong(SpanRow::durationNanos).sorted().toArray();
          long errors = rows.stream().filter(SpanRow::isError).count();
          out.add(
              new OperationStats(
                  key.service(),
                  key.operation(),
                  rows.size(),
                  errors,
                  quantile(durations, 0.50),
                  quantile(durations, 0.95),
                  quantile(durations, 0.99)));
        });
    return List.copyOf(out);
  }

  /** Linear interpolation between closest ranks over sorted values; see the class comment. */
  static long quantile(long[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    double value = sorted[lo] + (pos - lo) * (double) (sorted[hi] - sorted[lo]);
    return Math.round(value);
  }

  @Override
  public long spanCount() {
    lock.readLock().lock();
    try {
      return spanCount;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long deleteSpansStartedBefore(long cutoffEpochNanos) {
    lock.writeLock().lock();
    try {
      long removed = 0;
      var it = traces.values().iterator();
      while (it.hasNext()) {
        List<SpanRow> spans = it.next();
        int before = spans.size();
        spans.removeIf(row -> row.startEpochNanos() < cutoffEpochNanos);
        removed += before - spans.size();
        if (spans.isEmpty()) {
          it.remove();
        }
      }
      spanCount -= removed;
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {}
}
