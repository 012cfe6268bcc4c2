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
 * Kills a process with SIGKILL while its flusher moves the head into DuckDB, and checks that every
 * acknowledged batch is there exactly once after reopening: the span log replays what the
 * interrupted flush did not commit, and skips what a committed flush recorded.
 */
class DuckDbFlushCrashIT {

  private static final long BATCH_SPANS =
      CrashWriter.TRACES_PER_BATCH * CrashWriter.SPANS_PER_TRACE;

  @Test
  void killInsideAFlushTransactionLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
    // the flusher holds its transaction open (rows appended, position updated, not committed)
    int acked = runAndKill(dir, true, 2, 20);
    assertExactlyOnce(dir, acked);
  }

  @Test
  void killWhileFlushesAndAcceptsInterleaveLosesAndDuplicatesNothing(@TempDir Path dir)
      throws Exception {
    // flushes commit and segments roll and go while batches keep coming; the kill lands anywhere
    int acked = runAndKill(dir, false, 6, 60);
    assertExactlyOnce(dir, acked);
  }

  /** Runs the child until it has acked {@code minAcked} batches and seen enough flushes. */
  private static int runAndKill(Path dir, boolean hold, int minFlushes, int minAcked)
      throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                FlushCrashWriter.class.getName(),
                dir.toString(),
                hold ? "hold" : "run")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    int acked = -1;
    int flushes = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      // bounded: the child stops by itself after CrashWriter.MAX_BATCHES
      while ((acked < minAcked || flushes < minFlushes) && (line = out.readLine()) != null) {
        if (line.startsWith("acked ")) {
          acked = Integer.parseInt(line.substring(6));
        } else if (line.startsWith("flushing ")) {
          flushes++;
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    assertThat(flushes).isGreaterThanOrEqualTo(minFlushes);
    return acked;
  }

  private static void assertExactlyOnce(Path dir, int acked) {
    try (DuckDbStorage storage = DuckDbStorage.open(dir)) {
      long count = storage.spanStore().spanCount();
      assertThat(count % BATCH_SPANS).as("only whole batches").isZero();
      assertThat(count / BATCH_SPANS).isGreaterThanOrEqualTo(acked + 1L);
      for (int n = 0; n <= acked; n++) {
        List<SpanRow> expected = CrashWriter.batch(n);
        assertThat(storage.spanStore().trace(expected.getFirst().traceId()))
            .as("batch %d", n)
            .hasSize(CrashWriter.SPANS_PER_TRACE);
      }
      // everything replayed reaches the file and the log shrinks again
      storage.flushHead();
      assertThat(storage.headSpans()).isZero();
      assertThat(storage.spanStore().spanCount()).isEqualTo(count);
    }
  }
}
