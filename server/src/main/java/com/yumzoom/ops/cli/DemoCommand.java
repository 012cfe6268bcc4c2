package com.yumzoom.ops.cli;

import com.yumzoom.ops.config.ConfigException;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code yumzoom demo}: the platform in this process, the YumZoom marketplace (with its own
 * embedded PostgreSQL and a traffic generator) as a child process exporting to it over OTLP. Ctrl-C
 * stops the child first, then drains the platform.
 *
 * <p>The marketplace runs as a separate JVM on purpose: it is "the application being watched", and
 * the platform must not depend on it (nor on its libraries) to build or run.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the platform with the YumZoom marketplace and simulated customers reporting to it.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--data-dir", description = "Platform data directory (default ./data-demo).")
  Path dataDir = Path.of("data-demo");

  @Option(names = "--http-port", description = "Platform UI/API port (default 8080).")
  int httpPort = 8080;

  @Option(names = "--otlp-grpc-port", description = "Platform OTLP gRPC port (default 4317).")
  int otlpGrpcPort = 4317;

  @Option(names = "--otlp-http-port", description = "Platform OTLP HTTP port (default 4318).")
  int otlpHttpPort = 4318;

  @Option(
      names = "--marketplace-jar",
      description =
          "The marketplace's shaded jar (default marketplace/target/yumzoom-marketplace.jar, or"
              + " YUMZOOM_MARKETPLACE_JAR).")
  Path marketplaceJar;

  @Option(names = "--marketplace-port", description = "Marketplace port (default 8090).")
  int marketplacePort = 8090;

  @Option(names = "--rate", description = "Customer journeys started per second (default 5).")
  double rate = 5;

  @Option(
      names = "--fault",
      description =
          "Marketplace faults on from the start: slow-query, n-plus-one, error-burst,"
              + " payment-outage (repeatable).")
  List<String> faults = new ArrayList<>();

  @Option(
      names = "--marketplace-arg",
      description =
          "Extra argument for `marketplace serve`, e.g. --marketplace-arg=--orders=20000.")
  List<String> marketplaceArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Path jar = resolveJar();
    if (!Files.isRegularFile(jar)) {
      System.err.println(
          "yumzoom demo: marketplace jar not found at "
              + jar
              + "; build it with ./mvnw -B -q -DskipTests -pl server,marketplace -am package"
              + " (./yumzoom demo does this for you)");
      return 2;
    }
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("data-dir", dataDir.toString());
    flags.put("server.http-port", Integer.toString(httpPort));
    flags.put("otlp.grpc-port", Integer.toString(otlpGrpcPort));
    flags.put("otlp.http-port", Integer.toString(otlpHttpPort));
    // Span-derived metrics appear within seconds instead of the production 15 s.
    flags.put("metrics.self-scrape-interval", "5s");
    YumzoomConfig config;
    try {
      config = ConfigLoader.load(null, System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("yumzoom demo: " + e.getMessage());
      return 2;
    }
    YumzoomServer platform = YumzoomServer.start(config, Clock.systemUTC());
    Process child;
    try {
      child = startMarketplace(jar, platform.port());
    } catch (IOException e) {
      platform.close();
      System.err.println("yumzoom demo: cannot start the marketplace: " + e.getMessage());
      return 1;
    }
    printUrls();
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stopping =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread hook =
        Thread.ofPlatform()
            .name("yumzoom-demo-shutdown")
            .unstarted(
                () -> {
                  stopping.set(true);
                  stopChild(child);
                  platform.close();
                  stopped.countDown();
                });
    Runtime.getRuntime().addShutdownHook(hook);
    Thread.ofPlatform()
        .daemon()
        .name("marketplace-watch")
        .start(
            () -> {
              try {
                int code = child.waitFor();
                if (!stopping.get()) {
                  System.err.println(
                      "yumzoom demo: the marketplace exited with code "
                          + code
                          + "; the platform keeps running (Ctrl-C to stop)");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    stopped.await();
    return 0;
  }

  private Path resolveJar() {
    if (marketplaceJar != null) {
      return marketplaceJar;
    }
    String env = System.getenv("YUMZOOM_MARKETPLACE_JAR");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of("marketplace", "target", "yumzoom-marketplace.jar");
  }

  private Process startMarketplace(Path jar, int platformPort) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx1g");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("--sun-misc-unsafe-memory-access=allow");
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.add("serve");
    command.add("--port=" + marketplacePort);
    command.add("--traffic");
    command.add("--rate=" + rate);
    for (String fault : faults) {
      command.add("--fault=" + fault);
    }
    command.addAll(marketplaceArgs);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + platformPort);
    env.putIfAbsent("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.putIfAbsent("OTEL_METRIC_EXPORT_INTERVAL", "5000");
    // The platform ingests OTLP logs at /v1/logs: error records with exception attributes become
    // error events (docs/errors.md), so the marketplace's error logs are exported too.
    env.putIfAbsent("OTEL_LOGS_EXPORTER", "otlp");
    Process process = pb.start();
    Thread.ofPlatform()
        .daemon()
        .name("marketplace-output")
        .start(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  System.out.println("[marketplace] " + line);
                }
              } catch (IOException e) {
                // the child is gone; nothing more to copy
              }
            });
    return process;
  }

  private void printUrls() {
    String platform = "http://localhost:" + httpPort;
    String market = "http://localhost:" + marketplacePort;
    System.out.println();
    System.out.println("YumZoom demo is starting (the marketplace seeds its database first).");
    System.out.println("  platform            " + platform + "/");
    System.out.println("  services            " + platform + "/api/v1/services");
    System.out.println(
        "  traces              "
            + platform
            + "/api/search?tags=service.name%3D%22yumzoom-marketplace%22");
    System.out.println(
        "  span metrics        "
            + platform
            + "/api/v1/query?query=sum%20by%20(span_name)%20(rate(traces_spanmetrics_calls_total%5B1m%5D))");
    System.out.println("  Grafana             Prometheus and Tempo data source URL " + platform);
    System.out.println("  marketplace         " + market + "/api/restaurants/search?q=pizza");
    System.out.println(
        "  faults              curl -X POST "
            + market
            + "/admin/faults/error-burst   (or"
            + " slow-query, n-plus-one, payment-outage; ?enabled=false to stop)");
    System.out.println("Ctrl-C stops everything.");
    System.out.println();
  }

  private static void stopChild(Process child) {
    if (!child.isAlive()) {
      return;
    }
    child.destroy();
    try {
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        child.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
