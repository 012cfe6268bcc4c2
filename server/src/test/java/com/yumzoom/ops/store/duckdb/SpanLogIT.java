package com.yumzoom.ops.store.duckdb;

import static com.yumzoom.ops.store.TestSpans.BASE;
import static com.yumzoom.ops.store.TestSpans.DAY;
import static com.yumzoom.ops.store.TestSpans.HOUR;
import static com.yumzoom.ops.store.TestSpans.MS;
import static com.yumzoom.ops.store.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.pipeline.OverloadedException;
import com.yumzoom.ops.store.OperationStats;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TestSpans;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.TraceQuery;
import com.yumzoom.ops.store.TraceSummary;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The span log and head in front of DuckDB: spans of one trace on both sides of a flush, recovery
 * from the log (torn tail, flushed position), segment rolling and deletion, a full head.
 */
class SpanLogIT {

  /** The flusher never runs on its own: tests move the head with {@code flushHead()}. */
  private static DuckDbStorage.Options manualFlush(long segmentBytes, int headMaxRows) {
    return new DuckDbStorage.Options(
        "1GB",
        2,
        "128MB",
        2,
        new DuckDbStorage.SpanLogOptions(
            segmentBytes, headMaxRows, Duration.ofDays(365), headMaxRows, 1L << 30, Duration.ZERO));
  }

  private static final DuckDbStorage.Options MANUAL = manualFlush(64L << 20, 1_000_000);

  @Test
  void oneTraceOnBothSidesOfAFlushReadsAsOne(@TempDir Path dir) {
    long t = BASE + 3 * DAY;
    TraceId id = TestSpans.traceId(42);
    SpanRow root =
        span(id, 1).service("split-gw").name("GET /x").start(t).duration(100 * MS).build();
    SpanRow early =
        span(id, 2)
            .parent(1)
            .service("split-db")
            .name("SELECT")
            .kind(2)
            .start(t + 10 * MS)
            .duration(30 * MS)
            .attr("db.system", "postgresql")
            .build();
    SpanRow late =
        span(id, 3)
            .parent(1)
            .service("split-late")
            .name("POST /y")
            .start(t + 5 * MS)
            .duration(200 * MS)
            .error()
            .attr("side", "head")
            .build();
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      storage.spanConsumer().accept(List.of(root, early));
      storage.flushHead();
      assertThat(storage.headSpans()).isZero();
      storage.spanConsumer().accept(List.of(late));
      assertThat(storage.headSpans()).isEqualTo(1);

      var store = storage.spanStore();
      assertThat(store.trace(id))
          .extracting(SpanRow::spanId)
          .containsExactly(1L, 3L, 2L); // start order across both sides
      assertThat(store.spanCount()).isEqualTo(3);

      TraceQuery byLate =
          new TraceQuery(
              null, null, Map.of("side", "head"), 0, Long.MAX_VALUE, false, t, t + HOUR, 10);
      List<TraceSummary> found = store.search(byLate);
      // the summary counts the file's spans too, and takes the root from the file
      assertThat(found)
          .containsExactly(new TraceSummary(id, "split-gw", "GET /x", t, 205 * MS, 3, 1));
      TraceQuery byFile =
          new TraceQuery("split-db", null, Map.of(), 0, Long.MAX_VALUE, false, t, t + HOUR, 10);
      assertThat(store.search(byFile)).containsExactlyElementsOf(found);

      assertThat(store.serviceNames()).contains("split-gw", "split-db", "split-late");
      assertThat(store.spanNames("split-late")).containsExactly("POST /y");
      assertThat(store.tagKeys(t, t + HOUR)).contains("db.system", "side");
      assertThat(store.tagValues("side", t, t + HOUR, 10)).containsExactly("head");

      // entry spans: 100 ms (file), 30 ms (file), 200 ms (head); p50 is exact over all three
      assertThat(store.operationStats(null, false, t, t + HOUR))
          .containsExactly(
              new OperationStats("split-db", null, 1, 0, 30 * MS, 30 * MS, 30 * MS),
              new OperationStats("split-gw", null, 1, 0, 100 * MS, 100 * MS, 100 * MS),
              new OperationStats("split-late", null, 1, 1, 200 * MS, 200 * MS, 200 * MS));
    }
  }

  @Test
  void percentilesAreExactOverHeadAndFileTogether(@TempDir Path dir) {
    long t = BASE + 5 * DAY;
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      // 1..5 ms in the file, 6..10 ms in the head: p50 of 1..10 is 5.5 ms
      for (int i = 1; i <= 10; i++) {
        storage
            .spanConsumer()
            .accept(
                List.of(
                    span(TestSpans.traceId(100 + i), 1)
                        .service("pct")
                        .name("op")
                        .start(t + i)
                        .duration(i * MS)
                        .build()));
        if (i == 5) {
          storage.flushHead();
        }
      }
      assertThat(storage.headSpans()).isEqualTo(5);
      assertThat(storage.spanStore().operationStats("pct", true, t, t + DAY))
          .containsExactly(new OperationStats("pct", "op", 10, 0, 5_500_000, 9_550_000, 9_910_000));
      // and the same once everything is in the file
      storage.flushHead();
      assertThat(storage.spanStore().operationStats("pct", true, t, t + DAY))
          .containsExactly(new OperationStats("pct", "op", 10, 0, 5_500_000, 9_550_000, 9_910_000));
    }
  }

  @Test
  void reopenReplaysOnlyWhatWasNotFlushed(@TempDir Path dir) {
    long t = BASE + 7 * DAY;
    List<SpanRow> first = batch(1, t);
    List<SpanRow> second = batch(2, t);
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      storage.spanConsumer().accept(first);
      storage.flushHead();
      storage.spanConsumer().accept(second);
      // simulate a crash: the head is not flushed at close time, only the log keeps it
      crashClose(storage);
    }
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      assertThat(storage.headSpans()).isEqualTo(second.size());
      assertThat(storage.spanStore().spanCount()).isEqualTo(first.size() + second.size());
      assertThat(storage.spanStore().trace(first.getFirst().traceId())).hasSize(5);
      assertThat(storage.spanStore().trace(second.getFirst().traceId())).hasSize(5);
    }
    // a clean close flushed the head; nothing is replayed twice
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      assertThat(storage.headSpans()).isZero();
      assertThat(storage.spanStore().spanCount()).isEqualTo(first.size() + second.size());
    }
  }

  @Test
  void aTornTailRecordIsTruncatedAndLaterWritesSurvive(@TempDir Path dir) throws IOException {
    long t = BASE + 9 * DAY;
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      storage.spanConsumer().accept(batch(1, t));
      storage.spanConsumer().accept(batch(2, t));
      crashClose(storage);
    }
    Path segment = onlySegment(dir);
    long size = Files.size(segment);
    // cut the second record short, as a crash in the middle of its write would
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7);
    }
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      assertThat(storage.spanStore().trace(batch(1, t).getFirst().traceId())).hasSize(5);
      assertThat(storage.spanStore().trace(batch(2, t).getFirst().traceId())).isEmpty();
      assertThat(storage.spanStore().spanCount()).isEqualTo(5);
      storage.spanConsumer().accept(batch(3, t));
      crashClose(storage);
    }
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      assertThat(storage.spanStore().trace(batch(3, t).getFirst().traceId())).hasSize(5);
      assertThat(storage.spanStore().spanCount()).isEqualTo(10);
    }
  }

  @Test
  void aCorruptedByteEndsTheLogThere(@TempDir Path dir) throws IOException {
    long t = BASE + 11 * DAY;
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      storage.spanConsumer().accept(batch(1, t));
      crashClose(storage);
    }
    Path segment = onlySegment(dir);
    long size = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x5A}), size / 2);
    }
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      assertThat(storage.spanStore().spanCount()).isZero();
    }
    assertThat(Files.size(segment)).isZero();
  }

  @Test
  void segmentsRollAndFlushedOnesAreDeleted(@TempDir Path dir) throws IOException {
    long t = BASE + 13 * DAY;
    try (DuckDbStorage storage = open(dir, manualFlush(4096, 1_000_000))) {
      for (int b = 0; b < 20; b++) {
        storage.spanConsumer().accept(batch(b, t));
      }
      assertThat(segments(dir)).hasSizeGreaterThan(5);
      storage.flushHead();
      // only the active segment is left
      assertThat(segments(dir)).hasSize(1);
      assertThat(storage.spanStore().spanCount()).isEqualTo(100);
    }
  }

  @Test
  void aFullHeadAnswersOverloadedAndLogsNothing(@TempDir Path dir) {
    long t = BASE + 15 * DAY;
    try (DuckDbStorage storage = open(dir, manualFlush(64L << 20, 10))) {
      storage.spanConsumer().accept(batch(1, t));
      storage.spanConsumer().accept(batch(2, t));
      assertThatThrownBy(() -> storage.spanConsumer().accept(batch(3, t)))
          .isInstanceOf(OverloadedException.class)
          .hasMessageContaining("storage.span-log.head-max-rows 10");
      crashClose(storage);
    }
    try (DuckDbStorage storage = open(dir, manualFlush(64L << 20, 10))) {
      assertThat(storage.spanStore().spanCount()).isEqualTo(10);
      assertThat(storage.spanStore().trace(batch(3, t).getFirst().traceId())).isEmpty();
    }
  }

  @Test
  void retentionDropsOldSpansFromTheHeadToo(@TempDir Path dir) {
    long old = BASE - 100 * DAY;
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      storage.spanConsumer().accept(batch(1, old));
      storage.flushHead();
      storage.spanConsumer().accept(batch(2, old));
      storage.spanConsumer().accept(batch(3, BASE));
      assertThat(storage.deleteSpansStartedBefore(old + DAY)).isEqualTo(10);
      assertThat(storage.spanStore().spanCount()).isEqualTo(5);
      assertThat(storage.headSpans()).isEqualTo(5);
      storage.flushHead();
      assertThat(storage.spanStore().spanCount()).isEqualTo(5);
    }
  }

  @Test
  void withTheLogDisabledALeftOverLogIsStillReplayed(@TempDir Path dir) {
    long t = BASE + 17 * DAY;
    try (DuckDbStorage storage = open(dir, MANUAL)) {
      storage.spanConsumer().accept(batch(1, t));
      crashClose(storage);
    }
    DuckDbStorage.SpanLogOptions d = DuckDbStorage.SpanLogOptions.DEFAULTS;
    DuckDbStorage.Options disabled =
        new DuckDbStorage.Options(
            "1GB",
            2,
            "128MB",
            2,
            new DuckDbStorage.SpanLogOptions(
                d.segmentBytes(),
                d.flushRows(),
                d.flushAge(),
                d.headMaxRows(),
                d.headMaxBytes(),
                d.fullWait(),
                false));
    try (DuckDbStorage storage = DuckDbStorage.open(dir, disabled)) {
      assertThat(storage.headSpans()).isZero();
      assertThat(storage.spanStore().spanCount()).isEqualTo(5);
      storage.spanConsumer().accept(batch(2, t));
      assertThat(storage.headSpans()).isZero();
      assertThat(storage.spanStore().trace(batch(2, t).getFirst().traceId())).hasSize(5);
    }
  }

  @Test
  void theBackgroundFlusherMovesAgedBatches(@TempDir Path dir) throws Exception {
    DuckDbStorage.Options aged =
        new DuckDbStorage.Options(
            "1GB",
            2,
            "128MB",
            2,
            new DuckDbStorage.SpanLogOptions(
                64L << 20, 1_000, Duration.ZERO, 1_000, 1L << 30, Duration.ofSeconds(1)));
    try (DuckDbStorage storage = DuckDbStorage.open(dir, aged)) {
      storage.spanConsumer().accept(batch(1, BASE));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (storage.headSpans() > 0 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
      }
      assertThat(storage.headSpans()).isZero();
      assertThat(storage.spanStore().spanCount()).isEqualTo(5);
    }
  }

  private static DuckDbStorage open(Path dir, DuckDbStorage.Options options) {
    return DuckDbStorage.open(dir, options, (seq, rows) -> {}, false);
  }

  private static List<SpanRow> batch(int n, long t) {
    List<SpanRow> out = new ArrayList<>();
    TraceId id = TestSpans.traceId(10_000L + n);
    for (int s = 1; s <= 5; s++) {
      out.add(
          span(id, s)
              .parent(s - 1)
              .service("log")
              .name("op")
              .start(t + n * MS + s)
              .attr("n", Integer.toString(n))
              .build());
    }
    return out;
  }

  /** Closes the log and database without flushing the head, as a killed process leaves them. */
  private static void crashClose(DuckDbStorage storage) {
    storage.closeWithoutFlush();
  }

  private static Path onlySegment(Path dir) throws IOException {
    List<Path> all = segments(dir);
    assertThat(all).hasSize(1);
    return all.getFirst();
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(SpanLog.DIR_NAME))) {
      return s.sorted().toList();
    }
  }
}
