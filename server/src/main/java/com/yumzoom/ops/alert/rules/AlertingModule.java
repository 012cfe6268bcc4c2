package com.yumzoom.ops.alert.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.alert.NotificationSink;
import com.yumzoom.ops.alert.dispatch.AlertHttp;
import com.yumzoom.ops.alert.dispatch.AlertmanagerApi;
import com.yumzoom.ops.alert.dispatch.DispatchConfig;
import com.yumzoom.ops.alert.dispatch.DispatchConfigException;
import com.yumzoom.ops.alert.dispatch.DispatchStore;
import com.yumzoom.ops.alert.dispatch.Dispatcher;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.PromqlEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule side of alerting, assembled: the alerts database, rule manager, dispatcher, their HTTP
 * APIs and two scheduler threads (rule evaluation with file reload and history pruning, handing due
 * groups to up to 4 evaluation threads; dispatch flushing), each ticking every 100 ms so a 1 s
 * evaluation interval and short group waits are kept closely. Workers never die from an exception:
 * each tick catches, logs and goes on.
 */
public final class AlertingModule implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertingModule.class);
  static final Duration TICK = Duration.ofMillis(100);
  static final Duration NFLOG_RETENTION = Duration.ofDays(5);

  private final YumzoomConfig.AlertingSettings settings;
  private final AlertsDatabase db;
  private final RuleStore ruleStore;
  private final DispatchStore dispatchStore;
  private final RuleManager rules;
  private final Dispatcher dispatcher;
  private final Predicate<String> receiverExists;
  private final Clock clock;
  private final SampleStore samples;
  private final ScheduledExecutorService evaluator;
  private final ScheduledExecutorService flusher;
  private volatile byte[] configBytes;

  private AlertingModule(
      YumzoomConfig.AlertingSettings settings,
      AlertsDatabase db,
      RuleStore ruleStore,
      DispatchStore dispatchStore,
      RuleManager rules,
      Dispatcher dispatcher,
      Predicate<String> receiverExists,
      Clock clock,
      SampleStore samples,
      byte[] configBytes,
      ScheduledExecutorService evaluator,
      ScheduledExecutorService flusher) {
    this.settings = settings;
    this.clock = clock;
    this.samples = samples;
    this.evaluator = evaluator;
    this.flusher = flusher;
    this.db = db;
    this.ruleStore = ruleStore;
    this.dispatchStore = dispatchStore;
    this.rules = rules;
    this.dispatcher = dispatcher;
    this.receiverExists = receiverExists;
    this.configBytes = configBytes;
  }

  /**
   * Opens {@code alerts.duckdb}, loads rules and the dispatch configuration and starts evaluating.
   *
   * @param sink where notifications go (the delivery side's outbox; a logging sink until then)
   * @param receiverExists the delivery side's receiver registry, or null to accept the receivers
   *     named in the configuration file ({@code default} without one)
   * @throws DispatchConfigException when the configuration file is invalid (fail fast at start)
   */
  public static AlertingModule start(
      YumzoomConfig.AlertingSettings settings,
      Path dataDir,
      int httpPort,
      SampleStore samples,
      Clock clock,
      NotificationSink sink,
      Predicate<String> receiverExists) {
    String externalUrl =
        settings.externalUrl().isEmpty()
            ? "http://localhost:" + httpPort
            : settings.externalUrl().replaceAll("/+$", "");
    byte[] configBytes = readConfig(settings.configFile());
    Predicate<String> known = receiverExists != null ? receiverExists : r -> true;
    DispatchConfig dispatchConfig =
        configBytes == null
            ? DispatchConfig.defaults()
            : parseConfig(settings.configFile(), configBytes, known);
    AlertsDatabase db = AlertsDatabase.open(dataDir);
    ScheduledExecutorService evaluator =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("yumzoom-alert-rules").factory());
    ScheduledExecutorService flusher =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("yumzoom-alert-dispatch").factory());
    RuleStore ruleStore = null;
    DispatchStore dispatchStore = null;
    try {
      ruleStore = new RuleStore(db);
      dispatchStore = new DispatchStore(db.connect(DispatchStore.SCHEMA, DispatchStore.STEPS));
      Dispatcher dispatcher =
          new Dispatcher(
              dispatchConfig,
              sink,
              dispatchStore,
              clock,
              new Dispatcher.Settings(
                  settings.receiverRateLimit(),
                  settings.receiverRateBurst(),
                  100_000,
                  1_000,
                  Duration.ofSeconds(10),
                  externalUrl));
      Predicate<String> ruleReceivers =
          receiverExists != null
              ? receiverExists
              : name -> dispatcher.config().receivers().contains(name);
      RuleManager rules =
          new RuleManager(
              ruleStore,
              samples,
              new PromqlEngine(samples),
              clock,
              new RuleManager.Settings(
                  settings.evaluationInterval(),
                  settings.ruleFiles(),
                  externalUrl,
                  Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))),
              ruleReceivers,
              alerts -> {
                dispatcher.put(alerts);
                // flush at once rather than at the next tick: a group without group_wait
                // notifies in the same moment its alert fires
                try {
                  flusher.execute(() -> guarded("dispatch", dispatcher::flushDue));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                  // shutting down
                }
              });
      rules.start();
      AlertingModule m =
          new AlertingModule(
              settings,
              db,
              ruleStore,
              dispatchStore,
              rules,
              dispatcher,
              known,
              clock,
              samples,
              configBytes,
              evaluator,
              flusher);
      m.schedule();
      return m;
    } catch (RuntimeException e) {
      evaluator.shutdownNow();
      flusher.shutdownNow();
      if (dispatchStore != null) {
        dispatchStore.close();
      }
      if (ruleStore != null) {
        ruleStore.close();
      }
      db.close();
      throw e;
    }
  }

  private static byte[] readConfig(Path file) {
    if (file == null) {
      return null;
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DispatchConfigException(file.toString(), "cannot read: " + e.getMessage());
    }
  }

  private static DispatchConfig parseConfig(Path file, byte[] bytes, Predicate<String> known) {
    try {
      return DispatchConfig.parse(bytes, known);
    } catch (DispatchConfigException e) {
      throw new DispatchConfigException(file.toString(), e.getMessage());
    }
  }

  private void schedule() {
    long tick = TICK.toMillis();
    evaluator.scheduleWithFixedDelay(
        () -> guarded("rule evaluation", rules::evaluateDue), 0, tick, TimeUnit.MILLISECONDS);
    long reload = settings.reloadInterval().toMillis();
    evaluator.scheduleWithFixedDelay(
        () -> guarded("reload", this::reload), reload, reload, TimeUnit.MILLISECONDS);
    evaluator.scheduleWithFixedDelay(
        () ->
            guarded(
                "history pruning",
                () -> {
                  rules.pruneHistory(settings.historyRetention());
                  dispatcher.pruneLog(NFLOG_RETENTION);
                }),
        1,
        60,
        TimeUnit.MINUTES);
    flusher.scheduleWithFixedDelay(
        () -> guarded("dispatch", dispatcher::flushDue), tick, tick, TimeUnit.MILLISECONDS);
    evaluator.scheduleWithFixedDelay(
        () -> guarded("self-metrics", this::writeSelfMetrics), 1, 15, TimeUnit.SECONDS);
  }

  /**
   * Alerting's own counters go straight into the metrics store (not through {@code /metrics}), so
   * they can be queried and alerted on like any series: rule group durations and failures, and
   * notifications per receiver.
   */
  @SuppressWarnings("unchecked")
  void writeSelfMetrics() {
    long now = clock.millis();
    java.util.List<com.yumzoom.ops.metrics.Sample> out =
        new java.util.ArrayList<>(rules.selfMetrics(now));
    java.util.Map<String, Object> status = dispatcher.status();
    out.add(
        RuleManager.sample(
            "yumzoom_alerts",
            java.util.Map.of(),
            now,
            ((Number) status.get("alerts")).doubleValue()));
    out.add(
        RuleManager.sample(
            "yumzoom_alert_groups",
            java.util.Map.of(),
            now,
            ((Number) status.get("groups")).doubleValue()));
    out.add(
        RuleManager.sample(
            "yumzoom_silences",
            java.util.Map.of(),
            now,
            ((Number) status.get("silences")).doubleValue()));
    var receivers = (java.util.Map<String, java.util.Map<String, Object>>) status.get("receivers");
    receivers.forEach(
        (name, counts) -> {
          var l = java.util.Map.of("receiver", name);
          out.add(
              RuleManager.sample(
                  "yumzoom_notifications_total",
                  l,
                  now,
                  ((Number) counts.get("sent")).doubleValue()));
          out.add(
              RuleManager.sample(
                  "yumzoom_notifications_failed_total",
                  l,
                  now,
                  ((Number) counts.get("failed")).doubleValue()));
          out.add(
              RuleManager.sample(
                  "yumzoom_notifications_rate_limited_total",
                  l,
                  now,
                  ((Number) counts.get("rateLimited")).doubleValue()));
        });
    samples.append(out);
  }

  private static void guarded(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("{} failed; continuing", what, e);
    } catch (Error e) {
      LOG.error("{} failed with an error; continuing", what, e);
      if (e instanceof VirtualMachineError) {
        throw e;
      }
    }
  }

  /**
   * Re-reads rule files and the configuration file; applies each when it changed and is valid.
   *
   * @throws RuleValidationException or {@link DispatchConfigException} naming the file and field
   */
  public synchronized void reload() {
    rules.reloadFiles();
    Path file = settings.configFile();
    if (file != null) {
      byte[] bytes = readConfig(file);
      if (!Arrays.equals(bytes, configBytes)) {
        DispatchConfig next = parseConfig(file, bytes, receiverExists);
        dispatcher.reload(next);
        configBytes = bytes;
        LOG.info("alerting configuration {} reloaded", file);
      }
    }
  }

  /** Binds the rule, Prometheus-compatible, Alertmanager-compatible and reload endpoints. */
  public void register(ServerBuilder sb) {
    AlertHttp http = new AlertHttp(16);
    RulesApi.register(sb, rules, http);
    AlertmanagerApi.register(sb, dispatcher, clock, http);
    sb.route()
        .path("/-/reload")
        .methods(HttpMethod.POST, HttpMethod.PUT)
        .build(
            http.service(
                (ctx, req) -> {
                  try {
                    reload();
                  } catch (RuleValidationException | DispatchConfigException e) {
                    throw AlertHttp.HttpError.badRequest(e.getMessage());
                  }
                  return HttpResponse.of(HttpStatus.OK);
                }));
    sb.route()
        .path("/api/alerting/status")
        .methods(HttpMethod.GET)
        .build(
            http.service(
                (ctx, req) -> {
                  ObjectNode o = AlertHttp.JSON.createObjectNode();
                  o.set("rules", rules.status());
                  o.set("dispatch", AlertHttp.JSON.valueToTree(dispatcher.status()));
                  return AlertHttp.ok(o);
                }));
  }

  public RuleManager rules() {
    return rules;
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Stops the schedulers (letting a running evaluation finish), then closes the database. */
  @Override
  public void close() {
    evaluator.shutdown();
    flusher.shutdown();
    try {
      if (!evaluator.awaitTermination(10, TimeUnit.SECONDS)) {
        evaluator.shutdownNow();
      }
      if (!flusher.awaitTermination(10, TimeUnit.SECONDS)) {
        flusher.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    rules.close();
    dispatchStore.close();
    ruleStore.close();
    db.close();
  }
}
