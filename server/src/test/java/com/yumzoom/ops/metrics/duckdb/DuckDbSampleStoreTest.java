package com.yumzoom.ops.metrics.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.yumzoom.ops.config.MetricsSettings;
import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.SeriesSource;
import com.yumzoom.ops.query.promql.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSampleStoreTest {

  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  @TempDir Path dir;

  private static Labels labels(String name, String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put(Labels.NAME, name);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Labels.of(m);
  }

  private static MetricsSettings settings(int maxSeries, int perMetric, int maxLabels, int head) {
    MetricsSettings d = MetricsSettings.DEFAULTS;
    return new MetricsSettings(
        maxSeries,
        perMetric,
        maxLabels,
        head,
        d.queueMaxSamples(),
        d.retentionRaw(),
        d.retention5m(),
        d.retention1h(),
        null);
  }

  private static List<LabelMatcher> name(String n) {
    return List.of(LabelMatcher.of(Labels.NAME, LabelMatcher.Op.EQ, n));
  }

  @Test
  void samplesAreReadFromTheHeadAndAfterReopeningFromTheFile() {
    TestClock clock = new TestClock(T0 + 3_600_000);
    Labels a = labels("up", "job", "a");
    Labels b = labels("up", "job", "b");
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      samples.add(new Sample(a, T0 + i * 15_000L, i));
      samples.add(new Sample(b, T0 + i * 15_000L, i % 2 == 0 ? 1 : Values.STALE_NAN));
    }
    List<SeriesSource.Series> before;
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(100, 100, 10, 50), clock)) {
      AppendResult r = store.append(samples);
      assertThat(r).isEqualTo(new AppendResult(200, 0, 0, null));
      // 50 samples per series in the head, so the head holds from i = 50 on
      assertThat(store.headValidFrom()).isEqualTo(T0 + 49 * 15_000L + 1);
      before = store.select(name("up"), T0, T0 + 3_600_000);
      assertThat(before).hasSize(2);
      assertThat(before.get(0).timestamps()).hasSize(100);
      List<SeriesSource.Series> recent =
          store.select(name("up"), T0 + 60 * 15_000L, Long.MAX_VALUE);
      assertThat(recent).allSatisfy(s -> assertThat(s.timestamps()).hasSize(40));
      assertThat(store.labelValues("job", List.of(), T0, T0 + 1)).containsExactly("a", "b");
    }
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(100, 100, 10, 50), clock)) {
      List<SeriesSource.Series> after = store.select(name("up"), T0, T0 + 3_600_000);
      assertThat(after).hasSize(2);
      for (int k = 0; k < 2; k++) {
        SeriesSource.Series x =
            before.stream()
                .filter(s -> s.labels().equals(after.get(0).labels()))
                .findFirst()
                .orElseThrow();
        assertThat(after.get(0).timestamps()).containsExactly(x.timestamps());
      }
      // the reloaded head answers recent reads, staleness markers included
      SeriesSource.Series bRecent =
          store.select(name("up"), T0 + 98 * 15_000L, Long.MAX_VALUE).stream()
              .filter(s -> s.labels().equals(b))
              .findFirst()
              .orElseThrow();
      assertThat(Values.isStale(bRecent.values()[1])).isTrue();
      assertThat(bRecent.values()[0]).isEqualTo(1.0);
      // the newest sample survived the restart: an older one is out of order
      AppendResult late = store.append(List.of(new Sample(a, T0, 5)));
      assertThat(late.outOfOrder()).isEqualTo(1);
      assertThat(store.seriesCount()).isEqualTo(2);
    }
  }

  @Test
  void cardinalityLimitsRejectNewSeriesWithMessagesNamingMetricAndLimit() {
    TestClock clock = new TestClock(T0);
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(5, 3, 3, 10), clock)) {
      List<Sample> burst = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        burst.add(new Sample(labels("requests_total", "user", "u" + i), T0, 1));
      }
      AppendResult r = store.append(burst);
      assertThat(r.appended()).isEqualTo(3);
      assertThat(r.rejected()).isEqualTo(7);
      assertThat(r.error())
          .contains("metric requests_total")
          .contains("metrics.max-series-per-metric, limit 3");

      AppendResult wide =
          store.append(List.of(new Sample(labels("wide", "a", "1", "b", "2", "c", "3"), T0, 1)));
      assertThat(wide.rejected()).isEqualTo(1);
      assertThat(wide.error())
          .isEqualTo(
              "metric wide: series has 4 labels, more than metrics.max-labels-per-series (limit 3)");

      AppendResult total =
          store.append(
              List.of(
                  new Sample(labels("g1"), T0, 1),
                  new Sample(labels("g2"), T0, 1),
                  new Sample(labels("g3"), T0, 1)));
      assertThat(total.appended()).isEqualTo(2);
      assertThat(total.error()).contains("metric g3").contains("metrics.max-series, limit 5");
      assertThat(store.rejections()).isEqualTo(new DuckDbSampleStore.Rejections(1, 7, 1, 0));
      // existing series keep taking samples
      assertThat(store.append(List.of(new Sample(labels("g1"), T0 + 1000, 2))).appended())
          .isEqualTo(1);
    }
  }

  @Test
  void outOfOrderAndConflictingDuplicatesAreRefusedButExactRepeatsAccepted() {
    TestClock clock = new TestClock(T0);
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(10, 10, 10, 10), clock)) {
      Labels g = labels("g");
      store.append(List.of(new Sample(g, T0 + 2000, 2)));
      AppendResult r =
          store.append(
              List.of(
                  new Sample(g, T0 + 1000, 1),
                  new Sample(g, T0 + 2000, 2),
                  new Sample(g, T0 + 2000, 3),
                  new Sample(g, T0 + 3000, 4),
                  new Sample(g, T0 + 3000, 4)));
      assertThat(r).isEqualTo(new AppendResult(3, 0, 2, null));
      SeriesSource.Series s = store.select(name("g"), T0, T0 + 10_000).getFirst();
      assertThat(s.values()).containsExactly(2, 4);
    }
  }

  @Test
  void samplesArrivingForFoldedBucketsAreFoldedAgainEvenAfterARestart() {
    TestClock clock = new TestClock(T0 + 3 * 3_600_000L);
    Labels c = labels("late_total");
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(10, 10, 10, 10), clock)) {
      store.rollUpNow(); // nothing yet: the buckets up to now count as folded
      List<Sample> backfill = new ArrayList<>();
      for (long t = T0; t < T0 + 2 * 3_600_000L; t += 15_000) {
        backfill.add(new Sample(c, t, (t - T0) / 1000.0));
      }
      store.append(backfill);
    }
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(10, 10, 10, 10), clock)) {
      store.rollUpNow();
      SeriesSource.Series buckets =
          store
              .select(
                  List.of(LabelMatcher.of(Labels.NAME, LabelMatcher.Op.EQ, "late_total")),
                  T0,
                  T0 + 3 * 3_600_000L,
                  new SeriesSource.Hints(300_000, 1_200_000, 300_000))
              .getFirst();
      assertThat(buckets.timestamps()).hasSize(24);
      assertThat(buckets.timestamps()[0]).isEqualTo(T0 + 299_999);
      // a bucket's value is its last sample's: 285 s into the counter, then 300 s more per bucket
      assertThat(buckets.values()[0]).isEqualTo(285.0);
      assertThat(buckets.values()[23]).isEqualTo(285.0 + 23 * 300);
    }
  }

  /**
   * A counter that restarts every 7 hours, sampled every 15 s for 30 days: rate() at a 1 h step
   * over rollups agrees with rate() over every raw sample, and the rollup path really reads
   * buckets.
   */
  @Test
  void rateOverThirtyDaysFromRollupsMatchesRawSamples() {
    long days = 30;
    long end = T0 + days * 86_400_000L;
    TestClock clock = new TestClock(end + 600_000);
    Labels c = labels("http_requests_total", "job", "api");
    Labels g = labels("temperature", "job", "api");
    InMemorySampleStore reference = new InMemorySampleStore(new MetricsLimits(10, 200_000));
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings(10, 10, 10, 100), clock)) {
      List<Sample> chunk = new ArrayList<>();
      double value = 0;
      for (long t = T0; t <= end; t += 15_000) {
        value = (t - T0) % (7 * 3_600_000L) == 0 ? 0 : value + 3 + ((t / 15_000) % 5);
        chunk.add(new Sample(c, t, value));
        chunk.add(new Sample(g, t, 20 + Math.sin(t / 3_600_000.0)));
        if (chunk.size() >= 20_000) {
          store.append(chunk);
          reference.append(chunk);
          chunk = new ArrayList<>();
        }
      }
      store.append(chunk);
      reference.append(chunk);
      store.rollUpNow();

      SeriesSource.Series buckets =
          store
              .select(
                  name("http_requests_total"),
                  end - 86_400_000L,
                  end,
                  new SeriesSource.Hints(3_600_000, 3_600_000, 300_000))
              .getFirst();
      assertThat(buckets.timestamps()).hasSize(288);
      assertThat(java.util.Arrays.stream(buckets.timestamps()).map(t -> t % 300_000).distinct())
          .containsExactly(299_999L);

      Instant from = Instant.ofEpochMilli(T0 + 86_400_000L);
      Instant to = Instant.ofEpochMilli(end);
      for (String q :
          List.of(
              "rate(http_requests_total[1h])",
              "increase(http_requests_total[6h])",
              "temperature")) {
        Values.Matrix ours = new PromqlEngine(store).range(q, from, to, Duration.ofHours(1));
        Values.Matrix raw = new PromqlEngine(reference).range(q, from, to, Duration.ofHours(1));
        assertThat(ours.series()).hasSize(1);
        List<Values.Point> a = ours.series().getFirst().points();
        List<Values.Point> b = raw.series().getFirst().points();
        assertThat(a).as(q).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
          double expected = b.get(i).value();
          assertThat(a.get(i).value())
              .as(q + " at " + Instant.ofEpochMilli(a.get(i).t()))
              .isCloseTo(expected, within(Math.abs(expected) * 0.02 + 1e-9));
        }
      }
    }
  }
}
