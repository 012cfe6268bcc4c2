package com.yumzoom.ops.store.duckdb;

import static com.yumzoom.ops.store.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanStoreContract;
import com.yumzoom.ops.store.StorageComponent;
import com.yumzoom.ops.store.TraceId;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract suite against a real DuckDB file in a temporary directory, plus DuckDB specifics.
 */
class DuckDbStorageIT extends SpanStoreContract {

  @Override
  protected StorageComponent newStorage(Path dir) {
    return DuckDbStorage.open(dir);
  }

  @Test
  void aBatchFailingHalfwayLeavesNothingBehind() {
    long t = window();
    TraceId id = newTrace();
    List<SpanRow> rows = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      rows.add(span(id, i).parent(i - 1).service("atomic-" + i).start(t + i).build());
    }
    // the writer reads the batch twice (indexes, then the appender): fail in the second pass
    List<SpanRow> failing =
        new AbstractList<>() {
          int reads;

          @Override
          public SpanRow get(int index) {
            if (++reads == rows.size() + 6) {
              throw new IllegalStateException("boom");
            }
            return rows.get(index);
          }

          @Override
          public int size() {
            return rows.size();
          }
        };
    long before = store().spanCount();

    assertThatThrownBy(() -> write(failing)).hasMessage("boom");

    assertThat(store().spanCount()).isEqualTo(before);
    assertThat(store().trace(id)).isEmpty();
    assertThat(store().serviceNames()).doesNotContain("atomic-1");
    // the writer is still usable, and the indexes it had staged are written with the retry
    write(rows);
    assertThat(store().trace(id)).hasSize(10);
    assertThat(store().serviceNames()).contains("atomic-1", "atomic-10");
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsClearly() {
    assertThatThrownBy(() -> DuckDbStorage.open(dir.resolve("data")).close())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("yumzoom.duckdb");
  }

  @Test
  void optionsNameTheBadSetting() {
    assertThatThrownBy(() -> new DuckDbStorage.Options("2GB", 0, "128MB", 4))
        .hasMessage("storage.duckdb.threads must be between 1 and 256, got 0");
    assertThatThrownBy(() -> new DuckDbStorage.Options("2GB", 2, "128MB", 0))
        .hasMessage("storage.duckdb.readers must be between 1 and 64, got 0");
    assertThatThrownBy(() -> new DuckDbStorage.Options(" ", 2, "128MB", 4))
        .hasMessage("storage.duckdb.memoryLimit is missing");
  }
}
