package com.yumzoom.ops.marketplace;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code java -jar yumzoom-marketplace.jar serve|traffic|seed}. */
@Command(
    name = "yumzoom-marketplace",
    mixinStandardHelpOptions = true,
    version = "YumZoom marketplace 0.1.0",
    description = "The YumZoom restaurant marketplace reference service.",
    subcommands = {
      MarketplaceCommand.Serve.class,
      MarketplaceCommand.Traffic.class,
      MarketplaceCommand.Seed.class
    })
public final class MarketplaceCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new MarketplaceCommand()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class DbOptions {
    @Option(
        names = "--db-url",
        description =
            "PostgreSQL JDBC URL (or MARKETPLACE_DB_URL; user/password from MARKETPLACE_DB_USER,"
                + " MARKETPLACE_DB_PASSWORD). Without one, an embedded PostgreSQL is started.")
    String dbUrl;

    @Option(
        names = "--db-dir",
        description =
            "Keep the embedded PostgreSQL's data here across runs (default: a temporary directory).")
    java.nio.file.Path dbDir;

    Database.Settings settings() {
      Database.Settings s = Database.Settings.fromEnv(dbUrl, System.getenv());
      return new Database.Settings(s.url(), s.user(), s.password(), s.poolSize(), dbDir);
    }
  }

  static final class SeedOptions {
    @Option(
        names = "--restaurants",
        defaultValue = "3000",
        description = "Seeded restaurants (default ${DEFAULT-VALUE}).")
    int restaurants;

    @Option(
        names = "--users",
        defaultValue = "20000",
        description = "Seeded users (default ${DEFAULT-VALUE}).")
    int users;

    @Option(
        names = "--orders",
        defaultValue = "120000",
        description = "Seeded orders (default ${DEFAULT-VALUE}).")
    int orders;

    @Option(
        names = "--reviews-percent",
        defaultValue = "25",
        description = "Share of delivered orders reviewed (default ${DEFAULT-VALUE}).")
    int reviewsPercent;

    @Option(
        names = "--random-seed",
        defaultValue = "42",
        description = "Seed of the generator; same seed, same data (default ${DEFAULT-VALUE}).")
    long randomSeed;

    SeedGenerator.Volumes volumes() {
      return new SeedGenerator.Volumes(restaurants, users, orders, reviewsPercent);
    }
  }

  static final class TrafficOptions {
    @Option(
        names = "--rate",
        defaultValue = "5",
        description = "Journeys started per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(
        names = "--concurrency",
        defaultValue = "32",
        description = "Journeys in progress at most (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
        names = "--duration",
        description = "How long, e.g. PT60S or 60s (default: until stopped).")
    String duration;

    Duration parsedDuration() {
      if (duration == null) {
        return null;
      }
      String d = duration.trim().toUpperCase(java.util.Locale.ROOT);
      return Duration.parse(d.startsWith("P") ? d : "PT" + d);
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the marketplace.")
  static final class Serve implements Callable<Integer> {
    @Option(
        names = "--port",
        defaultValue = "8090",
        description = "HTTP port (default ${DEFAULT-VALUE}).")
    int port;

    @Mixin DbOptions db = new DbOptions();
    @Mixin SeedOptions seed = new SeedOptions();

    @Option(names = "--no-seed", description = "Do not seed an empty database.")
    boolean noSeed;

    @Option(names = "--no-telemetry", description = "Run without OpenTelemetry (benchmarks).")
    boolean noTelemetry;

    @Option(names = "--no-cache", description = "Run without the cache (benchmarks).")
    boolean noCache;

    @Option(
        names = "--redis-url",
        description =
            "Redis for the shared cache layer (or MARKETPLACE_REDIS_URL); default in-process only.")
    String redisUrl;

    @Option(names = "--traffic", description = "Also generate traffic against this service.")
    boolean traffic;

    @Mixin TrafficOptions trafficOptions = new TrafficOptions();

    @Option(
        names = "--fault",
        description =
            "Faults on from the start: slow-query, n-plus-one, error-burst, payment-outage.")
    java.util.List<String> faults = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
      String redis = redisUrl != null ? redisUrl : System.getenv("MARKETPLACE_REDIS_URL");
      MarketplaceService.Options options =
          MarketplaceService.Options.defaults()
              .withPort(port)
              .withDatabase(db.settings())
              .withTelemetry(!noTelemetry, Map.of())
              .withCaching(!noCache, redis)
              .withSeed(noSeed ? null : seed.volumes());
      options =
          new MarketplaceService.Options(
              options.host(),
              options.port(),
              options.database(),
              options.telemetry(),
              options.otelOverrides(),
              options.caching(),
              options.redisUrl(),
              options.seed(),
              seed.randomSeed,
              options.maxInFlight());
      MarketplaceService service = MarketplaceService.start(options, Clock.systemUTC());
      for (String f : faults) {
        service.faults().set(Faults.Fault.parse(f), true);
      }
      System.out.println(
          "marketplace: "
              + service.baseUrl()
              + "  (faults: POST "
              + service.baseUrl()
              + "/admin/faults/{name})");
      TrafficGenerator generator =
          traffic
              ? new TrafficGenerator(
                  new TrafficGenerator.Settings(
                      URI.create(service.baseUrl()),
                      trafficOptions.rate,
                      trafficOptions.parsedDuration(),
                      trafficOptions.concurrency,
                      seed.randomSeed))
              : null;
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              Thread.ofPlatform()
                  .name("marketplace-shutdown")
                  .unstarted(
                      () -> {
                        if (generator != null) {
                          generator.close();
                        }
                        service.close();
                        stopped.countDown();
                      }));
      if (generator != null) {
        Thread.ofPlatform()
            .name("traffic")
            .daemon()
            .start(
                () -> {
                  try {
                    TrafficGenerator.Report report = generator.run();
                    System.out.print(report.format());
                  } catch (Exception e) {
                    System.err.println("traffic stopped: " + e);
                  }
                });
      }
      stopped.await();
      return 0;
    }
  }

  @Command(
      name = "traffic",
      mixinStandardHelpOptions = true,
      description =
          "Generate user journeys against a running marketplace and report latency percentiles.")
  static final class Traffic implements Callable<Integer> {
    @Option(
        names = "--target",
        defaultValue = "http://localhost:8090",
        description = "Marketplace base URL (default ${DEFAULT-VALUE}).")
    URI target;

    @Mixin TrafficOptions options = new TrafficOptions();

    @Option(
        names = "--random-seed",
        defaultValue = "7",
        description = "Seed of the journeys (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
      Duration duration =
          options.parsedDuration() == null ? Duration.ofSeconds(60) : options.parsedDuration();
      TrafficGenerator generator =
          new TrafficGenerator(
              new TrafficGenerator.Settings(
                  target, options.rate, duration, options.concurrency, seed));
      TrafficGenerator.Report report = generator.run();
      generator.close();
      System.out.print(report.format());
      return 0;
    }
  }

  @Command(
      name = "seed",
      mixinStandardHelpOptions = true,
      description = "Load generated data into a database (migrating it first).")
  static final class Seed implements Callable<Integer> {
    @Mixin DbOptions db = new DbOptions();
    @Mixin SeedOptions seed = new SeedOptions();

    @Override
    public Integer call() {
      try (Database database = Database.open(db.settings())) {
        new SeedGenerator(seed.volumes(), seed.randomSeed, Clock.systemUTC())
            .seedIfEmpty(database.dataSource());
      }
      return 0;
    }
  }
}
