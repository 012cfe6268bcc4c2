package com.yumzoom.ops.query;

import com.yumzoom.ops.store.TraceQuery;
import com.yumzoom.ops.store.TraceSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a trace search asks for, whichever syntax it came in (logfmt tags or TraceQL), before it
 * becomes store queries.
 *
 * <p>Design: {@link TraceQuery} holds one exact value per condition. Grafana's search builder emits
 * {@code =~"a|b"} for multi-selects, so a condition here holds a list of alternatives and {@link
 * #toQueries} expands their product into several store queries whose results the caller merges; the
 * product is capped at {@value #MAX_QUERIES}. Conditions the store cannot evaluate (root service,
 * root name, trace duration) are kept as post-filters on the summaries. Repeating a condition
 * narrows it (TraceQL's {@code &&} on one span): alternatives intersect and duration bounds
 * tighten; when nothing can match, {@link #matchesNothing} is set so no query runs at all.
 *
 * @param services alternatives for the service name, empty for any
 * @param spanNames alternatives for the span name, empty for any
 * @param tags for each attribute key, its alternatives
 * @param minSpanNanos some span lasts at least this long
 * @param maxSpanNanos that same span lasts at most this long
 * @param errorsOnly that span has status error
 * @param rootServices post-filter: alternatives for the trace's root service, empty for any
 * @param rootNames post-filter: alternatives for the root span name, empty for any
 * @param minTraceNanos post-filter: the trace lasts at least this long
 * @param maxTraceNanos post-filter: the trace lasts at most this long
 * @param matchesNothing the conditions contradict each other
 */
record SearchFilter(
    List<String> services,
    List<String> spanNames,
    Map<String, List<String>> tags,
    long minSpanNanos,
    long maxSpanNanos,
    boolean errorsOnly,
    List<String> rootServices,
    List<String> rootNames,
    long minTraceNanos,
    long maxTraceNanos,
    boolean matchesNothing) {

  static final int MAX_QUERIES = 32;

  SearchFilter {
    services = List.copyOf(services);
    spanNames = List.copyOf(spanNames);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    tags.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    tags = Collections.unmodifiableMap(copy);
    rootServices = List.copyOf(rootServices);
    rootNames = List.copyOf(rootNames);
  }

  static Builder builder() {
    return new Builder();
  }

  boolean hasPostFilters() {
    return !rootServices.isEmpty()
        || !rootNames.isEmpty()
        || minTraceNanos > 0
        || maxTraceNanos != Long.MAX_VALUE;
  }

  boolean accepts(TraceSummary summary) {
    return (rootServices.isEmpty() || rootServices.contains(summary.rootServiceName()))
        && (rootNames.isEmpty() || rootNames.contains(summary.rootSpanName()))
        && summary.durationNanos() >= minTraceNanos
        && summary.durationNanos() <= maxTraceNanos;
  }

  /**
   * The store queries whose union answers this filter.
   *
   * @throws BadRequestException when the alternatives expand to more than {@value #MAX_QUERIES}
   */
  List<TraceQuery> toQueries(long startEpochNanos, long endEpochNanos, int limit) {
    long product = Math.max(1, services.size()) * (long) Math.max(1, spanNames.size());
    for (List<String> alternatives : tags.values()) {
      product *= alternatives.size();
      if (product > MAX_QUERIES) {
        break;
      }
    }
    if (product > MAX_QUERIES) {
      throw new BadRequestException(
          "the alternatives in this search expand to more than "
              + MAX_QUERIES
              + " store queries; select fewer values");
    }
    List<TraceQuery> out = new ArrayList<>((int) product);
    List<String> keys = new ArrayList<>(tags.keySet());
    for (String service : orAny(services)) {
      for (String spanName : orAny(spanNames)) {
        expandTags(
            keys,
            0,
            new LinkedHashMap<>(),
            service,
            spanName,
            out,
            startEpochNanos,
            endEpochNanos,
            limit);
      }
    }
    return out;
  }

  private void expandTags(
      List<String> keys,
      int index,
      Map<String, String> chosen,
      String service,
      String spanName,
      List<TraceQuery> out,
      long start,
      long end,
      int limit) {
    if (index == keys.size()) {
      out.add(
          new TraceQuery(
              service,
              spanName,
              chosen,
              minSpanNanos,
              maxSpanNanos,
              errorsOnly,
              start,
              end,
              limit));
      return;
    }
    String key = keys.get(index);
    for (String value : tags.get(key)) {
      chosen.put(key, value);
      expandTags(keys, index + 1, chosen, service, spanName, out, start, end, limit);
    }
    chosen.remove(key);
  }

  /** A list holding one null (any value) when there are no alternatives. */
  private static List<String> orAny(List<String> alternatives) {
    if (alternatives.isEmpty()) {
      List<String> any = new ArrayList<>(1);
      any.add(null);
      return any;
    }
    return alternatives;
  }

  enum Comparison {
    EQ("="),
    GT(">"),
    GE(">="),
    LT("<"),
    LE("<=");

    final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }
  }

  static final class Builder {
    private Set<String> services;
    private Set<String> spanNames;
    private final Map<String, Set<String>> tags = new LinkedHashMap<>();
    private long minSpan = 0;
    private long maxSpan = Long.MAX_VALUE;
    private boolean errorsOnly;
    private Set<String> rootServices;
    private Set<String> rootNames;
    private long minTrace = 0;
    private long maxTrace = Long.MAX_VALUE;
    private boolean nothing;

    private Builder() {}

    Builder service(List<String> alternatives) {
      services = narrow(services, alternatives);
      return this;
    }

    Builder spanName(List<String> alternatives) {
      spanNames = narrow(spanNames, alternatives);
      return this;
    }

    Builder tag(String key, List<String> alternatives) {
      tags.put(key, narrow(tags.get(key), alternatives));
      return this;
    }

    Builder rootService(List<String> alternatives) {
      rootServices = narrow(rootServices, alternatives);
      return this;
    }

    Builder rootName(List<String> alternatives) {
      rootNames = narrow(rootNames, alternatives);
      return this;
    }

    Builder errorsOnly() {
      errorsOnly = true;
      return this;
    }

    Builder spanDuration(Comparison op, long nanos) {
      long[] bounds = tighten(minSpan, maxSpan, op, nanos);
      minSpan = bounds[0];
      maxSpan = bounds[1];
      return this;
    }

    Builder traceDuration(Comparison op, long nanos) {
      long[] bounds = tighten(minTrace, maxTrace, op, nanos);
      minTrace = bounds[0];
      maxTrace = bounds[1];
      return this;
    }

    SearchFilter build() {
      boolean contradiction =
          nothing
              || minSpan > maxSpan
              || minTrace > maxTrace
              || isEmpty(services)
              || isEmpty(spanNames)
              || isEmpty(rootServices)
              || isEmpty(rootNames)
              || tags.values().stream().anyMatch(Set::isEmpty);
      Map<String, List<String>> tagLists = new LinkedHashMap<>();
      tags.forEach((k, v) -> tagLists.put(k, List.copyOf(v)));
      return new SearchFilter(
          list(services),
          list(spanNames),
          tagLists,
          minSpan,
          maxSpan,
          errorsOnly,
          list(rootServices),
          list(rootNames),
          minTrace,
          maxTrace,
          contradiction);
    }

    private static Set<String> narrow(Set<String> current, List<String> alternatives) {
      Set<String> next = new LinkedHashSet<>(alternatives);
      if (current != null) {
        next.retainAll(current);
      }
      return next;
    }

    private static boolean isEmpty(Set<String> set) {
      return set != null && set.isEmpty();
    }

    private static List<String> list(Set<String> set) {
      return set == null ? List.of() : List.copyOf(set);
    }

    private long[] tighten(long min, long max, Comparison op, long nanos) {
      if (nanos < 0) {
        throw new IllegalArgumentException("durations are never negative, got " + nanos + "ns");
      }
      if (op == Comparison.GT && nanos == Long.MAX_VALUE) {
        nothing = true;
        return new long[] {min, max};
      }
      switch (op) {
        case EQ -> {
          min = Math.max(min, nanos);
          max = Math.min(max, nanos);
        }
        case GT -> min = Math.max(min, nanos + 1);
        case GE -> min = Math.max(min, nanos);
        case LT -> max = Math.min(max, nanos - 1);
        case LE -> max = Math.min(max, nanos);
      }
      return new long[] {min, max};
    }
  }
}
