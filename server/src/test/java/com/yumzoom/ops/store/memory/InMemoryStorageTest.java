package com.yumzoom.ops.store.memory;

import com.yumzoom.ops.store.SpanStoreContract;
import com.yumzoom.ops.store.StorageComponent;
import java.nio.file.Path;

class InMemoryStorageTest extends SpanStoreContract {

  @Override
  protected StorageComponent newStorage(Path dir) {
    return new InMemoryStorage();
  }

  @Override
  protected boolean supportsReopen() {
    return false;
  }
}
