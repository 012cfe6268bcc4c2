package com.yumzoom.ops.bench.marketplace;

import com.sun.net.httpserver.HttpServer;
import com.yumzoom.ops.marketplace.Database;
import com.yumzoom.ops.marketplace.MarketplaceService;
import com.yumzoom.ops.marketplace.SeedGenerator;
import com.yumzoom.ops.marketplace.TrafficGenerator;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Marketplace throughput and latency under its traffic generator, with and without OpenTelemetry
 * instrumentation and with and without the in-process cache, side by side in one run.
 *
 * <p>One embedded PostgreSQL is seeded once and shared by the four configurations, each a fresh
 * marketplace (cold cache) that is warmed up and then measured. With instrumentation on, the SDK
 * exports over OTLP/HTTP to a loopback sink that accepts and discards, so the cost measured is the
 * SDK's (spans, JDBC wrapping, metrics, serialization, export), not a platform's.
 */
@Command(
    name = "marketplace-benchmark",
    mixinStandardHelpOptions = true,
    description = "Marketplace throughput/latency: instrumentation and caching on and off.")
public final class MarketplaceBenchmark implements Callable<Integer> {

  @Option(names = "--restaurants", defaultValue = "3000")
  int restaurants;

  @Option(names = "--users", defaultValue = "20000")
  int users;

  @Option(names = "--orders", defaultValue = "120000")
  int orders;

  @Option(names = "--rate", defaultValue = "400", description = "Journeys started per second.")
  double rate;

  @Option(names = "--concurrency", defaultValue = "32", description = "Journeys in flight at most.")
  int concurrency;

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description = "Seconds of warmup per configuration.")
  int warmup;

  @Option(
      names = "--duration",
      defaultValue = "30",
      description = "Measured seconds per configuration.")
  int duration;

  @Option(
      names = "--rounds",
      defaultValue = "2",
      description = "Rounds over the configurations, alternating their order (default 2).")
  int rounds;

  @Option(
      names = "--jit-warmup",
      defaultValue = "60",
      description =
          "Seconds of traffic before anything is measured, so no configuration pays for JIT.")
  int jitWarmup;

  @Option(names = "--out", description = "Also write the markdown table to this file.")
  Path out;

  record Config(String name, boolean telemetry, boolean caching) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new MarketplaceBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    LongAdder sinkBytes = new LongAdder();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            sinkBytes.add(in.readAllBytes().length);
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    sink.start();
    List<Config> configs =
        List.of(
            new Config("no instrumentation, no cache", false, false),
            new Config("instrumented, no cache", true, false),
            new Config("no instrumentation, cache (L1)", false, true),
            new Config("instrumented, cache (L1)", true, true));
    List<String> rows = new ArrayList<>();
    double load =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try (Database db = Database.open(Database.Settings.embedded())) {
      new SeedGenerator(
              new SeedGenerator.Volumes(restaurants, users, orders, 25), 42, Clock.systemUTC())
          .seed(db.dataSource());
      Database.Settings shared =
          new Database.Settings(db.jdbcUrl(), "postgres", "postgres", 16, null);
      // All configurations run the same code in this JVM: warm it once, unmeasured.
      MarketplaceService warm =
          MarketplaceService.start(
              MarketplaceService.Options.defaults()
                  .withPort(0)
                  .withDatabase(shared)
                  .withSeed(null)
                  .withCaching(false, null)
                  .withTelemetry(
                      true,
                      Map.of(
                          "otel.exporter.otlp.endpoint",
                          "http://127.0.0.1:" + sink.getAddress().getPort())),
              Clock.systemUTC());
      try {
        run(warm, jitWarmup, 0);
      } finally {
        warm.close();
      }
      List<Config> order = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        List<Config> these = new ArrayList<>(configs);
        if (round % 2 == 1) {
          java.util.Collections.reverse(these);
        }
        order.addAll(these);
      }
      int index = 0;
      for (Config config : order) {
        int round = index++ / configs.size() + 1;
        MarketplaceService service =
            MarketplaceService.start(
                MarketplaceService.Options.defaults()
                    .withPort(0)
                    .withDatabase(shared)
                    .withSeed(null)
                    .withCaching(config.caching(), null)
                    .withTelemetry(
                        config.telemetry(),
                        Map.of(
                            "otel.exporter.otlp.endpoint",
                            "http://127.0.0.1:" + sink.getAddress().getPort())),
                Clock.systemUTC());
        try {
          run(service, warmup, 1);
          TrafficGenerator.Report report = run(service, duration, 2);
          System.out.println("== round " + round + ": " + config.name());
          System.out.print(report.format());
          rows.add(row(round, config, report));
        } finally {
          service.close();
        }
      }
    } finally {
      sink.stop(0);
    }
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "load average at start %.2f; %d journeys/s offered, %d in flight at most, %d s measured%n%n",
            load,
            (long) rate,
            concurrency,
            duration));
    table.append(
        "| round | configuration | requests/s | errors | search p50/p99 ms | restaurant p50/p99 ms | menu"
            + " p50/p99 ms | order p50/p99 ms | dropped journeys |\n");
    table.append("|---|---|---|---|---|---|---|---|---|\n");
    rows.forEach(table::append);
    System.out.println();
    System.out.print(table);
    if (out != null) {
      Files.writeString(out, table.toString());
    }
    return 0;
  }

  private TrafficGenerator.Report run(MarketplaceService service, int seconds, long seed)
      throws InterruptedException {
    TrafficGenerator generator =
        new TrafficGenerator(
            new TrafficGenerator.Settings(
                URI.create(service.baseUrl()),
                rate,
                Duration.ofSeconds(seconds),
                concurrency,
                seed));
    try {
      return generator.run();
    } finally {
      generator.close();
    }
  }

  private static String row(int round, Config config, TrafficGenerator.Report r) {
    return String.format(
        Locale.ROOT,
        "| %d | %s | %.0f | %d | %s | %s | %s | %s | %d |%n",
        round,
        config.name(),
        r.requests() / r.seconds(),
        r.errors(),
        step(r, "search"),
        step(r, "restaurant"),
        step(r, "menu"),
        step(r, "order"),
        r.dropped());
  }

  private static String step(TrafficGenerator.Report r, String name) {
    return r.steps().stream()
        .filter(s -> s.step().equals(name))
        .findFirst()
        .map(s -> String.format(Locale.ROOT, "%.1f / %.1f", s.p50(), s.p99()))
        .orElse("-");
  }
}
