package com.yumzoom.ops.pipeline.spanmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.Values;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanMetricsTest {

  static final long MS = 1_000_000L;

  static SpanRow span(String service, String name, int kind, long durationNanos, int status) {
    return new SpanRow(
        new TraceId(1, 2),
        3,
        0,
        service,
        name,
        kind,
        0,
        durationNanos,
        status,
        "",
        new byte[0],
        new byte[0]);
  }

  static Map<String, Double> byLabels(List<Sample> samples, String metric) {
    return samples.stream()
        .filter(s -> s.labels().get(Labels.NAME).equals(metric))
        .collect(
            Collectors.toMap(
                s -> {
                  var m = new java.util.TreeMap<>(s.labels().map());
                  m.remove(Labels.NAME);
                  return m.toString();
                },
                Sample::value));
  }

  static double value(List<Sample> samples, Map<String, String> labels) {
    Labels want = Labels.of(labels);
    return samples.stream()
        .filter(s -> s.labels().equals(want))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + want + " in " + samples));
  }

  static Map<String, String> key(
      String metric, String service, String name, String kind, String status) {
    return Map.of(
        Labels.NAME,
        metric,
        "service",
        service,
        "job",
        service,
        "span_name",
        name,
        "span_kind",
        kind,
        "status_code",
        status);
  }

  static Map<String, String> bucket(
      String service, String name, String kind, String status, String le) {
    var m =
        new java.util.HashMap<>(key(SpanMetrics.LATENCY + "_bucket", service, name, kind, status));
    m.put("le", le);
    return m;
  }

  @Test
  void countsCallsAndBucketsPerKey() {
    SpanMetrics m = new SpanMetrics();
    m.record(
        List.of(
            span("api", "GET /", 2, 3 * MS, 0),
            span("api", "GET /", 2, 2 * MS, 0), // exactly on a bound: le is inclusive
            span("api", "GET /", 2, 1_200 * MS, 0),
            span("api", "GET /", 2, 20_000 * MS, 2),
            span("api", "SELECT", 3, 7 * MS, 1)));
    List<Sample> s = m.snapshot(1000);

    String srv = "SPAN_KIND_SERVER";
    assertThat(value(s, key(SpanMetrics.CALLS, "api", "GET /", srv, "STATUS_CODE_UNSET")))
        .isEqualTo(3);
    assertThat(value(s, key(SpanMetrics.CALLS, "api", "GET /", srv, "STATUS_CODE_ERROR")))
        .isEqualTo(1);
    assertThat(
            value(s, key(SpanMetrics.CALLS, "api", "SELECT", "SPAN_KIND_CLIENT", "STATUS_CODE_OK")))
        .isEqualTo(1);

    // 2 ms and 3 ms spans, then the 1.2 s one.
    String u = "STATUS_CODE_UNSET";
    assertThat(value(s, bucket("api", "GET /", srv, u, "0.002"))).isEqualTo(1);
    assertThat(value(s, bucket("api", "GET /", srv, u, "0.004"))).isEqualTo(2);
    assertThat(value(s, bucket("api", "GET /", srv, u, "0.8"))).isEqualTo(2);
    assertThat(value(s, bucket("api", "GET /", srv, u, "1"))).isEqualTo(2);
    assertThat(value(s, bucket("api", "GET /", srv, u, "1.4"))).isEqualTo(3);
    assertThat(value(s, bucket("api", "GET /", srv, u, "+Inf"))).isEqualTo(3);
    assertThat(value(s, key(SpanMetrics.LATENCY + "_sum", "api", "GET /", srv, u)))
        .isCloseTo(1.205, within(1e-12));
    assertThat(value(s, key(SpanMetrics.LATENCY + "_count", "api", "GET /", srv, u))).isEqualTo(3);

    // 20 s is past the last bound (15 s): only +Inf.
    String e = "STATUS_CODE_ERROR";
    assertThat(value(s, bucket("api", "GET /", srv, e, "15"))).isEqualTo(0);
    assertThat(value(s, bucket("api", "GET /", srv, e, "+Inf"))).isEqualTo(1);

    // 3 keys x (1 calls + 17 buckets + sum + count), all at the snapshot time.
    assertThat(s).hasSize(3 * 20).allMatch(x -> x.tMs() == 1000);
    assertThat(byLabels(s, SpanMetrics.LATENCY + "_bucket")).hasSize(3 * 17);
    assertThat(m.seriesCount()).isEqualTo(3);
    assertThat(m.rejected()).isZero();
  }

  @Test
  void countersAreCumulativeAcrossBatchesAndSnapshots() {
    SpanMetrics m = new SpanMetrics();
    m.record(List.of(span("a", "op", 2, 5 * MS, 0)));
    List<Sample> first = m.snapshot(1);
    m.record(List.of(span("a", "op", 2, 5 * MS, 0), span("a", "op", 2, 60 * MS, 0)));
    List<Sample> second = m.snapshot(2);
    var calls = key(SpanMetrics.CALLS, "a", "op", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET");
    assertThat(value(first, calls)).isEqualTo(1);
    assertThat(value(second, calls)).isEqualTo(3);
    assertThat(value(second, bucket("a", "op", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", "0.006")))
        .isEqualTo(2);
    assertThat(value(second, bucket("a", "op", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", "0.1")))
        .isEqualTo(3);
  }

  @Test
  void unknownKindAndStatusFallBackToUnspecifiedAndUnset() {
    SpanMetrics m = new SpanMetrics();
    m.record(List.of(span("a", "op", 9, MS, 7), span("a", "op", 1, MS, 0)));
    List<Sample> s = m.snapshot(1);
    assertThat(
            value(
                s, key(SpanMetrics.CALLS, "a", "op", "SPAN_KIND_UNSPECIFIED", "STATUS_CODE_UNSET")))
        .isEqualTo(1);
    assertThat(
            value(s, key(SpanMetrics.CALLS, "a", "op", "SPAN_KIND_INTERNAL", "STATUS_CODE_UNSET")))
        .isEqualTo(1);
  }

  @Test
  void keysPastTheBoundGoToTheOverflowSeries() {
    SpanMetrics m = new SpanMetrics(2);
    m.record(
        List.of(
            span("a", "op1", 2, MS, 0),
            span("a", "op2", 2, MS, 0),
            span("a", "op3", 2, MS, 0), // third key: overflow
            span("b", "op1", 2, MS, 0), // new service: overflow
            span("b", "op1", 2, MS, 2), // overflow, other status
            span("a", "op1", 2, MS, 0))); // known key still counted normally
    List<Sample> s = m.snapshot(1);
    String srv = "SPAN_KIND_SERVER";
    String o = SpanMetrics.OVERFLOW;
    assertThat(value(s, key(SpanMetrics.CALLS, "a", "op1", srv, "STATUS_CODE_UNSET"))).isEqualTo(2);
    assertThat(value(s, key(SpanMetrics.CALLS, o, o, srv, "STATUS_CODE_UNSET"))).isEqualTo(2);
    assertThat(value(s, key(SpanMetrics.CALLS, o, o, srv, "STATUS_CODE_ERROR"))).isEqualTo(1);
    assertThat(m.rejected()).isEqualTo(3);
    assertThat(m.seriesCount()).isEqualTo(2);
    assertThat(byLabels(s, SpanMetrics.CALLS)).hasSize(4);
    assertThat(s).noneMatch(x -> x.labels().get("span_name").equals("op3"));
    assertThat(s).noneMatch(x -> x.labels().get("service").equals("b"));
  }

  @Test
  void overflowStaysBoundedUnderManyNewKeys() {
    SpanMetrics m = new SpanMetrics(10);
    List<SpanRow> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(span("svc" + i, "op" + i, i % 6, MS, i % 3));
    }
    m.record(rows);
    // 10 tracked keys + at most 6 kinds x 3 statuses overflow series, 20 samples each.
    assertThat(m.snapshot(1).size()).isLessThanOrEqualTo((10 + 18) * 20);
    assertThat(m.rejected()).isEqualTo(4_990);
  }

  @Test
  void rejectsAnInvalidBound() {
    assertThatThrownBy(() -> new SpanMetrics(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spanmetrics.maxSeries must be between 1 and 1000000, got 0");
  }

  @Test
  void rejectsANonPositiveFlushInterval() {
    var scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(
              () ->
                  new SpanMetrics()
                      .scheduleFlush(
                          scheduler,
                          java.time.Duration.ZERO,
                          new BrokenStore(),
                          java.time.Clock.systemUTC()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("spanmetrics.interval must be positive, got PT0S");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void emptySnapshotWhenNothingRecorded() {
    assertThat(new SpanMetrics().snapshot(1)).isEmpty();
  }

  /** A store that fails every append, to show a scheduled flush survives it. */
  static final class BrokenStore implements SampleStore {
    int appends;

    @Override
    public AppendResult append(List<Sample> samples) {
      appends++;
      throw new IllegalStateException("disk on fire");
    }

    @Override
    public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
      return List.of();
    }

    @Override
    public List<String> labelNames(long minT, long maxT) {
      return List.of();
    }

    @Override
    public List<String> labelValues(
        String name, List<LabelMatcher> matchers, long minT, long maxT) {
      return List.of();
    }

    @Override
    public List<Labels> series(List<LabelMatcher> matchers, long minT, long maxT) {
      return List.of();
    }

    @Override
    public long rejectedSamples() {
      return 0;
    }

    @Override
    public int seriesCount() {
      return 0;
    }
  }

  @Test
  void flushNeverThrowsWhenTheStoreDoes() {
    SpanMetrics m = new SpanMetrics();
    m.record(List.of(span("a", "op", 2, MS, 0)));
    BrokenStore broken = new BrokenStore();
    assertThat(m.flushTo(broken, 1)).isFalse();
    assertThat(m.flushTo(broken, 2)).isFalse();
    assertThat(broken.appends).isEqualTo(2);
    assertThat(m.flushFailures()).isEqualTo(2);
  }

  @Test
  void flushReportsSamplesTheStoreRejected() {
    SpanMetrics m = new SpanMetrics();
    m.record(List.of(span("a", "op", 2, MS, 0)));
    InMemorySampleStore tiny = new InMemorySampleStore(new MetricsLimits(5, 10));
    assertThat(m.flushTo(tiny, 1)).isFalse();
    assertThat(tiny.seriesCount()).isEqualTo(5);
  }

  @Test
  void promqlRateAndQuantileOverFlushedSnapshots() {
    InMemorySampleStore store = new InMemorySampleStore(MetricsLimits.DEFAULTS);
    SpanMetrics m = new SpanMetrics();
    List<SpanRow> step = new ArrayList<>();
    // Per 15 s step: service a 3 spans of 3 ms; service b 7 of 3 ms and 10 of 150 ms.
    for (int i = 0; i < 3; i++) {
      step.add(span("a", "GET /a", 2, 3 * MS, 0));
    }
    for (int i = 0; i < 7; i++) {
      step.add(span("b", "GET /b", 2, 3 * MS, 0));
    }
    for (int i = 0; i < 10; i++) {
      step.add(span("b", "GET /b", 2, 150 * MS, 0));
    }
    long t0 = 1_700_000_000_000L;
    for (int k = 0; k <= 4; k++) {
      m.record(step);
      assertThat(m.flushTo(store, t0 + k * 15_000L)).isTrue();
    }
    PromqlEngine engine = new PromqlEngine(store);
    Instant at = Instant.ofEpochMilli(t0 + 60_000L);

    // Samples in (t0, t0+60s] rise linearly: the extrapolated rate is the per-step count / 15 s.
    var rates =
        (Values.Vector)
            engine.instant("sum by (service) (rate(traces_spanmetrics_calls_total[1m]))", at);
    Map<String, Double> perService =
        rates.samples().stream()
            .collect(Collectors.toMap(x -> x.labels().get("service"), Values.Sample::value));
    assertThat(perService).containsOnlyKeys("a", "b");
    assertThat(perService.get("a")).isCloseTo(3 / 15.0, within(1e-9));
    assertThat(perService.get("b")).isCloseTo(17 / 15.0, within(1e-9));

    // 20 spans per step: 10 at 3 ms, 10 at 150 ms. Rank 0.95 * 20 = 19 lies in (0.1, 0.2] which
    // holds 10 above the 10 below it: 0.1 + 0.1 * (19 - 10) / 10 = 0.19.
    var q =
        (Values.Vector)
            engine.instant(
                "histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket[1m])))",
                at);
    assertThat(q.samples()).hasSize(1);
    assertThat(q.samples().getFirst().value()).isCloseTo(0.19, within(1e-9));
  }
}
