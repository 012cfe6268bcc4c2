package com.yumzoom.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.SeriesSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SelfScraperTest {

  private final InMemorySampleStore store = new InMemorySampleStore(MetricsLimits.DEFAULTS);
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicReference<String> text = new AtomicReference<>();
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

  private SelfScraper scraper() {
    return new SelfScraper(
        () -> {
          nanos.addAndGet(250_000_000L);
          String t = text.get();
          if (t == null) {
            throw new IllegalStateException("renderer broke");
          }
          return t;
        },
        store,
        "localhost:3100",
        clock,
        nanos::get);
  }

  private SeriesSource.Series one(String name) {
    List<SeriesSource.Series> got =
        store.select(
            List.of(LabelMatcher.of("__name__", LabelMatcher.Op.EQ, name)), 0, Long.MAX_VALUE);
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  @Test
  void addsTargetLabelsUpAndScrapeDuration() {
    text.set("# TYPE queue_depth gauge\nqueue_depth{queue=\"ingest\",job=\"x\"} 7\n");
    assertThat(scraper().scrapeOnce()).isTrue();
    SeriesSource.Series depth = one("queue_depth");
    assertThat(depth.labels().map())
        .containsEntry("job", "yumzoom")
        .containsEntry("instance", "localhost:3100")
        .containsEntry("exported_job", "x")
        .containsEntry("queue", "ingest");
    assertThat(depth.timestamps()).containsExactly(1_700_000_000_000L);
    assertThat(depth.values()).containsExactly(7);
    assertThat(one("up").values()).containsExactly(1);
    assertThat(one("up").labels().map()).containsOnlyKeys("__name__", "job", "instance");
    assertThat(one("scrape_duration_seconds").values()).containsExactly(0.25);
    assertThat(one("scrape_samples_scraped").values()).containsExactly(1);
  }

  @Test
  void aFailedScrapeRecordsUpZeroAndNeverThrows() {
    SelfScraper scraper = scraper();
    text.set("broken{ 1\n");
    assertThat(scraper.scrapeOnce()).isFalse();
    assertThat(one("up").values()).containsExactly(0);
    assertThat(one("scrape_samples_scraped").values()).containsExactly(0);
    assertThat(
            store.select(
                List.of(LabelMatcher.of("__name__", LabelMatcher.Op.EQ, "broken")),
                0,
                Long.MAX_VALUE))
        .isEmpty();
    text.set(null);
    assertThat(scraper.scrapeOnce()).isFalse();
    assertThat(scraper.failures()).isEqualTo(2);
  }

  @Test
  void schedulesAtTheIntervalAndStopsOnClose() {
    text.set("a 1\n");
    var scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
    try {
      // The first run is one interval away, so the task is inspected, never awaited.
      SelfScraper scraper = scraper();
      scraper.start(scheduler, SelfScraper.DEFAULT_INTERVAL);
      assertThat(scheduler.getQueue()).hasSize(1);
      var task = (java.util.concurrent.RunnableScheduledFuture<?>) scheduler.getQueue().peek();
      assertThat(task.isPeriodic()).isTrue();
      assertThat(task.getDelay(java.util.concurrent.TimeUnit.SECONDS)).isBetween(10L, 15L);
      scraper.close();
      assertThat(task.isCancelled()).isTrue();
    } finally {
      scheduler.shutdownNow();
    }
  }
}
