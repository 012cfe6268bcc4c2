package com.yumzoom.ops.cli;

import com.yumzoom.ops.config.ConfigException;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code yumzoom serve}: runs the platform until SIGTERM/SIGINT, then drains. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the platform. Works with no configuration file.")
final class ServeCommand implements java.util.concurrent.Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      description = "YAML configuration file (optional).")
  Path configFile;

  @Option(names = "--data-dir", description = "Data directory (default ./data).")
  String dataDir;

  @Option(names = "--http-port", description = "UI/API port (default 8080).")
  Integer httpPort;

  @Option(names = "--otlp-grpc-port", description = "OTLP gRPC port (default 4317).")
  Integer otlpGrpcPort;

  @Option(names = "--otlp-http-port", description = "OTLP HTTP port (default 4318).")
  Integer otlpHttpPort;

  @Option(
      names = "--set",
      description = "Override any configuration key, e.g. --set retention.max-age=3d",
      paramLabel = "KEY=VALUE")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> flags = new LinkedHashMap<>(overrides);
    putIfSet(flags, "data-dir", dataDir);
    putIfSet(flags, "server.http-port", httpPort);
    putIfSet(flags, "otlp.grpc-port", otlpGrpcPort);
    putIfSet(flags, "otlp.http-port", otlpHttpPort);
    YumzoomConfig config;
    try {
      config = ConfigLoader.load(configFile, System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("yumzoom: " + e.getMessage());
      return 2;
    }
    YumzoomServer server = YumzoomServer.start(config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("yumzoom-shutdown")
                .unstarted(
                    () -> {
                      server.close();
                      stopped.countDown();
                    }));
    stopped.await();
    return 0;
  }

  private static void putIfSet(Map<String, String> flags, String key, Object value) {
    if (value != null) {
      flags.put(key, value.toString());
    }
  }
}
