package com.yumzoom.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

  @TempDir Path dir;

  @Test
  void missingMarketplaceJarStopsBeforeStartingAnythingWithTheBuildCommand() throws Exception {
    Path jar = dir.resolve("nope.jar");
    Path data = dir.resolve("data");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    PrintStream previous = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new YumzoomCommand())
              .execute("demo", "--marketplace-jar", jar.toString(), "--data-dir", data.toString());
    } finally {
      System.setErr(previous);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("marketplace jar not found at " + jar)
        .contains("-pl server,marketplace -am package");
    assertThat(Files.exists(data)).as("the platform was not started").isFalse();
  }

  @Test
  void demoIsASubcommandWithItsOptions() {
    CommandLine cli = new CommandLine(new YumzoomCommand());
    CommandLine demo = cli.getSubcommands().get("demo");
    assertThat(demo).isNotNull();
    assertThat(demo.getCommandSpec().optionsMap())
        .containsKeys("--marketplace-jar", "--rate", "--fault", "--data-dir", "--http-port");
  }
}
