package com.yumzoom.ops.query;

import com.yumzoom.ops.store.OperationStats;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.SpanTags;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.TraceQuery;
import com.yumzoom.ops.store.TraceSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A list-backed {@link SpanStore} honouring the SPI contract, small enough to be obviously right.
 * It records the queries it received and whether every call ran on a virtual thread.
 */
final class FakeSpanStore implements SpanStore {

  private final List<SpanRow> rows = new CopyOnWriteArrayList<>();
  final List<TraceQuery> searches = new CopyOnWriteArrayList<>();
  final AtomicInteger callsOffVirtualThreads = new AtomicInteger();

  void add(List<SpanRow> spans) {
    rows.addAll(spans);
  }

  private void record() {
    if (!Thread.currentThread().isVirtual()) {
      callsOffVirtualThreads.incrementAndGet();
    }
  }

  @Override
  public List<SpanRow> trace(TraceId traceId) {
    record();
    return rowsOf(traceId);
  }

  /** What {@link #trace} answers, for a test's expectations; not recorded as a store call. */
  List<SpanRow> rowsOf(TraceId traceId) {
    return rows.stream()
        .filter(r -> r.traceId().equals(traceId))
        .sorted(Comparator.comparingLong(SpanRow::startEpochNanos))
        .toList();
  }

  @Override
  public List<TraceSummary> search(TraceQuery q) {
    record();
    searches.add(q);
    Map<TraceId, List<SpanRow>> byTrace = new LinkedHashMap<>();
    for (SpanRow r : rows) {
      byTrace.computeIfAbsent(r.traceId(), k -> new ArrayList<>()).add(r);
    }
    List<TraceSummary> out = new ArrayList<>();
    for (List<SpanRow> trace : byTrace.values()) {
      if (trace.stream().anyMatch(r -> matches(q, r))) {
        out.add(summary(trace));
      }
    }
    out.sort(Comparator.comparingLong(TraceSummary::startEpochNanos).reversed());
    return out.stream().limit(q.limit()).toList();
  }

  private static boolean matches(TraceQuery q, SpanRow r) {
    return r.startEpochNanos() >= q.startEpochNanos()
        && r.startEpochNanos() < q.endEpochNanos()
        && (q.serviceName() == null || q.serviceName().equals(r.serviceName()))
        && (q.spanName() == null || q.spanName().equals(r.name()))
        && q.tags().entrySet().stream()
            .allMatch(e -> SpanTags.matches(r.tags(), e.getKey(), e.getValue()))
        && r.durationNanos() >= q.minDurationNanos()
        && r.durationNanos() <= q.maxDurationNanos()
        && (!q.errorsOnly() || r.isError());
  }

  private static TraceSummary summary(List<SpanRow> trace) {
    List<SpanRow> sorted =
        trace.stream().sorted(Comparator.comparingLong(SpanRow::startEpochNanos)).toList();
    SpanRow root = sorted.stream().filter(SpanRow::isRoot).findFirst().orElse(sorted.get(0));
    long start = sorted.get(0).startEpochNanos();
    long end =
        sorted.stream().mapToLong(r -> r.startEpochNanos() + r.durationNanos()).max().orElse(start);
    int errors = (int) sorted.stream().filter(SpanRow::isError).count();
    return new TraceSummary(
        root.traceId(), root.serviceName(), root.name(), start, end - start, sorted.size(), errors);
  }

  @Override
  public List<String> serviceNames() {
    record();
    return rows.stream().map(SpanRow::serviceName).distinct().sorted().toList();
  }

  @Override
  public List<String> spanNames(String serviceName) {
    record();
    return rows.stream()
        .filter(r -> r.serviceName().equals(serviceName))
        .map(SpanRow::name)
        .distinct()
        .sorted()
        .toList();
  }

  @Override
  public List<String> tagKeys(long startEpochNanos, long endEpochNanos) {
    record();
    TreeSet<String> keys = new TreeSet<>();
    for (SpanRow r : inRange(startEpochNanos, endEpochNanos)) {
      for (String line : r.tags().split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          keys.add(line.substring(0, eq));
        }
      }
    }
    return List.copyOf(keys);
  }

  @Override
  public List<String> tagValues(String key, long startEpochNanos, long endEpochNanos, int limit) {
    record();
    TreeSet<String> values = new TreeSet<>();
    String prefix = key + "=";
    for (SpanRow r : inRange(startEpochNanos, endEpochNanos)) {
      for (String line : r.tags().split("\n")) {
        if (line.startsWith(prefix)) {
          values.add(line.substring(prefix.length()));
        }
      }
    }
    return values.stream().limit(limit).toList();
  }

  @Override
  public List<OperationStats> operationStats(
      String serviceName, boolean perOperation, long startEpochNanos, long endEpochNanos) {
    record();
    Map<List<String>, List<SpanRow>> groups =
        new TreeMap<>(
            Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1) == null ? "" : k.get(1)));
    for (SpanRow r : inRange(startEpochNanos, endEpochNanos)) {
      if (!(r.isEntry() || r.isRoot())) {
        continue;
      }
      if (serviceName != null && !serviceName.equals(r.serviceName())) {
        continue;
      }
      List<String> key = new ArrayList<>(2);
      key.add(r.serviceName());
      key.add(perOperation ? r.name() : null);
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    List<OperationStats> out = new ArrayList<>();
    groups.forEach(
        (key, group) -> {
          long[] durations = group.stream().mapToLong(SpanRow::durationNanos).sorted().toArray();
          long errors = group.stream().filter(SpanRow::isError).count();
          out.add(
              new OperationStats(
                  key.get(0),
                  key.get(1),
                  group.size(),
                  errors,
                  percentile(durations, 0.50),
                  percentile(durations, 0.95),
                  percentile(durations, 0.99)));
        });
    return out;
  }

  /** Nearest rank. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  @Override
  public long spanCount() {
    record();
    return rows.size();
  }

  private List<SpanRow> inRange(long start, long end) {
    return rows.stream()
        .filter(r -> r.startEpochNanos() >= start && r.startEpochNanos() < end)
        .toList();
  }
}
