package com.yumzoom.ops.query.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.yumzoom.ops.query.promql.Values.*;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluator semantics, with expected values computed by hand from Prometheus' definitions. */
class PromqlEngineTest {

  private static Labels labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Labels.of(m);
  }

  /** Adds samples at the given seconds. */
  private static void add(InMemorySeriesSource src, Labels l, long[] secs, double[] vals) {
    for (int i = 0; i < secs.length; i++) {
      src.add(l, secs[i] * 1000, vals[i]);
    }
  }

  private static Map<Labels, Double> vector(Value v) {
    Map<Labels, Double> out = new LinkedHashMap<>();
    for (Sample s : ((Vector) v).samples()) {
      out.put(s.labels(), s.value());
    }
    return out;
  }

  private static double single(PromqlEngine e, String q, long sec) {
    Map<Labels, Double> v = vector(e.instant(q, Instant.ofEpochSecond(sec)));
    assertThat(v).as(q).hasSize(1);
    return v.values().iterator().next();
  }

  @Test
  void rateExtrapolatesToTheRangeEdges() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    // 10..60 at 10s..60s: 50 over a sampled 50s, extrapolated by 10s to the range start: 60/60s.
    add(
        src,
        labels("__name__", "c"),
        new long[] {10, 20, 30, 40, 50, 60},
        new double[] {10, 20, 30, 40, 50, 60});
    PromqlEngine e = new PromqlEngine(src);
    assertThat(single(e, "rate(c[1m])", 60)).isCloseTo(1.0, within(1e-12));
    assertThat(single(e, "increase(c[1m])", 60)).isCloseTo(60.0, within(1e-12));
  }

  @Test
  void extrapolationStopsHalfAnIntervalOutsideWhenTheSeriesStartsLate() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    // First sample 30s after the range start (> 1.1 x 10s): extrapolate only 5s; 3 * 35/30.
    add(src, labels("__name__", "c"), new long[] {30, 40, 50, 60}, new double[] {5, 6, 7, 8});
    PromqlEngine e = new PromqlEngine(src);
    assertThat(single(e, "increase(c[1m])", 60)).isCloseTo(3.5, within(1e-12));
    assertThat(single(e, "rate(c[1m])", 60)).isCloseTo(3.5 / 60, within(1e-12));
  }

  @Test
  void counterExtrapolationNeverGoesBelowZero() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    // 1,4,..,16: slope 0.3/s reaches zero 3.33s before the first sample (< 10s): 15 * 53.33/50.
    add(
        src,
        labels("__name__", "c"),
        new long[] {10, 20, 30, 40, 50, 60},
        new double[] {1, 4, 7, 10, 13, 16});
    PromqlEngine e = new PromqlEngine(src);
    assertThat(single(e, "increase(c[1m])", 60)).isCloseTo(16.0, within(1e-9));
    // delta() is for gauges: no zero clamp, so the full 10s are extrapolated: 15 * 60/50.
    assertThat(single(e, "delta(c[1m])", 60)).isCloseTo(18.0, within(1e-9));
  }

  @Test
  void counterResetsAreCompensated() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    add(src, labels("__name__", "c"), new long[] {15, 30, 45, 60}, new double[] {10, 20, 5, 15});
    PromqlEngine e = new PromqlEngine(src);
    // 15 - 10 + 20 (the reset) = 25, extrapolated by 15s over a sampled 45s.
    assertThat(single(e, "increase(c[1m])", 60)).isCloseTo(100.0 / 3, within(1e-9));
    assertThat(single(e, "resets(c[1m])", 60)).isEqualTo(1);
    assertThat(single(e, "changes(c[1m])", 60)).isEqualTo(3);
    // irate: last two samples 5 -> 15 over 15s.
    assertThat(single(e, "irate(c[1m])", 60)).isCloseTo(10.0 / 15, within(1e-12));
    assertThat(single(e, "irate(c[1m])", 45)).isCloseTo(5.0 / 15, within(1e-12));
    assertThat(single(e, "idelta(c[1m])", 45)).isEqualTo(-15);
  }

  @Test
  void stalenessMarkerEndsASeriesBeforeTheLookback() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    src.add(labels("__name__", "a"), 0, 1);
    src.add(labels("__name__", "a"), 30_000, Values.STALE_NAN);
    src.add(labels("__name__", "b"), 0, 2);
    PromqlEngine e = new PromqlEngine(src);
    assertThat(vector(e.instant("a", Instant.ofEpochSecond(20)))).containsValue(1.0);
    assertThat(vector(e.instant("a", Instant.ofEpochSecond(40)))).isEmpty();
    // Without a marker the sample lives for the 5m lookback, which is open at its start.
    assertThat(vector(e.instant("b", Instant.ofEpochSecond(299)))).containsValue(2.0);
    assertThat(vector(e.instant("b", Instant.ofEpochSecond(300)))).isEmpty();
    // Range selectors skip markers.
    assertThat(single(e, "count_over_time(a[1m])", 40)).isEqualTo(1);
    assertThat(Values.isStale(Values.STALE_NAN)).isTrue();
    assertThat(Values.isStale(Double.NaN)).isFalse();
  }

  private static InMemorySeriesSource matchingData() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    src.add(labels("__name__", "req", "job", "api", "instance", "1"), 0, 10);
    src.add(labels("__name__", "req", "job", "api", "instance", "2"), 0, 20);
    src.add(labels("__name__", "req", "job", "db", "instance", "1"), 0, 30);
    src.add(labels("__name__", "lim", "job", "api", "instance", "1"), 0, 100);
    src.add(labels("__name__", "team", "job", "api", "owner", "red"), 0, 2);
    src.add(labels("__name__", "team", "job", "db", "owner", "blue"), 0, 3);
    return src;
  }

  @Test
  void oneToOneMatchingDropsTheMetricName() {
    PromqlEngine e = new PromqlEngine(matchingData());
    assertThat(vector(e.instant("req / lim", Instant.EPOCH)))
        .containsExactly(Map.entry(labels("job", "api", "instance", "1"), 0.1));
    // A filtering comparison keeps the name; with bool it is dropped and the result is 0/1.
    assertThat(vector(e.instant("req > 15", Instant.EPOCH)))
        .containsOnlyKeys(
            labels("__name__", "req", "job", "api", "instance", "2"),
            labels("__name__", "req", "job", "db", "instance", "1"));
    assertThat(vector(e.instant("req > bool 15", Instant.EPOCH)))
        .containsEntry(labels("job", "api", "instance", "1"), 0.0)
        .containsEntry(labels("job", "api", "instance", "2"), 1.0);
    assertThat(vector(e.instant("req + on(job, instance) lim", Instant.EPOCH)))
        .containsExactly(Map.entry(labels("job", "api", "instance", "1"), 110.0));
  }

  @Test
  void groupLeftCopiesLabelsFromTheOneSide() {
    PromqlEngine e = new PromqlEngine(matchingData());
    assertThat(vector(e.instant("req * on(job) group_left(owner) team", Instant.EPOCH)))
        .containsOnly(
            Map.entry(labels("job", "api", "instance", "1", "owner", "red"), 20.0),
            Map.entry(labels("job", "api", "instance", "2", "owner", "red"), 40.0),
            Map.entry(labels("job", "db", "instance", "1", "owner", "blue"), 90.0));
    assertThat(vector(e.instant("team * on(job) group_right(owner) req", Instant.EPOCH)))
        .hasSize(3)
        .containsEntry(labels("job", "api", "instance", "2", "owner", "red"), 40.0);
  }

  @Test
  void manyToManyMatchesAreRefused() {
    PromqlEngine e = new PromqlEngine(matchingData());
    assertThatThrownBy(() -> e.instant("req + on(job) team", Instant.EPOCH))
        .isInstanceOf(PromqlException.class)
        .hasMessageContaining("many-to-one matching must be explicit");
    assertThatThrownBy(() -> e.instant("team + on(job) group_left req", Instant.EPOCH))
        .hasMessageContaining("many-to-many matching not allowed");
  }

  @Test
  void setOperators() {
    PromqlEngine e = new PromqlEngine(matchingData());
    assertThat(vector(e.instant("req and on(job) team{owner=\"red\"}", Instant.EPOCH))).hasSize(2);
    assertThat(vector(e.instant("req unless on(job) team{owner=\"red\"}", Instant.EPOCH)))
        .containsOnlyKeys(labels("__name__", "req", "job", "db", "instance", "1"));
    assertThat(vector(e.instant("lim or req", Instant.EPOCH))).hasSize(3);
  }

  @Test
  void aggregations() {
    PromqlEngine e = new PromqlEngine(matchingData());
    assertThat(vector(e.instant("sum by (job) (req)", Instant.EPOCH)))
        .containsOnly(Map.entry(labels("job", "api"), 30.0), Map.entry(labels("job", "db"), 30.0));
    assertThat(vector(e.instant("max without (instance) (req)", Instant.EPOCH)))
        .containsOnly(Map.entry(labels("job", "api"), 20.0), Map.entry(labels("job", "db"), 30.0));
    assertThat(single(e, "stddev(req)", 0)).isCloseTo(Math.sqrt(200.0 / 3), within(1e-12));
    assertThat(single(e, "quantile(0.5, req)", 0)).isEqualTo(20);
    assertThat(vector(e.instant("topk(1, req)", Instant.EPOCH)))
        .containsOnlyKeys(labels("__name__", "req", "job", "db", "instance", "1"));
    assertThat(vector(e.instant("count_values(\"v\", req)", Instant.EPOCH)))
        .containsEntry(labels("v", "10"), 1.0);
  }

  @Test
  void rangeQueryEvaluatesEveryStep() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    add(src, labels("__name__", "g"), new long[] {0, 60, 120}, new double[] {1, 2, 3});
    PromqlEngine e = new PromqlEngine(src);
    Matrix m = e.range("g * 2", Instant.EPOCH, Instant.ofEpochSecond(120), Duration.ofSeconds(30));
    assertThat(m.series()).hasSize(1);
    assertThat(m.series().get(0).points())
        .extracting(Point::value)
        .containsExactly(2.0, 2.0, 4.0, 4.0, 6.0);
    assertThat(
            e.range("time()", Instant.EPOCH, Instant.ofEpochSecond(60), Duration.ofSeconds(60))
                .series()
                .get(0)
                .points())
        .containsExactly(new Point(0, 0), new Point(60_000, 60));
  }

  @Test
  void histogramQuantileInterpolatesWithinTheBucket() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    src.add(labels("__name__", "h_bucket", "le", "1"), 0, 10);
    src.add(labels("__name__", "h_bucket", "le", "2"), 0, 30);
    src.add(labels("__name__", "h_bucket", "le", "+Inf"), 0, 40);
    PromqlEngine e = new PromqlEngine(src);
    // rank 20 falls in (1, 2] holding ranks 10..30: 1 + (20-10)/20.
    assertThat(single(e, "histogram_quantile(0.5, h_bucket)", 0)).isCloseTo(1.5, within(1e-12));
    // rank 36 lies in the +Inf bucket: the highest finite bound is returned.
    assertThat(single(e, "histogram_quantile(0.9, h_bucket)", 0)).isEqualTo(2);
  }

  @Test
  void offsetAndAtShiftTheEvaluationTime() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    add(src, labels("__name__", "g"), new long[] {0, 60, 120}, new double[] {1, 2, 3});
    PromqlEngine e = new PromqlEngine(src);
    assertThat(single(e, "g offset 1m", 120)).isEqualTo(2);
    assertThat(single(e, "g offset -1m", 60)).isEqualTo(3);
    assertThat(single(e, "g @ 0", 120)).isEqualTo(1);
    assertThat(single(e, "max_over_time(g[2m:30s])", 120)).isEqualTo(3);
    assertThat(single(e, "label_replace(g, \"x\", \"$1-y\", \"__name__\", \"(.*)\")", 0))
        .isEqualTo(1);
  }

  @Test
  void rejectsRangeQueriesOnRangeVectorsAndBadSteps() {
    PromqlEngine e = new PromqlEngine(new InMemorySeriesSource());
    assertThatThrownBy(() -> e.range("g[1m]", Instant.EPOCH, Instant.EPOCH, Duration.ofSeconds(1)))
        .hasMessageContaining("invalid expression type \"range vector\" for range query");
    assertThatThrownBy(() -> e.range("g", Instant.EPOCH, Instant.EPOCH, Duration.ZERO))
        .hasMessage("step must be positive, got 0 ms");
    assertThatThrownBy(() -> new PromqlEngine(new InMemorySeriesSource(), Duration.ZERO))
        .hasMessage("lookback must be positive, got PT0S");
  }

  @Test
  void subqueryStepsAreAlignedToAbsoluteMultiplesOfTheStep() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    add(
        src,
        labels("__name__", "g"),
        new long[] {0, 10, 20, 30, 40, 50, 60},
        new double[] {0, 1, 2, 3, 4, 5, 6});
    PromqlEngine e = new PromqlEngine(src);
    // At 65s, [30s:20s] covers (35, 65]: only the step at 40s and 60s, values 4 and 6.
    assertThat(single(e, "count_over_time(g[30s:20s])", 65)).isEqualTo(2);
    assertThat(single(e, "sum_over_time(g[30s:20s])", 65)).isEqualTo(10);
  }

  @Test
  void labelReplaceFollowsGoTemplateExpansion() {
    InMemorySeriesSource src = new InMemorySeriesSource();
    src.add(labels("__name__", "m", "src", "a-b"), 0, 1);
    PromqlEngine e = new PromqlEngine(src);
    String q = "label_replace(m, \"dst\", \"%s\", \"src\", \"(.*)-(?P<second>.*)\")";
    assertThat(vector(e.instant(q.formatted("${1}_${second}"), Instant.EPOCH)))
        .containsOnlyKeys(labels("__name__", "m", "src", "a-b", "dst", "a_b"));
    // Names run over letters, digits and '_': "$1_" is the (missing) group "1_".
    assertThat(vector(e.instant(q.formatted("$1_${second}"), Instant.EPOCH)))
        .containsOnlyKeys(labels("__name__", "m", "src", "a-b", "dst", "b"));
    // "$1x" names a group "1x", which does not exist: it expands to nothing.
    assertThat(vector(e.instant(q.formatted("$1x"), Instant.EPOCH)))
        .containsOnlyKeys(labels("__name__", "m", "src", "a-b"));
  }

  @Test
  void absentTakesLabelsFromEqualityMatchers() {
    PromqlEngine e = new PromqlEngine(new InMemorySeriesSource());
    assertThat(vector(e.instant("absent(nope{job=\"x\", env=~\"p.*\"})", Instant.EPOCH)))
        .containsExactly(Map.entry(labels("job", "x"), 1.0));
    assertThat(vector(e.instant("absent_over_time(nope{job=\"x\"}[1m])", Instant.EPOCH)))
        .containsExactly(Map.entry(labels("job", "x"), 1.0));
  }

  @Test
  void countValuesFormatsValuesLikeGo() {
    assertThat(Evaluator.formatValue(1.0)).isEqualTo("1");
    assertThat(Evaluator.formatValue(0.25)).isEqualTo("0.25");
    assertThat(Evaluator.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(Evaluator.formatValue(Double.NaN)).isEqualTo("NaN");
  }

  @Test
  void refusesSubqueriesWithTooManyStepsAndHonoursInterrupts() {
    PromqlEngine e = new PromqlEngine(new InMemorySeriesSource());
    assertThatThrownBy(() -> e.instant("max_over_time(g[1y:1ms])", Instant.EPOCH))
        .isInstanceOf(PromqlException.class)
        .hasMessage(
            "subquery would evaluate 31536000000 steps, more than 1000000; use a larger subquery"
                + " step");
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(
              () -> e.range("g", Instant.EPOCH, Instant.ofEpochSecond(60), Duration.ofSeconds(1)))
          .isInstanceOf(PromqlException.class)
          .hasMessage("query was canceled");
    } finally {
      Thread.interrupted();
    }
  }
}
