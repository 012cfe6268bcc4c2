package com.yumzoom.ops.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.alert.delivery.AlertDelivery;
import com.yumzoom.ops.alert.rules.AlertingModule;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.errors.ErrorTracking;
import com.yumzoom.ops.errors.ErrorsRoutes;
import com.yumzoom.ops.ingest.IngestRoutes;
import com.yumzoom.ops.ingest.IngestStats;
import com.yumzoom.ops.ingest.metrics.OtlpMetricsRoutes;
import com.yumzoom.ops.metrics.SelfScraper;
import com.yumzoom.ops.metrics.duckdb.DuckDbSampleStore;
import com.yumzoom.ops.metrics.scrape.ScrapeConfig;
import com.yumzoom.ops.metrics.scrape.ScrapeManager;
import com.yumzoom.ops.pipeline.GroupCommitWriter;
import com.yumzoom.ops.pipeline.RetentionEnforcer;
import com.yumzoom.ops.pipeline.spanmetrics.SpanMetrics;
import com.yumzoom.ops.query.PrometheusApi;
import com.yumzoom.ops.query.QueryRoutes;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.store.StorageComponent;
import com.yumzoom.ops.store.duckdb.DuckDbStorage;
import com.yumzoom.ops.web.WebUi;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part of the platform from one {@link YumzoomConfig} and owns
 * their lifecycle. No framework wiring; reading this class tells what runs.
 *
 * <p>Shutdown order is what makes SIGTERM safe: the HTTP/gRPC server stops first (new requests are
 * refused, requests in flight still wait for their commit), then the writer commits everything
 * queued, then the store checkpoints and closes.
 */
public final class YumzoomServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(YumzoomServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Distinct (service, span name, kind, status) keys of span-derived RED metrics. */
  static final int SPAN_METRIC_KEYS = 500;

  private final YumzoomConfig config;
  private final StorageComponent storage;
  private final GroupCommitWriter writer;
  private final RetentionEnforcer retention;
  private final SelfScraper selfScraper;
  private final ScheduledExecutorService scrapeScheduler;
  private final DuckDbSampleStore metricsStore;
  private final ScrapeManager scrapeManager;
  private final Server server;
  private final ErrorTracking errors;
  private final AlertDelivery alertDelivery;
  private final AlertingModule alerting;
  private final WebUi webUi;
  private volatile boolean closed;

  private YumzoomServer(
      YumzoomConfig config,
      StorageComponent storage,
      GroupCommitWriter writer,
      RetentionEnforcer retention,
      SelfScraper selfScraper,
      ScheduledExecutorService scrapeScheduler,
      DuckDbSampleStore metricsStore,
      ScrapeManager scrapeManager,
      Server server,
      ErrorTracking errors,
      AlertDelivery alertDelivery,
      AlertingModule alerting,
      WebUi webUi) {
    this.metricsStore = metricsStore;
    this.scrapeManager = scrapeManager;
    this.errors = errors;
    this.config = config;
    this.alertDelivery = alertDelivery;
    this.alerting = alerting;
    this.webUi = webUi;
    this.selfScraper = selfScraper;
    this.scrapeScheduler = scrapeScheduler;
    this.storage = storage;
    this.writer = writer;
    this.retention = retention;
    this.server = server;
  }

  /** Opens the store, starts the pipeline and every listener; returns when all are ready. */
  public static YumzoomServer start(YumzoomConfig config, Clock clock) {
    StorageComponent storage =
        DuckDbStorage.open(
            config.dataDir(), DuckDbStorage.Options.withSpanLog(config.storage().spanLogEnabled()));
    GroupCommitWriter writer = null;
    RetentionEnforcer retention = null;
    SpanMetrics spanMetrics = new SpanMetrics(SPAN_METRIC_KEYS);
    SelfScraper selfScraper = null;
    ErrorTracking errors = null;
    AlertDelivery alertDelivery = null;
    AlertingModule alerting = null;
    WebUi webUi = null;
    DuckDbSampleStore metricsStore = null;
    ScrapeManager scrapeManager = null;
    ScheduledExecutorService scrapeScheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("yumzoom-self-scrape").factory());
    try {
      YumzoomConfig.PipelineSettings p = config.pipeline();
      // --- errors (issue 5): own store errors.duckdb, fed by committed spans' exception events
      errors =
          ErrorTracking.open(
              config.dataDir(),
              ErrorTracking.Settings.from(config.errors(), p.retryAfter()),
              clock);
      java.util.function.Consumer<java.util.List<com.yumzoom.ops.store.SpanRow>> spanErrors =
          errors.spanExtractor();
      // --- end errors
      writer =
          new GroupCommitWriter(
              storage.spanConsumer(),
              p.queueMaxSpans(),
              p.commitMaxSpans(),
              p.retryAfter(),
              System::nanoTime,
              rows -> {
                spanMetrics.record(rows);
                spanErrors.accept(rows); // hands off only; never blocks the writer
              });
      retention = new RetentionEnforcer(storage, clock, config.retention().maxAge());

      ServerBuilder sb = Server.builder();
      for (int port : listenPorts(config)) {
        sb.http(new InetSocketAddress(config.host(), port));
      }
      sb.maxRequestLength(config.limits().maxBodyBytes());
      sb.requestTimeout(Duration.ofSeconds(30));
      sb.gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(20));
      IngestStats ingestStats = new IngestStats();
      IngestRoutes.register(sb, writer, config.limits(), ingestStats, p.maxConcurrentRequests());
      QueryRoutes.register(sb, storage.spanStore(), clock);
      GroupCommitWriter w = writer;
      sb.service("/health/live", (ctx, req) -> HttpResponse.of("ok"));
      sb.service(
          "/health/ready",
          (ctx, req) ->
              w.isAccepting()
                  ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ready")
                  : HttpResponse.of(
                      HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "stopping"));
      sb.service(
          "/api/v1/status",
          (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, status(w)));
      // --- metrics store (issue 3): metrics.duckdb with an in-memory head of recent samples ---
      metricsStore = DuckDbSampleStore.open(config.dataDir(), config.metrics(), clock);
      ScrapeConfig scrapeConfig = scrapeConfig(config);
      scrapeManager = new ScrapeManager(scrapeConfig, metricsStore, clock, System::nanoTime);
      ScrapeManager.register(sb, scrapeManager);
      SelfMetrics selfMetrics =
          new SelfMetrics(ingestStats, writer, storage.spanStore(), metricsStore);
      selfMetrics.scrapeStats(scrapeManager.stats());
      sb.service(
          "/metrics",
          (ctx, req) ->
              HttpResponse.of(
                  CompletableFuture.supplyAsync(
                      () ->
                          HttpResponse.of(
                              HttpStatus.OK,
                              MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
                              selfMetrics.render()),
                      ctx.blockingTaskExecutor())));
      // Issue 3's first slice: the server's own metrics, scraped into an in-memory store and
      // queryable over the Prometheus HTTP API (so Grafana's Prometheus data source works).
      selfMetrics.otlpMetricsStats(OtlpMetricsRoutes.register(sb, metricsStore, config.limits()));
      PromqlEngine promql = new PromqlEngine(metricsStore);
      PrometheusApi.register(sb, promql, metricsStore, clock);
      // --- web UI (issue 6): single-page app, dashboards API, live dashboard streams (SSE) ---
      webUi = WebUi.register(sb, config.dataDir(), promql, clock);
      // --- end web UI ---
      // --- errors (issue 5): ingest (JSON API, Sentry, OTLP logs) and the issues API
      ErrorsRoutes.register(sb, errors, config.limits());
      errors.schedule(
          scrapeScheduler,
          config.selfScrapeInterval(),
          metricsStore,
          config.retention().maxAge(),
          config.retention().checkInterval());
      // --- end errors
      selfScraper =
          new SelfScraper(
              selfMetrics::render,
              metricsStore,
              "localhost:" + config.httpPort(),
              clock,
              System::nanoTime);
      // ---- alerting, delivery side (issue 4): receivers, outbox, escalation, incidents ----
      // The rule side hands notifications to alertDelivery (a NotificationSink) and checks its
      // routes against alertDelivery.receiverExists().
      alertDelivery = AlertDelivery.open(config.alertDelivery(), config.dataDir(), clock);
      alertDelivery.register(sb);
      // ---- alerting, rule side (issue 4): rules, evaluation, routing/grouping/silences; it hands
      // notifications to the delivery side's outbox and checks receivers against it.
      if (config.alerting().enabled()) {
        alerting =
            AlertingModule.start(
                config.alerting(),
                config.dataDir(),
                config.httpPort(),
                metricsStore,
                clock,
                alertDelivery,
                alertDelivery.receiverExists());
        alerting.register(sb);
      }
      // ---- end alerting, rule side
      // ---- end alerting delivery ----
      Server server = sb.build();
      server.start().join();
      alertDelivery.start();
      retention.start(config.retention().checkInterval());
      selfScraper.start(scrapeScheduler, config.selfScrapeInterval());
      spanMetrics.scheduleFlush(scrapeScheduler, config.selfScrapeInterval(), metricsStore, clock);
      scrapeManager.start();
      LOG.info(
          "YumZoom Ops listening on {} (UI/API {}, OTLP gRPC {}, OTLP HTTP {}), data in {}",
          server.activePorts().keySet(),
          config.httpPort(),
          config.otlpGrpcPort(),
          config.otlpHttpPort(),
          config.dataDir().toAbsolutePath().normalize());
      return new YumzoomServer(
          config,
          storage,
          writer,
          retention,
          selfScraper,
          scrapeScheduler,
          metricsStore,
          scrapeManager,
          server,
          errors,
          alertDelivery,
          alerting,
          webUi);
    } catch (RuntimeException e) {
      scrapeScheduler.shutdownNow();
      if (webUi != null) {
        webUi.close();
      }
      if (alerting != null) {
        alerting.close();
      }
      if (alertDelivery != null) {
        alertDelivery.close();
      }
      if (writer != null) {
        writer.close();
        writer = null;
      }
      if (errors != null) {
        errors.close();
      }
      if (selfScraper != null) {
        selfScraper.close();
      }
      if (retention != null) {
        retention.close();
      }
      if (writer != null) {
        writer.close();
      }
      if (scrapeManager != null) {
        scrapeManager.close();
      }
      if (metricsStore != null) {
        metricsStore.close();
      }
      storage.close();
      throw e;
    }
  }

  private static ScrapeConfig scrapeConfig(YumzoomConfig config) {
    if (config.metrics().scrapeConfigFile() == null) {
      return ScrapeConfig.EMPTY;
    }
    try {
      return ScrapeConfig.load(config.metrics().scrapeConfigFile());
    } catch (IllegalArgumentException e) {
      throw new com.yumzoom.ops.config.ConfigException(
          "metrics.scrape-config-file",
          config.metrics().scrapeConfigFile() + ": " + e.getMessage());
    }
  }

  /**
   * Every listener serves every route (Armeria speaks gRPC and HTTP on one port), so 4317, 4318 and
   * 8080 differ only by convention. Port 0 means "any free port" (tests): one listener is enough.
   */
  static Set<Integer> listenPorts(YumzoomConfig config) {
    Set<Integer> ports = new LinkedHashSet<>();
    ports.add(config.httpPort());
    ports.add(config.otlpGrpcPort());
    ports.add(config.otlpHttpPort());
    return ports.contains(0) ? Set.of(0) : ports;
  }

  private static String status(GroupCommitWriter writer) {
    ObjectNode node = JSON.createObjectNode();
    node.put("queuedSpans", writer.queuedSpans());
    node.put("committedSpans", writer.committedSpans());
    node.put("commits", writer.commits());
    node.put("failedCommits", writer.failedCommits());
    node.put("rejectedSpans", writer.rejectedSpans());
    node.put("lastCommitMillis", writer.lastCommitDuration().toNanos() / 1e6);
    node.put("maxCommitMillis", writer.maxCommitDuration().toNanos() / 1e6);
    return node.toString();
  }

  /** A local port that serves every route. */
  public int port() {
    return server.activeLocalPort();
  }

  public YumzoomConfig config() {
    return config;
  }

  public StorageComponent storage() {
    return storage;
  }

  public GroupCommitWriter writer() {
    return writer;
  }

  public ErrorTracking errors() {
    return errors;
  }

  /** The delivery side of alerting: the notification sink and the receivers it knows. */
  public AlertDelivery alertDelivery() {
    return alertDelivery;
  }

  /** Drains: stops listening, commits everything acknowledged or queued, closes the store. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("shutting down: draining in-flight requests and queued spans");
    webUi.close();
    server.stop().join();
    // Rules first: they hand notifications to the delivery side, which must still be open.
    if (alerting != null) {
      alerting.close();
    }
    alertDelivery.close();
    selfScraper.close();
    scrapeScheduler.shutdownNow();
    scrapeManager.close();
    metricsStore.close();
    writer.close();
    errors.close(); // after the span writer: its last commits may still carry exception events
    retention.close();
    storage.close();
    LOG.info("stopped; {} spans committed in this run", writer.committedSpans());
  }
}
