package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that ingests errors with SIGKILL and checks that every acknowledged event is
 * stored after reopening, that the issues' counts agree with their events (a batch is committed
 * whole or not at all), and that new events still join the same issues.
 */
class ErrorCrashIT {

  @Test
  void acknowledgedEventsSurviveKillNine(@TempDir Path dir) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ErrorCrashWriter.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    int acked = -1;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked < 30 && (line = out.readLine()) != null) {
        if (line.startsWith("acked ")) {
          acked = Integer.parseInt(line.substring(6));
        }
      }
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    assertThat(acked).isGreaterThanOrEqualTo(30);

    try (ErrorTracking tracking =
        ErrorTracking.open(dir, ErrorTracking.Settings.defaults(), Clock.systemUTC())) {
      JsonNode issues =
          tracking
              .queries()
              .list(
                  new ErrorQueries.IssueFilter(
                      null, null, null, null, null, 0, 0, null, "count", 10, 0))
              .get("issues");
      assertThat(issues).hasSize(2);
      long total = issues.get(0).get("count").asLong() + issues.get(1).get("count").asLong();
      assertThat(total % ErrorCrashWriter.PER_BATCH).as("only whole batches").isZero();
      assertThat(total / ErrorCrashWriter.PER_BATCH).isGreaterThanOrEqualTo(acked + 1L);
      long stored = 0;
      for (JsonNode i : issues) {
        long id = i.get("id").asLong();
        stored +=
            tracking
                .store()
                .read(
                    "count",
                    c -> {
                      try (var ps =
                          c.prepareStatement("SELECT count(*) FROM events WHERE issue_id = ?")) {
                        ps.setLong(1, id);
                        try (var rs = ps.executeQuery()) {
                          rs.next();
                          return rs.getLong(1);
                        }
                      }
                    });
      }
      assertThat(stored).isEqualTo(total);
      var ids = tracking.pipeline().submit(ErrorCrashWriter.batch(0)).join();
      assertThat(ids)
          .containsOnly(issues.get(0).get("id").asLong(), issues.get(1).get("id").asLong());
    }
  }
}
