package com.yumzoom.ops.marketplace;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketplace's composition root: database, telemetry, caches, API. Usable in-process (tests,
 * benchmarks) and from {@code MarketplaceCommand serve}.
 */
public final class MarketplaceService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MarketplaceService.class);

  /**
   * How to run. {@code otelOverrides} take precedence over OTEL_* variables (tests point the
   * exporter at their platform); {@code seed} null means do not seed.
   */
  public record Options(
      String host,
      int port,
      Database.Settings database,
      boolean telemetry,
      Map<String, String> otelOverrides,
      boolean caching,
      String redisUrl,
      SeedGenerator.Volumes seed,
      long randomSeed,
      int maxInFlight) {

    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: must be 0..65535 (limit 65535)");
      }
      if (maxInFlight < 1 || maxInFlight > 10_000) {
        throw new IllegalArgumentException("max-in-flight: must be 1..10000 (limit 10000)");
      }
      otelOverrides = Map.copyOf(otelOverrides);
    }

    public static Options defaults() {
      return new Options(
          "0.0.0.0",
          8090,
          Database.Settings.embedded(),
          true,
          Map.of(),
          true,
          null,
          SeedGenerator.Volumes.defaults(),
          42,
          512);
    }

    public Options withPort(int p) {
      return new Options(
          host,
          p,
          database,
          telemetry,
          otelOverrides,
          caching,
          redisUrl,
          seed,
          randomSeed,
          maxInFlight);
    }

    public Options withTelemetry(boolean on, Map<String, String> overrides) {
      return new Options(
          host, port, database, on, overrides, caching, redisUrl, seed, randomSeed, maxInFlight);
    }

    public Options withCaching(boolean on, String redis) {
      return new Options(
          host, port, database, telemetry, otelOverrides, on, redis, seed, randomSeed, maxInFlight);
    }

    public Options withSeed(SeedGenerator.Volumes volumes) {
      return new Options(
          host,
          port,
          database,
          telemetry,
          otelOverrides,
          caching,
          redisUrl,
          volumes,
          randomSeed,
          maxInFlight);
    }

    public Options withDatabase(Database.Settings settings) {
      return new Options(
          host,
          port,
          settings,
          telemetry,
          otelOverrides,
          caching,
          redisUrl,
          seed,
          randomSeed,
          maxInFlight);
    }
  }

  private final Database database;
  private final Telemetry telemetry;
  private final MarketplaceCaches caches;
  private final Faults faults;
  private final Server server;

  private MarketplaceService(
      Database database,
      Telemetry telemetry,
      MarketplaceCaches caches,
      Faults faults,
      Server server) {
    this.database = database;
    this.telemetry = telemetry;
    this.caches = caches;
    this.faults = faults;
    this.server = server;
  }

  public static MarketplaceService start(Options options, Clock clock) {
    Telemetry telemetry =
        options.telemetry()
            ? Telemetry.fromEnvironment(options.otelOverrides())
            : Telemetry.disabled();
    Database database = null;
    MarketplaceCaches caches = null;
    try {
      database = Database.open(options.database());
      if (options.seed() != null) {
        new SeedGenerator(options.seed(), options.randomSeed(), clock)
            .seedIfEmpty(database.dataSource());
      }
      caches =
          options.caching()
              ? MarketplaceCaches.enabled(
                  options.redisUrl(),
                  telemetry.enabled()
                      ? telemetry.openTelemetry().getMeter("com.yumzoom.ops.cache")
                      : null)
              : MarketplaceCaches.disabled();
      Faults faults = new Faults(() -> ThreadLocalRandom.current().nextDouble());
      Store store = new Store(telemetry.instrument(database.dataSource()));
      ServerBuilder sb =
          Server.builder().http(new InetSocketAddress(options.host(), options.port()));
      sb.decorator(HttpTracing.decorator(telemetry));
      // The payment provider is reached over HTTP; its port is known only once the server is up.
      PortHolder port = new PortHolder();
      PaymentGateway payments =
          new PaymentGateway(port::paymentsUri, Duration.ofMillis(1500), telemetry);
      Marketplace marketplace =
          new Marketplace(store, caches, payments, faults, telemetry, clock, ZoneId.of("UTC"));
      new HttpApi(marketplace, faults, telemetry, options.maxInFlight()).register(sb);
      sb.gracefulShutdownTimeout(Duration.ofMillis(200), Duration.ofSeconds(5));
      Server server = sb.build();
      server.start().join();
      port.port = server.activeLocalPort();
      LOG.info(
          "marketplace listening on http://localhost:{} (telemetry {}, caching {})",
          port.port,
          telemetry.enabled() ? "on" : "off",
          caches == null ? "off" : options.redisUrl() == null ? "L1" : "L1+Redis");
      return new MarketplaceService(database, telemetry, caches, faults, server);
    } catch (RuntimeException e) {
      if (caches != null) {
        caches.close();
      }
      if (database != null) {
        database.close();
      }
      telemetry.close();
      throw e;
    }
  }

  private static final class PortHolder {
    volatile int port;

    URI paymentsUri() {
      return URI.create("http://127.0.0.1:" + port + "/internal/payments/authorize");
    }
  }

  public int port() {
    return server.activeLocalPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public Faults faults() {
    return faults;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  public Database database() {
    return database;
  }

  @Override
  public void close() {
    server.stop().join();
    if (caches != null) {
      caches.close();
    }
    telemetry.close();
    database.close();
  }
}
