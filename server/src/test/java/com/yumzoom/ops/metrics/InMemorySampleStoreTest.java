package com.yumzoom.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.SeriesSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemorySampleStoreTest {

  private static Labels labels(String name, String... kv) {
    var m = new java.util.TreeMap<String, String>();
    m.put("__name__", name);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Labels.of(m);
  }

  private static LabelMatcher eq(String n, String v) {
    return LabelMatcher.of(n, LabelMatcher.Op.EQ, v);
  }

  @Test
  void rejectsAndCountsNewSeriesPastTheLimit() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(2, 10));
    AppendResult r =
        store.append(
            List.of(
                new Sample(labels("a"), 1, 1),
                new Sample(labels("b"), 1, 1),
                new Sample(labels("c", "x", "1"), 1, 1),
                new Sample(labels("a"), 2, 2),
                new Sample(labels("d"), 1, 1)));
    assertThat(r.appended()).isEqualTo(3);
    assertThat(r.rejected()).isEqualTo(2);
    assertThat(r.error())
        .isEqualTo(
            "series limit of 2 reached (metrics.maxSeries); rejected new series such as"
                + " c{x=\"1\"}");
    assertThat(store.rejectedSamples()).isEqualTo(2);
    assertThat(store.seriesCount()).isEqualTo(2);
    store.append(List.of(new Sample(labels("e"), 1, 1)));
    assertThat(store.rejectedSamples()).isEqualTo(3);
  }

  @Test
  void keepsTheNewestSamplesPerSeries() {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(10, 3));
    List<Sample> samples = new ArrayList<>();
    for (int t = 1; t <= 5; t++) {
      samples.add(new Sample(labels("a"), t * 1000L, t));
    }
    store.append(samples);
    List<SeriesSource.Series> got = store.select(List.of(eq("__name__", "a")), 0, 10_000);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).timestamps()).containsExactly(3000, 4000, 5000);
    assertThat(got.get(0).values()).containsExactly(3, 4, 5);
    assertThat(store.select(List.of(), 3500, 4000).get(0).timestamps()).containsExactly(4000);
  }

  @Test
  void dropsOutOfOrderSamplesAndReplacesEqualTimestamps() {
    InMemorySampleStore store = new InMemorySampleStore(MetricsLimits.DEFAULTS);
    store.append(List.of(new Sample(labels("a"), 2000, 1)));
    AppendResult r =
        store.append(List.of(new Sample(labels("a"), 1000, 9), new Sample(labels("a"), 2000, 7)));
    assertThat(r.outOfOrder()).isEqualTo(1);
    assertThat(store.select(List.of(), 0, 5000).get(0).values()).containsExactly(7);
  }

  @Test
  void answersLabelAndSeriesQueriesWithinTheRange() {
    InMemorySampleStore store = new InMemorySampleStore(MetricsLimits.DEFAULTS);
    store.append(
        List.of(
            new Sample(labels("up", "job", "a"), 1000, 1),
            new Sample(labels("up", "job", "b"), 5000, 1),
            new Sample(labels("rate", "job", "a", "code", "200"), 5000, 1)));
    assertThat(store.labelNames(0, 2000)).containsExactly("__name__", "job");
    assertThat(store.labelNames(0, 9000)).containsExactly("__name__", "code", "job");
    assertThat(store.labelValues("job", List.of(eq("__name__", "up")), 0, 9000))
        .containsExactly("a", "b");
    assertThat(store.labelValues("job", List.of(), 4000, 9000)).containsExactly("a", "b");
    assertThat(store.labelValues("job", List.of(), 0, 2000)).containsExactly("a");
    assertThat(store.series(List.of(eq("job", "a")), 0, 9000))
        .extracting(l -> (Map<String, String>) l.map())
        .containsExactly(
            Map.of("__name__", "rate", "code", "200", "job", "a"),
            Map.of("__name__", "up", "job", "a"));
  }

  @Test
  void limitsAndSamplesAreValidated() {
    assertThatThrownBy(() -> new MetricsLimits(0, 1))
        .hasMessage("metrics.maxSeries must be between 1 and 10000000, got 0");
    assertThatThrownBy(() -> new MetricsLimits(1, 0))
        .hasMessage("metrics.maxSamplesPerSeries must be between 1 and 1000000, got 0");
    assertThatThrownBy(() -> new Sample(Labels.EMPTY, 0, 0))
        .hasMessage("sample.labels has no __name__");
  }
}
