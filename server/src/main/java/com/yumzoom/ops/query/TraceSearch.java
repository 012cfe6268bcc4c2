package com.yumzoom.ops.query;

import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.TraceQuery;
import com.yumzoom.ops.store.TraceSummary;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link SearchRequest} against the store: one store query per combination of alternatives,
 * results merged by trace id, post-filters applied, newest first.
 *
 * <p>When post-filters (root service or name, trace duration) are present the store is asked for
 * more traces than the limit ({@value #OVERFETCH_FACTOR}x, between {@value #MIN_OVERFETCH} and
 * {@value #MAX_OVERFETCH}) so that filtering still fills the page in the common case; a very
 * selective post-filter can return fewer traces than exist, which is the price of not scanning.
 */
final class TraceSearch {

  static final int OVERFETCH_FACTOR = 5;
  static final int MIN_OVERFETCH = 100;
  static final int MAX_OVERFETCH = 5000;

  private static final Comparator<TraceSummary> NEWEST_FIRST =
      Comparator.comparingLong(TraceSummary::startEpochNanos)
          .reversed()
          .thenComparing(s -> s.traceId().toHex());

  record Result(List<TraceSummary> traces, int inspectedTraces) {}

  private TraceSearch() {}

  static Result run(SpanStore store, SearchRequest request) {
    SearchFilter filter = request.filter();
    if (filter.matchesNothing()) {
      return new Result(List.of(), 0);
    }
    int limit = request.limit();
    int fetch =
        filter.hasPostFilters()
            ? Math.min(Math.max(limit * OVERFETCH_FACTOR, MIN_OVERFETCH), MAX_OVERFETCH)
            : limit;
    List<TraceQuery> queries =
        filter.toQueries(request.range().startNanos(), request.range().endNanos(), fetch);
    Map<TraceId, TraceSummary> merged = new LinkedHashMap<>();
    for (TraceQuery query : queries) {
      for (TraceSummary summary : store.search(query)) {
        merged.putIfAbsent(summary.traceId(), summary);
      }
    }
    List<TraceSummary> traces =
        merged.values().stream().filter(filter::accepts).sorted(NEWEST_FIRST).limit(limit).toList();
    return new Result(traces, merged.size());
  }
}
