package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanStoreContract;
import com.yumzoom.ops.store.StorageComponent;
import java.nio.file.Path;

/** The contract suite against a real DuckDB file in a temporary directory. */
class DuckDbStorageIT extends SpanStoreContract {

  @Override
  protected StorageComponent newStorage(Path dir) {
    return DuckDbStorage.open(dir);
  }
}
