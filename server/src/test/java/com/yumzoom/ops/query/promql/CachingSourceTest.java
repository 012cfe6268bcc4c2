package com.yumzoom.ops.query.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachingSourceTest {

  /** Counts reads of the real in-memory source. */
  private static final class Counting implements SeriesSource {
    final InMemorySeriesSource inner = new InMemorySeriesSource();
    int selects;

    @Override
    public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
      selects++;
      return inner.select(matchers, minT, maxT);
    }
  }

  private static Counting data() {
    Counting c = new Counting();
    for (int i = 0; i <= 360; i++) {
      c.inner.add(Labels.of(Map.of("__name__", "c", "job", "a")), i * 10_000L, i * 1.5);
      c.inner.add(Labels.of(Map.of("__name__", "c", "job", "b")), i * 10_000L, i * 3.0);
    }
    return c;
  }

  @Test
  void rangeQueryReadsEachSelectorOnceAndAnswersLikeTheSourceItself() {
    Counting c = data();
    String q = "sum by (job) (rate(c[1m])) / on(job) max by (job) (max_over_time(c[5m:30s]))";
    Values.Matrix cached =
        new PromqlEngine(c)
            .range(
                q, Instant.ofEpochSecond(300), Instant.ofEpochSecond(3600), Duration.ofMinutes(1));
    // Two selectors: one read each for the whole 56-step query.
    assertThat(c.selects).isEqualTo(2);
    // The same query evaluated step by step as instant queries, each reading the source.
    PromqlEngine direct = new PromqlEngine(c.inner);
    for (Values.Series s : cached.series()) {
      for (Values.Point p : s.points()) {
        Values.Vector v = (Values.Vector) direct.instant(q, Instant.ofEpochMilli(p.t()));
        assertThat(v.samples())
            .filteredOn(x -> x.labels().equals(s.labels()))
            .singleElement()
            .satisfies(x -> assertThat(x.value()).isEqualTo(p.value()));
      }
    }
    assertThat(cached.series()).hasSize(2);
  }

  @Test
  void windowsOutsideTheCachedOneAreFetchedAgain() {
    Counting c = data();
    CachingSource cache = new CachingSource(c, 60_000);
    List<LabelMatcher> m = List.of(LabelMatcher.of("job", LabelMatcher.Op.EQ, "a"));
    assertThat(cache.select(m, 0, 60_000).get(0).timestamps()).hasSize(7);
    assertThat(cache.select(m, 50_000, 120_000).get(0).timestamps()).hasSize(8);
    assertThat(c.selects).isEqualTo(1);
    assertThat(cache.select(m, 100_000, 200_000).get(0).timestamps()).hasSize(11);
    assertThat(c.selects).isEqualTo(2);
  }
}
