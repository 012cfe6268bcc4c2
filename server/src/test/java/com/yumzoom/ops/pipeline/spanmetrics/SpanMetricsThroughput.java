package com.yumzoom.ops.pipeline.spanmetrics;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: a rough figure for {@link SpanMetrics#record} throughput. Run with {@code java -cp
 * target/classes:target/test-classes com.yumzoom.ops.pipeline.spanmetrics.SpanMetricsThroughput}.
 * Three rounds of 1,000 batches of 1,000 fresh spans over 20 services x 50 operations, mixed kinds,
 * statuses and durations.
 */
public final class SpanMetricsThroughput {
  private SpanMetricsThroughput() {}

  public static void main(String[] args) {
    int batches = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    SpanMetrics m = new SpanMetrics();
    for (int round = 0; round < 3; round++) { // the first rounds warm up the JIT
      run(m, batches);
    }
  }

  private static void run(SpanMetrics m, int batches) {
    // Every row gets its own String instances, as decoded spans do, so hashes are not cached.
    List<List<SpanRow>> pool = new ArrayList<>();
    java.util.Random rnd = new java.util.Random(42);
    for (int b = 0; b < batches; b++) {
      List<SpanRow> batch = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        int svc = rnd.nextInt(20);
        batch.add(
            new SpanRow(
                new TraceId(1, 2),
                i,
                0,
                "service-" + svc,
                "operation-" + svc + "-" + rnd.nextInt(50),
                1 + rnd.nextInt(5),
                0,
                (long) (rnd.nextDouble() * 2_000_000_000L),
                rnd.nextInt(3),
                "",
                new byte[0],
                new byte[0]));
      }
      pool.add(batch);
    }
    long start = System.nanoTime();
    for (int i = 0; i < batches; i++) {
      m.record(pool.get(i));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long s0 = System.nanoTime();
    int samples = m.snapshot(0).size();
    double snapMs = (System.nanoTime() - s0) / 1e6;
    System.out.printf(
        "record: %.1f M spans/s (%d spans in %.2f s); %d series, snapshot %d samples in %.1f ms%n",
        batches * 1_000L / seconds / 1e6,
        batches * 1_000L,
        seconds,
        m.seriesCount(),
        samples,
        snapMs);
  }
}
