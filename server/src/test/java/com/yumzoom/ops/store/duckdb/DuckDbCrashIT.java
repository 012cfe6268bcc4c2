package com.yumzoom.ops.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.store.SpanRow;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL and checks that every acknowledged batch is there after
 * reopening (DuckDB replays its WAL), and that no batch is there in part.
 */
class DuckDbCrashIT {

  @Test
  void acknowledgedBatchesSurviveKillNine(@TempDir Path dir) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                CrashWriter.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    int acked = -1;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      // bounded: the child stops by itself after MAX_BATCHES
      while (acked < 40 && (line = out.readLine()) != null) {
        if (line.startsWith("acked ")) {
          acked = Integer.parseInt(line.substring(6));
        }
      }
    } finally {
      // SIGKILL while the child keeps writing: no shutdown hook, no checkpoint, a batch in flight
      child.destroyForcibly();
      child.waitFor();
    }
    assertThat(acked).isGreaterThanOrEqualTo(40);

    try (DuckDbStorage storage = DuckDbStorage.open(dir)) {
      long batchSpans = CrashWriter.TRACES_PER_BATCH * CrashWriter.SPANS_PER_TRACE;
      long count = storage.spanStore().spanCount();
      assertThat(count % batchSpans).as("only whole batches").isZero();
      assertThat(count / batchSpans).isGreaterThanOrEqualTo(acked + 1L);
      for (int n : new int[] {0, acked / 2, acked}) {
        List<SpanRow> expected = CrashWriter.batch(n);
        assertThat(storage.spanStore().trace(expected.getFirst().traceId()))
            .hasSize(CrashWriter.SPANS_PER_TRACE);
      }
    }
  }
}
