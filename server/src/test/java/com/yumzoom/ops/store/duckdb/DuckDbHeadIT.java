package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanStoreContract;
import com.yumzoom.ops.store.StorageComponent;
import java.nio.file.Path;

/**
 * The contract suite with the span log enabled and its default sizes: the tests' small batches stay
 * in the in-memory head (until close flushes them), so every read is answered from the head, and
 * reopening replays or finds them in the file.
 */
class DuckDbHeadIT extends SpanStoreContract {

  @Override
  protected StorageComponent newStorage(Path dir) {
    DuckDbStorage.SpanLogOptions d = DuckDbStorage.SpanLogOptions.DEFAULTS;
    return DuckDbStorage.open(
        dir,
        new DuckDbStorage.Options(
            "1GB",
            2,
            "128MB",
            4,
            new DuckDbStorage.SpanLogOptions(
                d.segmentBytes(),
                d.flushRows(),
                d.flushAge(),
                d.headMaxRows(),
                d.headMaxBytes(),
                d.fullWait(),
                true)));
  }
}
