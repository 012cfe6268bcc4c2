package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanStoreContract;
import com.yumzoom.ops.store.StorageComponent;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The contract suite with a flusher that moves every batch into DuckDB as soon as it is accepted,
 * so reads race with flushes and find a trace's spans in the head, in the file, or on both sides.
 * ({@link DuckDbStorageIT} runs it with the default settings, where the head keeps these small
 * batches.)
 */
class DuckDbEagerFlushIT extends SpanStoreContract {

  @Override
  protected StorageComponent newStorage(Path dir) {
    return DuckDbStorage.open(
        dir,
        new DuckDbStorage.Options(
            "1GB",
            2,
            "128MB",
            4,
            new DuckDbStorage.SpanLogOptions(
                1L << 20, 1, Duration.ZERO, 10_000, 1L << 30, Duration.ofSeconds(5))));
  }
}
