package com.yumzoom.ops.store;

import static com.yumzoom.ops.store.TestSpans.BASE;
import static com.yumzoom.ops.store.TestSpans.DAY;
import static com.yumzoom.ops.store.TestSpans.HOUR;
import static com.yumzoom.ops.store.TestSpans.MS;
import static com.yumzoom.ops.store.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every storage backend must do, in the manner of Zipkin's {@code ITSpanStore}: a backend's
 * test subclasses this in a few lines. One storage serves the whole class; each test writes into
 * its own time window (days apart) with its own trace ids and names, so tests do not see each
 * other's data and may run in any order.
 *
 * <p>Rules a backend may rely on: time ranges given to {@code tagKeys}/{@code tagValues} may be
 * widened to whole hours (the tests use hour-aligned ranges); everything else is exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SpanStoreContract {

  private static final AtomicLong TRACES = new AtomicLong(1_000);
  private static final AtomicInteger WINDOWS = new AtomicInteger();

  protected Path dir;

  protected StorageComponent storage;

  /**
   * A new storage keeping its files under {@code dir}; called again with the same dir to reopen.
   */
  protected abstract StorageComponent newStorage(Path dir);

  /** Whether data survive {@code close()} and {@code newStorage} on the same directory. */
  protected boolean supportsReopen() {
    return true;
  }

  @BeforeAll
  void openStorage(@TempDir Path tempDir) {
    dir = tempDir;
    storage = newStorage(dir.resolve("data"));
  }

  @AfterAll
  void closeStorage() {
    if (storage != null) {
      storage.close();
    }
  }

  protected SpanStore store() {
    return storage.spanStore();
  }

  protected void write(List<SpanRow> spans) {
    storage.spanConsumer().accept(spans);
  }

  protected void write(SpanRow... spans) {
    write(List.of(spans));
  }

  /** The start of a fresh, day-aligned window ten days wide that no other test uses. */
  protected static long window() {
    return BASE + WINDOWS.incrementAndGet() * 10 * DAY;
  }

  protected static TraceId newTrace() {
    return TestSpans.traceId(TRACES.incrementAndGet());
  }

  private static TraceQuery query(String service, long start, long end) {
    return new TraceQuery(service, null, Map.of(), 0, Long.MAX_VALUE, false, start, end, 100);
  }

  // ---- write and read back -------------------------------------------------------------------

  @Test
  void traceRoundTripKeepsEveryFieldAndTheExactBytes() throws Exception {
    long t = window();
    TraceId id = newTrace();
    SpanRow root =
        span(id, 11)
            .service("rt-frontend")
            .name("GET /orders")
            .start(t)
            .duration(50 * MS)
            .attr("http.request.method", "GET")
            .attr("note", "line\nbreak")
            .resourceAttr("host.name", "web-1")
            .build();
    SpanRow child =
        span(id, 12)
            .parent(11)
            .service("rt-orders")
            .name("SELECT orders")
            .kind(3)
            .start(t + 5 * MS)
            .duration(20 * MS)
            .error()
            .attr("db.system", "postgresql")
            .build();
    SpanRow internal =
        span(id, 13).parent(12).service("rt-orders").name("map").kind(1).start(t + 5 * MS).build();
    write(child, internal, root);

    List<SpanRow> trace = store().trace(id);

    assertSameRows(trace, List.of(root, child, internal));
    assertThat(Span.parseFrom(trace.get(1).span()).getName()).isEqualTo("SELECT orders");
    assertThat(
            ResourceSpans.parseFrom(trace.getFirst().envelope()).getResource().getAttributesList())
        .anySatisfy(kv -> assertThat(kv.getKey()).isEqualTo("host.name"));
  }

  @Test
  void spansOfOneTraceArrivingInSeveralBatchesAreAssembled() {
    long t = window();
    TraceId id = newTrace();
    TraceId other = newTrace();
    SpanRow c1 = span(id, 2).parent(1).service("ab-b").name("child-1").start(t + MS).build();
    SpanRow root = span(id, 1).service("ab-a").name("root").start(t).duration(10 * MS).build();
    SpanRow c2 =
        span(id, 3)
            .parent(1)
            .service("ab-c")
            .name("child-2")
            .start(t + 2 * MS)
            .duration(30 * MS)
            .error()
            .build();
    write(c1, span(other, 9).service("ab-z").start(t + HOUR).build());
    write(root);
    write(c2);

    assertSameRows(store().trace(id), List.of(root, c1, c2));
    assertThat(store().search(query("ab-b", t, t + DAY)))
        .containsExactly(new TraceSummary(id, "ab-a", "root", t, 32 * MS, 3, 1));
  }

  @Test
  void unknownThingsGiveEmptyResults() {
    long t = window();
    assertThat(store().trace(newTrace())).isEmpty();
    assertThat(store().search(query(null, t, t + DAY))).isEmpty();
    assertThat(store().search(query("no-such-service", BASE, t + DAY))).isEmpty();
    assertThat(store().spanNames("no-such-service")).isEmpty();
    assertThat(store().tagKeys(t, t + DAY)).isEmpty();
    assertThat(store().tagValues("no.such.key", BASE, t + DAY, 10)).isEmpty();
    assertThat(store().operationStats(null, false, t, t + DAY)).isEmpty();
    assertThat(store().operationStats("no-such-service", true, BASE, t + DAY)).isEmpty();
    long before = store().spanCount();
    write(List.of());
    assertThat(store().spanCount()).isEqualTo(before);
  }

  @Test
  void spanCountGrowsWithEachSpan() {
    long t = window();
    long before = store().spanCount();
    TraceId id = newTrace();
    write(span(id, 1).start(t).build(), span(id, 2).parent(1).start(t).build());
    write(span(newTrace(), 1).start(t).build());
    assertThat(store().spanCount()).isEqualTo(before + 3);
  }

  // ---- search --------------------------------------------------------------------------------

  @Test
  void searchByServiceAndSpanName() {
    long t = window();
    TraceId a = newTrace();
    TraceId b = newTrace();
    write(
        span(a, 1).service("sn-web").name("GET /a").start(t).build(),
        span(a, 2).parent(1).service("sn-db").name("query").start(t + MS).build(),
        span(b, 1).service("sn-web").name("GET /b").start(t + HOUR).build());

    assertThat(ids(store().search(query("sn-web", t, t + DAY)))).containsExactly(b, a);
    assertThat(ids(store().search(query("sn-db", t, t + DAY)))).containsExactly(a);
    assertThat(ids(store().search(query("sn-nothing", t, t + DAY)))).isEmpty();
    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            "sn-web",
                            "GET /b",
                            Map.of(),
                            0,
                            Long.MAX_VALUE,
                            false,
                            t,
                            t + DAY,
                            10))))
        .containsExactly(b);
    // the name must belong to a span of that service
    assertThat(
            store()
                .search(
                    new TraceQuery(
                        "sn-web", "query", Map.of(), 0, Long.MAX_VALUE, false, t, t + DAY, 10)))
        .isEmpty();
    // any service: the name alone
    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            null, "query", Map.of(), 0, Long.MAX_VALUE, false, t, t + DAY, 10))))
        .containsExactly(a);
  }

  @Test
  void searchByTagsMatchesSpanAndResourceAttributesExactlyAndOnOneSpan() {
    long t = window();
    TraceId a = newTrace();
    TraceId b = newTrace();
    TraceId c = newTrace();
    write(
        span(a, 1)
            .service("tg-api")
            .start(t)
            .attr("http.request.method", "GET")
            .attr("http.route", "/orders")
            .resourceAttr("deployment.environment", "prod")
            .build(),
        span(b, 1)
            .service("tg-api")
            .start(t + MS)
            .attr("http.request.method", "GETX")
            .attr("equation", "a=b")
            .resourceAttr("deployment.environment", "staging")
            .build(),
        // c has both attributes, but on different spans
        span(c, 1).service("tg-api").start(t + 2 * MS).attr("http.request.method", "GET").build(),
        span(c, 2)
            .parent(1)
            .service("tg-api")
            .start(t + 3 * MS)
            .attr("http.route", "/orders")
            .build());

    assertThat(ids(search(t, Map.of("http.request.method", "GET")))).containsExactly(c, a);
    assertThat(ids(search(t, Map.of("http.request.method", "GETX")))).containsExactly(b);
    assertThat(ids(search(t, Map.of("http.request.method", "GE")))).isEmpty();
    assertThat(ids(search(t, Map.of("deployment.environment", "prod")))).containsExactly(a);
    assertThat(ids(search(t, Map.of("service.name", "tg-api")))).containsExactly(c, b, a);
    assertThat(ids(search(t, Map.of("equation", "a=b")))).containsExactly(b);
    assertThat(
            ids(
                search(
                    t,
                    Map.of(
                        "http.request.method", "GET",
                        "http.route", "/orders",
                        "deployment.environment", "prod"))))
        .containsExactly(a);
    assertThat(ids(search(t, Map.of("http.request.method", "GET", "http.route", "/orders"))))
        .containsExactly(a);
    // a line break in a value is stored as a space, and searched the same way
    TraceId d = newTrace();
    write(span(d, 1).service("tg-api").start(t + 4 * MS).attr("msg", "two\nlines").build());
    assertThat(ids(search(t, Map.of("msg", "two\nlines")))).containsExactly(d);
  }

  private List<TraceSummary> search(long t, Map<String, String> tags) {
    return store()
        .search(new TraceQuery(null, null, tags, 0, Long.MAX_VALUE, false, t, t + DAY, 10));
  }

  @Test
  void searchByDurationBoundsIsInclusive() {
    long t = window();
    TraceId fast = newTrace();
    TraceId medium = newTrace();
    TraceId slow = newTrace();
    write(
        span(fast, 1).service("du").start(t).duration(10 * MS).build(),
        span(medium, 1).service("du").start(t + 1).duration(100 * MS).build(),
        span(slow, 1).service("du").start(t + 2).duration(1000 * MS).build());

    assertThat(ids(byDuration(t, 100 * MS, Long.MAX_VALUE))).containsExactly(slow, medium);
    assertThat(ids(byDuration(t, 0, 100 * MS))).containsExactly(medium, fast);
    assertThat(ids(byDuration(t, 100 * MS, 100 * MS))).containsExactly(medium);
    assertThat(ids(byDuration(t, 11 * MS, 99 * MS))).isEmpty();
  }

  private List<TraceSummary> byDuration(long t, long min, long max) {
    return store().search(new TraceQuery("du", null, Map.of(), min, max, false, t, t + DAY, 10));
  }

  @Test
  void searchErrorsOnlyNeedsTheMatchingSpanToFail() {
    long t = window();
    TraceId ok = newTrace();
    TraceId failed = newTrace();
    TraceId failedElsewhere = newTrace();
    write(
        span(ok, 1).service("er-a").start(t).status(1).build(),
        span(failed, 1).service("er-a").start(t + 1).error().build(),
        span(failedElsewhere, 1).service("er-a").start(t + 2).build(),
        span(failedElsewhere, 2).parent(1).service("er-b").start(t + 3).error().build());

    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            "er-a", null, Map.of(), 0, Long.MAX_VALUE, true, t, t + DAY, 10))))
        .containsExactly(failed);
    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            null, null, Map.of(), 0, Long.MAX_VALUE, true, t, t + DAY, 10))))
        .containsExactly(failedElsewhere, failed);
  }

  @Test
  void searchTimeRangeIncludesStartAndExcludesEnd() {
    long t = window();
    TraceId atStart = newTrace();
    TraceId atEnd = newTrace();
    TraceId before = newTrace();
    write(
        span(atStart, 1).service("tr").start(t + HOUR).build(),
        span(atEnd, 1).service("tr").start(t + 2 * HOUR).build(),
        span(before, 1).service("tr").start(t + HOUR - 1).build());

    assertThat(ids(store().search(query("tr", t + HOUR, t + 2 * HOUR)))).containsExactly(atStart);
    assertThat(ids(store().search(query("tr", t, t + 2 * HOUR + 1))))
        .containsExactly(atEnd, atStart, before);
    assertThat(store().search(query("tr", t + HOUR + 1, t + 2 * HOUR))).isEmpty();
  }

  @Test
  void searchReturnsTheNewestTracesFirstUpToTheLimit() {
    long t = window();
    List<TraceId> traces = new ArrayList<>();
    List<SpanRow> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      TraceId id = newTrace();
      traces.add(id);
      rows.add(span(id, 1).service("lim").start(t + i * 60_000 * MS).build());
    }
    write(List.of(rows.get(3), rows.get(0), rows.get(5)));
    write(List.of(rows.get(1), rows.get(4), rows.get(2)));

    List<TraceSummary> three =
        store()
            .search(new TraceQuery("lim", null, Map.of(), 0, Long.MAX_VALUE, false, t, t + DAY, 3));
    assertThat(ids(three)).containsExactly(traces.get(5), traces.get(4), traces.get(3));
    assertThat(ids(store().search(query("lim", t, t + DAY))))
        .containsExactly(
            traces.get(5),
            traces.get(4),
            traces.get(3),
            traces.get(2),
            traces.get(1),
            traces.get(0));
  }

  @Test
  void searchRanksTracesByTheirLatestMatchingSpan() {
    long t = window();
    TraceId early = newTrace(); // starts first, but matches again later
    TraceId middle = newTrace();
    TraceId old = newTrace();
    write(
        span(old, 1).service("rk").start(t).build(),
        span(early, 1).service("rk").start(t + HOUR).build(),
        span(middle, 1).service("rk").start(t + 2 * HOUR).build(),
        span(early, 2).parent(1).service("rk").start(t + 3 * HOUR).build());

    // the two newest by latest match, then listed by trace start
    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            "rk", null, Map.of(), 0, Long.MAX_VALUE, false, t, t + DAY, 2))))
        .containsExactly(middle, early);
    // a long range is searched slice by slice from its end: the result is the same
    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            "rk",
                            null,
                            Map.of(),
                            0,
                            Long.MAX_VALUE,
                            false,
                            t - 1000 * DAY,
                            t + 9 * DAY,
                            2))))
        .containsExactly(middle, early);
    assertThat(
            ids(
                store()
                    .search(
                        new TraceQuery(
                            "rk",
                            null,
                            Map.of(),
                            0,
                            Long.MAX_VALUE,
                            false,
                            Long.MIN_VALUE,
                            Long.MAX_VALUE,
                            3))))
        .containsExactly(middle, early, old);
  }

  @Test
  void summaryUsesTheRootOrElseTheEarliestSpan() {
    long t = window();
    TraceId rooted = newTrace();
    TraceId headless = newTrace();
    write(
        // the root starts after a clock-skewed child, and a late child ends last
        span(rooted, 1)
            .service("sm-gw")
            .name("POST /pay")
            .start(t + 10 * MS)
            .duration(50 * MS)
            .build(),
        span(rooted, 2)
            .parent(1)
            .service("sm-pay")
            .name("charge")
            .start(t)
            .duration(5 * MS)
            .error()
            .build(),
        span(rooted, 3)
            .parent(1)
            .service("sm-pay")
            .name("notify")
            .start(t + 40 * MS)
            .duration(70 * MS)
            .error()
            .build(),
        // no root arrived: the earliest span stands in
        span(headless, 7)
            .parent(99)
            .service("sm-worker")
            .name("consume")
            .kind(5)
            .start(t + HOUR)
            .duration(3 * MS)
            .build(),
        span(headless, 8)
            .parent(7)
            .service("sm-db")
            .name("insert")
            .kind(3)
            .start(t + HOUR + MS)
            .duration(MS)
            .build());

    assertThat(store().search(query(null, t, t + DAY)))
        .containsExactly(
            new TraceSummary(headless, "sm-worker", "consume", t + HOUR, 3 * MS, 2, 0),
            new TraceSummary(rooted, "sm-gw", "POST /pay", t, 110 * MS, 3, 2));
  }

  // ---- names and tags ------------------------------------------------------------------------

  @Test
  void serviceAndSpanNamesAreListedSorted() {
    long t = window();
    TraceId id = newTrace();
    write(
        span(id, 1).service("nm-zeta").name("b-op").start(t).build(),
        span(id, 2).parent(1).service("nm-alpha").name("x").start(t).build(),
        span(id, 3).parent(1).service("nm-zeta").name("a-op").start(t).build());
    write(span(newTrace(), 1).service("nm-zeta").name("b-op").start(t + DAY).build());

    assertThat(store().serviceNames()).contains("nm-alpha", "nm-zeta").isSorted();
    assertThat(store().spanNames("nm-zeta")).containsExactly("a-op", "b-op");
    assertThat(store().spanNames("nm-alpha")).containsExactly("x");
  }

  @Test
  void tagKeysAndValuesFollowTheTimeRange() {
    long t = window();
    write(
        span(newTrace(), 1)
            .service("tk")
            .start(t + 30 * MS)
            .attr("tk.color", "red")
            .attr("tk.size", "L")
            .resourceAttr("tk.zone", "z1")
            .build(),
        span(newTrace(), 1).service("tk").start(t + HOUR / 2).attr("tk.color", "blue").build(),
        span(newTrace(), 1)
            .service("tk")
            .start(t + 5 * HOUR)
            .attr("tk.color", "green")
            .attr("tk.late", "yes")
            .build());

    assertThat(store().tagKeys(t, t + HOUR))
        .containsExactly("service.name", "tk.color", "tk.size", "tk.zone");
    assertThat(store().tagKeys(t + 5 * HOUR, t + 6 * HOUR))
        .containsExactly("service.name", "tk.color", "tk.late");
    assertThat(store().tagKeys(t + HOUR, t + 5 * HOUR)).isEmpty();
    assertThat(store().tagValues("tk.color", t, t + DAY, 10))
        .containsExactly("blue", "green", "red");
    assertThat(store().tagValues("tk.color", t, t + DAY, 2)).containsExactly("blue", "green");
    assertThat(store().tagValues("tk.color", t, t + HOUR, 10)).containsExactly("blue", "red");
    assertThat(store().tagValues("tk.zone", t, t + DAY, 10)).containsExactly("z1");
    assertThat(store().tagValues("service.name", t, t + DAY, 10)).containsExactly("tk");
    assertThat(store().tagValues("tk.color", t + 6 * HOUR, t + DAY, 10)).isEmpty();
  }

  @Test
  void manyDistinctTagValuesAreListedUpToTheLimit() {
    long t = window();
    List<SpanRow> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(
          span(newTrace(), 1)
              .service("tv")
              .start(t + i)
              .attr("tv.id", "id-%03d".formatted(i))
              .build());
    }
    write(rows);
    assertThat(store().tagValues("tv.id", t, t + HOUR, 1000)).hasSize(300).isSorted();
    assertThat(store().tagValues("tv.id", t, t + HOUR, 5))
        .containsExactly("id-000", "id-001", "id-002", "id-003", "id-004");
  }

  // ---- RED figures -------------------------------------------------------------------------

  @Test
  void operationStatsCountEntrySpansAndInterpolatePercentiles() {
    long t = window();
    List<SpanRow> rows = new ArrayList<>();
    // ten server spans of "GET /a" lasting 1..10 ms, the 10 ms one failed
    for (int i = 1; i <= 10; i++) {
      TraceId id = newTrace();
      var root = span(id, 1).service("st-api").name("GET /a").start(t + i * MS).duration(i * MS);
      rows.add((i == 10 ? root.error() : root).build());
      // not entries: a client call and an internal step inside the request
      rows.add(
          span(id, 2)
              .parent(1)
              .service("st-api")
              .name("call db")
              .kind(3)
              .start(t + i * MS)
              .duration(999 * MS)
              .error()
              .build());
      rows.add(
          span(id, 3)
              .parent(1)
              .service("st-api")
              .name("work")
              .kind(1)
              .start(t + i * MS)
              .duration(999 * MS)
              .build());
    }
    // a consumer span (entry although it has a parent) and a root of internal kind (entry)
    rows.add(
        span(newTrace(), 5)
            .parent(4)
            .service("st-api")
            .name("consume")
            .kind(5)
            .start(t)
            .duration(20 * MS)
            .error()
            .build());
    rows.add(
        span(newTrace(), 1)
            .service("st-api")
            .name("cron")
            .kind(1)
            .start(t)
            .duration(40 * MS)
            .build());
    // another service, and a span outside the range
    rows.add(
        span(newTrace(), 1).service("st-other").name("GET /b").start(t).duration(7 * MS).build());
    rows.add(
        span(newTrace(), 1)
            .service("st-api")
            .name("GET /a")
            .start(t + 2 * DAY)
            .duration(1)
            .build());
    write(rows);

    // sorted 1..10 ms: p50 at rank 4.5 -> 5.5 ms; p95 at 8.55 -> 9.55 ms; p99 at 8.91 -> 9.91 ms
    OperationStats getA =
        new OperationStats("st-api", "GET /a", 10, 1, 5_500_000, 9_550_000, 9_910_000);
    OperationStats consume =
        new OperationStats("st-api", "consume", 1, 1, 20 * MS, 20 * MS, 20 * MS);
    OperationStats cron = new OperationStats("st-api", "cron", 1, 0, 40 * MS, 40 * MS, 40 * MS);
    assertThat(store().operationStats("st-api", true, t, t + DAY))
        .containsExactly(getA, consume, cron);
    // whole service: 1..10, 20, 40 ms -> p50 at rank 5.5 -> 6.5 ms; p95 at 10.45 -> 20 + 0.45*20
    // = 29 ms; p99 at 10.89 -> 20 + 0.89*20 = 37.8 ms
    assertThat(store().operationStats("st-api", false, t, t + DAY))
        .containsExactly(new OperationStats("st-api", null, 12, 2, 6_500_000, 29 * MS, 37_800_000));
    assertThat(store().operationStats(null, false, t, t + DAY))
        .containsExactly(
            new OperationStats("st-api", null, 12, 2, 6_500_000, 29 * MS, 37_800_000),
            new OperationStats("st-other", null, 1, 0, 7 * MS, 7 * MS, 7 * MS));
    assertThat(store().operationStats("st-api", true, t + 2 * DAY, t + 3 * DAY))
        .containsExactly(new OperationStats("st-api", "GET /a", 1, 0, 1, 1, 1));
  }

  @Test
  void percentilesRoundToTheNearestNanosecond() {
    long t = window();
    write(
        span(newTrace(), 1).service("pr").name("op").start(t).duration(1).build(),
        span(newTrace(), 1).service("pr").name("op").start(t).duration(2).build());
    // p50 = 1.5 -> 2; p95 = 1.95 -> 2; p99 = 1.99 -> 2
    assertThat(store().operationStats("pr", true, t, t + DAY))
        .containsExactly(new OperationStats("pr", "op", 2, 0, 2, 2, 2));
  }

  // ---- retention ---------------------------------------------------------------------------

  @Test
  void deleteSpansStartedBeforeRemovesOnlyOlderSpans() {
    long old = BASE - 1000 * DAY;
    TraceId gone = newTrace();
    TraceId split = newTrace();
    TraceId kept = newTrace();
    write(
        span(gone, 1).service("rd-old").name("old-op").start(old).attr("rd.key", "old").build(),
        span(gone, 2).parent(1).service("rd-old").name("old-op").start(old + HOUR).build(),
        span(split, 1).service("rd-both").start(old + 2 * HOUR).build(),
        span(split, 2).parent(1).service("rd-both").start(old + 2 * DAY).build(),
        span(kept, 1).service("rd-both").start(old + 3 * DAY).attr("rd.key", "new").build());
    long cutoff = old + DAY;
    TraceId edge = newTrace();
    write(
        span(edge, 1).service("rd-both").start(cutoff - 1).build(),
        span(edge, 2).parent(1).service("rd-both").start(cutoff).build());
    long before = store().spanCount();

    assertThat(storage.deleteSpansStartedBefore(cutoff)).isEqualTo(4);

    assertThat(store().spanCount()).isEqualTo(before - 4);
    assertThat(store().trace(edge)).extracting(SpanRow::startEpochNanos).containsExactly(cutoff);
    assertThat(store().trace(gone)).isEmpty();
    assertThat(store().trace(split)).extracting(SpanRow::spanId).containsExactly(2L);
    assertThat(store().trace(kept)).hasSize(1);
    assertThat(store().serviceNames()).doesNotContain("rd-old").contains("rd-both");
    assertThat(store().spanNames("rd-old")).isEmpty();
    assertThat(store().tagValues("rd.key", old, old + 10 * DAY, 10)).containsExactly("new");
    assertThat(store().search(query("rd-old", old, old + 10 * DAY))).isEmpty();
    assertThat(storage.deleteSpansStartedBefore(cutoff)).isZero();

    // writing the deleted names again records them again
    write(span(newTrace(), 1).service("rd-old").name("old-op").start(old + 4 * DAY).build());
    assertThat(store().spanNames("rd-old")).containsExactly("old-op");
  }

  // ---- concurrency and durability ------------------------------------------------------------

  @Test
  void readersSeeWholeBatchesWhileTheWriterWrites() throws Exception {
    long t = window();
    int batches = 40;
    int tracesPerBatch = 10;
    int spansPerTrace = 5;
    List<List<SpanRow>> work = new ArrayList<>();
    List<TraceId> ids = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<SpanRow> batch = new ArrayList<>();
      for (int i = 0; i < tracesPerBatch; i++) {
        TraceId id = newTrace();
        ids.add(id);
        for (int s = 1; s <= spansPerTrace; s++) {
          batch.add(
              span(id, s)
                  .parent(s - 1)
                  .service("cc")
                  .name("op-" + s)
                  .start(t + b * MS + s)
                  .build());
        }
      }
      work.add(batch);
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      Future<?> writer =
          pool.submit(
              () -> {
                try {
                  work.forEach(this::write);
                } finally {
                  done.set(true);
                }
              });
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        int seed = r;
        readers.add(
            pool.submit(
                () -> {
                  // bounded: at most this many rounds, and the last round runs after the writer
                  for (int round = 0; round < 10_000; round++) {
                    boolean last = done.get();
                    TraceId id = ids.get((round * 7 + seed) % ids.size());
                    assertThat(store().trace(id).size()).isIn(0, spansPerTrace);
                    List<TraceSummary> found = store().search(query("cc", t, t + DAY));
                    assertThat(found)
                        .allSatisfy(s -> assertThat(s.spanCount()).isEqualTo(spansPerTrace));
                    reads.incrementAndGet();
                    if (last) {
                      return;
                    }
                  }
                }));
      }
      writer.get(60, TimeUnit.SECONDS);
      for (Future<?> r : readers) {
        r.get(60, TimeUnit.SECONDS);
      }
    }
    assertThat(reads.get()).isGreaterThanOrEqualTo(3);
    assertThat(ids).allSatisfy(id -> assertThat(store().trace(id)).hasSize(spansPerTrace));
  }

  @Test
  void committedSpansSurviveCloseAndReopen() {
    assumeTrue(supportsReopen(), "this backend keeps nothing across a restart");
    long t = window();
    TraceId id = newTrace();
    SpanRow root = span(id, 1).service("du-svc").name("persist").start(t).attr("k", "v").build();
    SpanRow child = span(id, 2).parent(1).service("du-svc").name("child").start(t + MS).build();
    write(root);
    write(child);
    long count = store().spanCount();

    storage.close();
    storage.close(); // idempotent
    storage = newStorage(dir.resolve("data"));

    assertSameRows(store().trace(id), List.of(root, child));
    assertThat(store().spanCount()).isEqualTo(count);
    assertThat(store().spanNames("du-svc")).containsExactly("child", "persist");
    assertThat(store().tagValues("k", t, t + HOUR, 10)).containsExactly("v");
    // and it still takes writes
    TraceId next = newTrace();
    write(span(next, 1).service("du-svc").start(t + HOUR).build());
    assertThat(store().trace(next)).hasSize(1);
  }

  // ---- helpers -------------------------------------------------------------------------------

  protected static List<TraceId> ids(List<TraceSummary> summaries) {
    return summaries.stream().map(TraceSummary::traceId).toList();
  }

  /** Records hold byte arrays, whose equals is identity: compare field by field. */
  protected static void assertSameRows(List<SpanRow> actual, List<SpanRow> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      SpanRow a = actual.get(i);
      SpanRow e = expected.get(i);
      assertThat(a)
          .as("span %d", i)
          .usingRecursiveComparison()
          .ignoringFields("envelope", "span")
          .isEqualTo(e);
      assertThat(a.envelope()).as("envelope of span %d", i).isEqualTo(e.envelope());
      assertThat(a.span()).as("bytes of span %d", i).isEqualTo(e.span());
    }
  }
}
