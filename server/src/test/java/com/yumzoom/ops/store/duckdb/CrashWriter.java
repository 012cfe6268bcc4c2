package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TestSpans;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link DuckDbCrashIT}: writes numbered batches and prints "acked N" after
 * each commit returns, until it is killed (or, as a bound, after {@link #MAX_BATCHES}).
 */
final class CrashWriter {

  static final int TRACES_PER_BATCH = 20;
  static final int SPANS_PER_TRACE = 10;
  static final int MAX_BATCHES = 5_000;

  private CrashWriter() {}

  static List<SpanRow> batch(int n) {
    List<SpanRow> out = new ArrayList<>();
    for (int t = 0; t < TRACES_PER_BATCH; t++) {
      var id = TestSpans.traceId(1_000_000L + n * TRACES_PER_BATCH + t);
      for (int s = 1; s <= SPANS_PER_TRACE; s++) {
        out.add(
            TestSpans.span(id, s)
                .parent(s - 1)
                .service("crash")
                .name("op")
                .start(TestSpans.BASE + n * TestSpans.MS + s)
                .attr("batch", Integer.toString(n))
                .build());
      }
    }
    return out;
  }

  public static void main(String[] args) {
    DuckDbStorage storage = DuckDbStorage.open(Path.of(args[0]));
    for (int n = 0; n < MAX_BATCHES; n++) {
      storage.spanConsumer().accept(batch(n));
      System.out.println("acked " + n);
      System.out.flush();
    }
    storage.close();
  }
}
