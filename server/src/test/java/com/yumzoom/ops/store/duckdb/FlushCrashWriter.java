package com.yumzoom.ops.store.duckdb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The child process of {@link DuckDbFlushCrashIT}: writes {@link CrashWriter}'s numbered batches
 * through the span log with a head that is flushed every {@link #FLUSH_ROWS} rows, prints "acked N"
 * after each accept returns and "flushing S" inside each flush transaction just before COMMIT. With
 * {@code hold}, the flusher then waits there, so a kill lands inside the transaction.
 */
final class FlushCrashWriter {

  static final int FLUSH_ROWS = 1_000;

  private FlushCrashWriter() {}

  public static void main(String[] args) {
    boolean hold = args.length > 1 && args[1].equals("hold");
    DuckDbStorage.Options options =
        new DuckDbStorage.Options(
            "512MB",
            1,
            "128MB",
            1,
            new DuckDbStorage.SpanLogOptions(
                64 << 10,
                FLUSH_ROWS,
                Duration.ofDays(1),
                100_000,
                1L << 30,
                Duration.ofSeconds(30)));
    DuckDbStorage storage =
        DuckDbStorage.open(
            Path.of(args[0]),
            options,
            (seq, rows) -> {
              System.out.println("flushing " + seq);
              System.out.flush();
              if (hold) {
                // bounded: the parent kills this process long before
                LockSupport.parkNanos(Duration.ofSeconds(60).toNanos());
              }
            },
            true);
    for (int n = 0; n < CrashWriter.MAX_BATCHES; n++) {
      storage.spanConsumer().accept(CrashWriter.batch(n));
      System.out.println("acked " + n);
      System.out.flush();
    }
    storage.close();
  }
}
