package com.yumzoom.ops.alert.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.dispatch.DispatchAlert;
import com.yumzoom.ops.alert.dispatch.Fingerprints;
import com.yumzoom.ops.alert.rules.ActiveAlert.State;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.Ast;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.Values;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the rule groups (from files and from the API), evaluates each at its interval, keeps alert
 * state, writes recording-rule results and the {@code ALERTS} / {@code ALERTS_FOR_STATE} series
 * into the metrics store, persists every transition, and hands firing and resolved alerts to the
 * dispatcher.
 *
 * <p>Design: the state machine is Prometheus' ({@code rules/alerting.go}): a new result is pending,
 * becomes firing once it held for {@code for} (at once when {@code for} is 0), stays firing {@code
 * keep_firing_for} after the result disappeared, then is resolved and kept 15 minutes. Time comes
 * only from the injected clock and evaluation timestamps are the scheduled slot times, so a test
 * drives everything with {@link #evaluateDue()} after moving a manual clock. One lock guards all
 * groups, taken per group evaluation: an evaluation and an API change never interleave, and API
 * reads see a consistent picture while waiting for at most one group. Series that a rule wrote in
 * its previous evaluation but not in this one get a staleness marker, as Prometheus writes them, so
 * queries stop seeing them at once instead of after the 5 minute lookback.
 */
public final class RuleManager {

  private static final Logger LOG = LoggerFactory.getLogger(RuleManager.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long RESOLVED_RETENTION_MS = Duration.ofMinutes(15).toMillis();
  static final int MAX_GROUPS = 10_000;
  static final int MAX_ALERTS_PER_RULE = 10_000;

  /**
   * Settings of the rule side.
   *
   * @param defaultInterval interval of groups that name none
   * @param ruleFiles paths or globs (in the file name part) of Prometheus rule files
   * @param externalUrl base URL for links in annotations and generator URLs
   */
  public record Settings(
      Duration defaultInterval, List<String> ruleFiles, String externalUrl, int threads) {
    public Settings {
      if (defaultInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("evaluation interval must be at least 1s");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("evaluation threads must be at least 1");
      }
      ruleFiles = List.copyOf(ruleFiles);
    }

    /** Groups evaluated one after another on the caller's thread (tests). */
    public Settings(Duration defaultInterval, List<String> ruleFiles, String externalUrl) {
      this(defaultInterval, ruleFiles, externalUrl, 1);
    }
  }

  private final RuleStore store;
  private final SampleStore samples;
  private final PromqlEngine engine;
  private final Clock clock;
  private final Settings settings;
  private final RuleParser parser;
  private final Consumer<List<DispatchAlert>> dispatcher;
  private final Object lock = new Object();
  private final Map<String, GroupState> groups = new LinkedHashMap<>();
  private String filesDigest = "";
  private String lastReloadError;
  private final java.util.concurrent.atomic.LongAdder evaluations =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder failedEvaluations =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder missedIterations =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.ExecutorService pool;

  RuleManager(
      RuleStore store,
      SampleStore samples,
      PromqlEngine engine,
      Clock clock,
      Settings settings,
      Predicate<String> receiverExists,
      Consumer<List<DispatchAlert>> dispatcher) {
    this.store = store;
    this.samples = samples;
    this.engine = engine;
    this.clock = clock;
    this.settings = settings;
    this.parser = new RuleParser(receiverExists);
    this.dispatcher = dispatcher;
    this.pool =
        settings.threads() == 1
            ? null
            : java.util.concurrent.Executors.newFixedThreadPool(
                settings.threads(),
                Thread.ofPlatform().daemon().name("yumzoom-rule-eval-", 0).factory());
  }

  /** Stops the evaluation threads, if any. */
  void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  // ---- runtime state

  private static final class RuleState {
    RuleSpec spec;
    final Ast.Expr expr;
    final Map<String, Template> labelTemplates = new TreeMap<>();
    final Map<String, Template> annotationTemplates = new TreeMap<>();
    final Map<String, ActiveAlert> active = new LinkedHashMap<>();
    Set<Labels> lastSeries = Set.of();
    String health = "unknown";
    String lastError;
    long lastEvalMs;
    long evalNanos;

    RuleState(RuleSpec spec) {
      this.spec = spec;
      this.expr = PromqlEngine.parse(spec.expr());
      spec.labels().forEach((k, v) -> labelTemplates.put(k, Template.parse(v)));
      spec.annotations().forEach((k, v) -> annotationTemplates.put(k, Template.parse(v)));
    }

    boolean sameDefinition(RuleSpec other) {
      return spec.isAlerting() == other.isAlerting() && spec.expr().equals(other.expr());
    }
  }

  private static final class GroupState {
    GroupSpec spec;
    List<RuleState> rules;
    long nextDueMs = -1;
    boolean removed;
    long lastEvalMs;
    long evalNanos;
    long evaluations;
    long failures;

    GroupState(GroupSpec spec, List<RuleState> rules) {
      this.spec = spec;
      this.rules = rules;
    }
  }

  /** What one evaluation produced, written and handed on after the group. */
  private static final class Effects {
    final List<Transition> transitions = new ArrayList<>();
    final List<RuleStore.ActiveRow> upserts = new ArrayList<>();
    final List<RuleStore.ActiveRow> deletes = new ArrayList<>();
    final List<DispatchAlert> toDispatch = new ArrayList<>();
    final List<Sample> series = new ArrayList<>();
  }

  // ---- lifecycle

  /** Loads API groups, rule files and the persisted alert state. Bad rule files are logged. */
  void start() {
    synchronized (lock) {
      for (Map.Entry<String, String> e : store.loadApiGroups().entrySet()) {
        try {
          GroupSpec g =
              parser.parseGroup(e.getValue().getBytes(StandardCharsets.UTF_8), e.getKey());
          groups.put(g.name(), newGroup(g));
        } catch (RuntimeException ex) {
          LOG.error(
              "stored rule group {} no longer valid, skipped: {}", e.getKey(), ex.getMessage());
        }
      }
      try {
        reloadFilesLocked(true);
      } catch (RuleValidationException ex) {
        lastReloadError = ex.getMessage();
        LOG.error("rule files not loaded: {}", ex.getMessage());
      }
      restore();
    }
  }

  private void restore() {
    int restored = 0;
    for (RuleStore.ActiveRow row : store.loadActive()) {
      GroupState g = groups.get(row.group());
      RuleState r = g == null ? null : find(g, row.rule());
      if (r == null || !r.spec.isAlerting()) {
        store.apply(List.of(), List.of(), List.of(row));
        continue;
      }
      ActiveAlert a =
          new ActiveAlert(
              row.fingerprint(),
              row.labels(),
              row.annotations(),
              ActiveAlert.parse(row.state()),
              row.value(),
              row.activeAtMs());
      a.firedAtMs = row.firedAtMs();
      a.resolvedAtMs = row.resolvedAtMs();
      a.keepFiringSinceMs = row.keepFiringSinceMs();
      r.active.put(a.fingerprint, a);
      restored++;
    }
    if (restored > 0) {
      LOG.info("restored {} active alerts", restored);
    }
  }

  // ---- evaluation

  /**
   * Evaluates every group whose slot has come, in parallel when configured with several threads (as
   * Prometheus runs each group on its own goroutine); returns when all are done, with the number of
   * groups evaluated.
   */
  public int evaluateDue() {
    List<GroupState> all;
    synchronized (lock) {
      all = List.copyOf(groups.values());
    }
    int n = 0;
    if (pool == null) {
      for (GroupState g : all) {
        n += evaluateIfDue(g) ? 1 : 0;
      }
      return n;
    }
    List<java.util.concurrent.Callable<Boolean>> tasks = new ArrayList<>();
    for (GroupState g : all) {
      tasks.add(() -> evaluateIfDue(g));
    }
    try {
      for (java.util.concurrent.Future<Boolean> f : pool.invokeAll(tasks)) {
        n += f.get() ? 1 : 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.error("rule group evaluation failed", e.getCause());
    }
    return n;
  }

  /**
   * Locking: a group's own monitor guards its state. Evaluation takes only that monitor, so API
   * reads and changes (which take the manager lock, then the group's) wait for at most one group's
   * evaluation, and groups evaluate concurrently.
   */
  private boolean evaluateIfDue(GroupState g) {
    synchronized (g) {
      if (g.removed) {
        return false;
      }
      long now = clock.millis();
      long interval = interval(g).toMillis();
      if (g.nextDueMs < 0) {
        g.nextDueMs = now;
      }
      if (now < g.nextDueMs) {
        return false;
      }
      long missed = (now - g.nextDueMs) / interval;
      missedIterations.add(missed);
      long ts = g.nextDueMs + missed * interval;
      evaluate(g, ts);
      g.nextDueMs = ts + interval;
      return true;
    }
  }

  private Duration interval(GroupState g) {
    return g.spec.interval() != null ? g.spec.interval() : settings.defaultInterval();
  }

  private void evaluate(GroupState g, long ts) {
    long start = System.nanoTime();
    Effects fx = new Effects();
    for (RuleState r : g.rules) {
      long t0 = System.nanoTime();
      try {
        Values.Value v = engine.instant(r.expr, ts);
        List<Values.Sample> vector = toVector(v, ts);
        if (r.spec.isAlerting()) {
          evalAlerting(g, r, ts, vector, fx);
        } else {
          evalRecording(r, ts, vector, fx);
        }
        r.health = "ok";
        r.lastError = null;
      } catch (RuntimeException e) {
        failedEvaluations.increment();
        g.failures++;
        r.health = "err";
        r.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.debug("rule {} of group {} failed: {}", r.spec.name(), g.spec.name(), r.lastError);
      }
      r.lastEvalMs = ts;
      r.evalNanos = System.nanoTime() - t0;
      evaluations.increment();
    }
    g.lastEvalMs = ts;
    g.evalNanos = System.nanoTime() - start;
    g.evaluations++;
    flush(fx);
  }

  private void flush(Effects fx) {
    if (!fx.series.isEmpty()) {
      samples.append(fx.series);
    }
    try {
      store.apply(fx.transitions, fx.upserts, fx.deletes);
    } catch (RuntimeException e) {
      LOG.error("persisting alert transitions failed: {}", e.getMessage());
    }
    if (!fx.toDispatch.isEmpty()) {
      try {
        dispatcher.accept(fx.toDispatch);
      } catch (RuntimeException e) {
        LOG.error("dispatcher refused {} alerts", fx.toDispatch.size(), e);
      }
    }
  }

  private static List<Values.Sample> toVector(Values.Value v, long ts) {
    return switch (v) {
      case Values.Vector vec -> vec.samples();
      case Values.Scalar s -> List.of(new Values.Sample(Labels.EMPTY, s.value(), ts));
      default ->
          throw new IllegalStateException(
              "rule result is not a vector or scalar: " + v.getClass().getSimpleName());
    };
  }

  private void evalRecording(RuleState r, long ts, List<Values.Sample> vector, Effects fx) {
    Set<Labels> written = new HashSet<>();
    List<Sample> out = new ArrayList<>(vector.size());
    for (Values.Sample s : vector) {
      TreeMap<String, String> m = new TreeMap<>(s.labels().map());
      m.putAll(r.spec.labels());
      m.put(Labels.NAME, r.spec.record());
      Labels l = new Labels(m);
      if (!written.add(l)) {
        throw new IllegalStateException(
            "vector contains metrics with the same labelset after applying rule labels");
      }
      out.add(new Sample(l, ts, s.value()));
    }
    fx.series.addAll(out);
    stale(r, written, ts, fx);
  }

  private void stale(RuleState r, Set<Labels> written, long ts, Effects fx) {
    for (Labels old : r.lastSeries) {
      if (!written.contains(old)) {
        fx.series.add(new Sample(old, ts, Values.STALE_NAN));
      }
    }
    r.lastSeries = written;
  }

  private void evalAlerting(
      GroupState g, RuleState r, long ts, List<Values.Sample> vector, Effects fx) {
    RuleSpec spec = r.spec;
    Set<String> seen = new HashSet<>();
    for (Values.Sample s : vector) {
      Map<String, String> sampleLabels = new TreeMap<>(s.labels().map());
      Template.Context ctx = new Template.Context(s.value(), sampleLabels, settings.externalUrl());
      TreeMap<String, String> labels = new TreeMap<>(sampleLabels);
      labels.remove(Labels.NAME);
      r.labelTemplates.forEach((k, t) -> labels.put(k, t.render(ctx)));
      labels.put("alertname", spec.alert());
      labels.values().removeIf(String::isEmpty);
      Template.Context annotationCtx =
          new Template.Context(s.value(), labels, settings.externalUrl());
      Map<String, String> annotations = new TreeMap<>();
      r.annotationTemplates.forEach((k, t) -> annotations.put(k, t.render(annotationCtx)));
      if (spec.remediation() != null) {
        annotations.put("remediation", spec.remediation());
      }
      String fp = Fingerprints.of(labels);
      if (!seen.add(fp)) {
        throw new IllegalStateException(
            "vector contains metrics with the same labelset after applying alert labels");
      }
      ActiveAlert existing = r.active.get(fp);
      if (existing != null && existing.state != State.INACTIVE) {
        existing.value = s.value();
        existing.annotations = Map.copyOf(annotations);
        continue;
      }
      if (existing == null && r.active.size() >= MAX_ALERTS_PER_RULE) {
        throw new IllegalStateException(
            "exceeded limit of " + MAX_ALERTS_PER_RULE + " alerts per rule");
      }
      String from = existing == null ? "inactive" : existing.stateName();
      ActiveAlert a = new ActiveAlert(fp, labels, annotations, State.PENDING, s.value(), ts);
      r.active.put(fp, a);
      transition(g, r, a, from, ts, fx);
    }
    long keep = spec.keepFiringFor().toMillis();
    long hold = spec.forDuration().toMillis();
    Set<Labels> written = new HashSet<>();
    for (ActiveAlert a : List.copyOf(r.active.values())) {
      if (!seen.contains(a.fingerprint)) {
        if (keep > 0 && a.state == State.FIRING) {
          if (a.keepFiringSinceMs == 0) {
            a.keepFiringSinceMs = ts;
            fx.upserts.add(row(g, r, a));
          }
          if (ts - a.keepFiringSinceMs < keep) {
            firingOutputs(g, r, a, ts, fx, written);
            continue;
          }
        }
        if (a.state == State.PENDING) {
          r.active.remove(a.fingerprint);
          String from = a.stateName();
          a.state = State.INACTIVE;
          fx.transitions.add(transitionRow(g, r, a, from, "inactive", ts));
          fx.deletes.add(row(g, r, a));
          continue;
        }
        if (a.state == State.INACTIVE) {
          if (ts - a.resolvedAtMs > RESOLVED_RETENTION_MS) {
            r.active.remove(a.fingerprint);
            fx.deletes.add(row(g, r, a));
          }
          continue;
        }
        a.state = State.INACTIVE;
        a.resolvedAtMs = ts;
        a.keepFiringSinceMs = 0;
        transition(g, r, a, "firing", ts, fx);
        fx.toDispatch.add(dispatchAlert(g, r, a, ts));
        continue;
      }
      if (a.keepFiringSinceMs != 0) {
        a.keepFiringSinceMs = 0;
        fx.upserts.add(row(g, r, a));
      }
      if (a.state == State.PENDING && ts - a.activeAtMs >= hold) {
        a.state = State.FIRING;
        a.firedAtMs = ts;
        transition(g, r, a, "pending", ts, fx);
      }
      if (a.state == State.PENDING) {
        alertsSeries(a, "pending", ts, fx, written);
      } else if (a.state == State.FIRING) {
        firingOutputs(g, r, a, ts, fx, written);
      }
    }
    stale(r, written, ts, fx);
  }

  private void firingOutputs(
      GroupState g, RuleState r, ActiveAlert a, long ts, Effects fx, Set<Labels> written) {
    alertsSeries(a, "firing", ts, fx, written);
    fx.toDispatch.add(dispatchAlert(g, r, a, ts));
  }

  private static void alertsSeries(
      ActiveAlert a, String state, long ts, Effects fx, Set<Labels> written) {
    TreeMap<String, String> m = new TreeMap<>(a.labels);
    m.put(Labels.NAME, "ALERTS");
    m.put("alertstate", state);
    Labels alerts = new Labels(m);
    TreeMap<String, String> f = new TreeMap<>(a.labels);
    f.put(Labels.NAME, "ALERTS_FOR_STATE");
    Labels forState = new Labels(f);
    fx.series.add(new Sample(alerts, ts, 1));
    fx.series.add(new Sample(forState, ts, a.activeAtMs / 1000.0));
    written.add(alerts);
    written.add(forState);
  }

  private void transition(
      GroupState g, RuleState r, ActiveAlert a, String from, long ts, Effects fx) {
    fx.transitions.add(transitionRow(g, r, a, from, a.stateName(), ts));
    fx.upserts.add(row(g, r, a));
  }

  private static Transition transitionRow(
      GroupState g, RuleState r, ActiveAlert a, String from, String to, long ts) {
    return new Transition(
        ts, g.spec.name(), r.spec.name(), a.fingerprint, a.labels, from, to, a.value);
  }

  private static RuleStore.ActiveRow row(GroupState g, RuleState r, ActiveAlert a) {
    return new RuleStore.ActiveRow(
        g.spec.name(),
        r.spec.name(),
        a.fingerprint,
        a.labels,
        a.annotations,
        a.stateName(),
        a.value,
        a.activeAtMs,
        a.firedAtMs,
        a.resolvedAtMs,
        a.keepFiringSinceMs);
  }

  private DispatchAlert dispatchAlert(GroupState g, RuleState r, ActiveAlert a, long ts) {
    boolean resolved = a.state == State.INACTIVE;
    Alert alert =
        new Alert(
            resolved ? Alert.RESOLVED : Alert.FIRING,
            a.labels,
            a.annotations,
            Instant.ofEpochMilli(a.firedAtMs != 0 ? a.firedAtMs : a.activeAtMs),
            resolved ? Instant.ofEpochMilli(a.resolvedAtMs) : null,
            settings.externalUrl()
                + "/graph?g0.expr="
                + URLEncoder.encode(r.spec.expr(), StandardCharsets.UTF_8)
                + "&g0.tab=1",
            a.fingerprint);
    long validity = 4 * Math.max(interval(g).toMillis(), 60_000);
    return new DispatchAlert(
        alert, Instant.ofEpochMilli(ts + validity), r.spec.receiver(), r.spec.sendResolved());
  }

  /** Ends a rule that is removed or replaced: resolves its alerts and marks its series stale. */
  private void retire(GroupState g, RuleState r, Effects fx) {
    long ts = clock.millis();
    stale(r, Set.of(), ts, fx);
    for (ActiveAlert a : r.active.values()) {
      String from = a.stateName();
      if (a.state == State.FIRING) {
        a.state = State.INACTIVE;
        a.resolvedAtMs = ts;
        fx.transitions.add(transitionRow(g, r, a, from, "resolved", ts));
        fx.toDispatch.add(dispatchAlert(g, r, a, ts));
      } else if (a.state == State.PENDING) {
        fx.transitions.add(transitionRow(g, r, a, from, "inactive", ts));
      }
      fx.deletes.add(row(g, r, a));
    }
    r.active.clear();
  }

  // ---- changes

  private GroupState newGroup(GroupSpec spec) {
    List<RuleState> rules = new ArrayList<>();
    for (RuleSpec r : spec.rules()) {
      rules.add(new RuleState(r));
    }
    return new GroupState(spec, rules);
  }

  /** Replaces or adds a group, carrying over the state of rules whose definition is unchanged. */
  private void install(GroupSpec spec, Effects fx) {
    GroupState old = groups.get(spec.name());
    if (old == null) {
      if (groups.size() >= MAX_GROUPS) {
        throw new RuleValidationException(
            "name", "too many rule groups (limit " + MAX_GROUPS + ")");
      }
      groups.put(spec.name(), newGroup(spec));
      return;
    }
    synchronized (old) {
      replaceRules(old, spec, fx);
    }
  }

  private void replaceRules(GroupState old, GroupSpec spec, Effects fx) {
    Map<String, RuleState> previous = new HashMap<>();
    for (RuleState r : old.rules) {
      previous.put(r.spec.name(), r);
    }
    List<RuleState> rules = new ArrayList<>();
    for (RuleSpec r : spec.rules()) {
      RuleState prev = previous.get(r.name());
      if (prev != null && prev.sameDefinition(r)) {
        previous.remove(r.name());
        RuleState next = new RuleState(r);
        next.active.putAll(prev.active);
        next.lastSeries = prev.lastSeries;
        next.health = prev.health;
        next.lastError = prev.lastError;
        next.lastEvalMs = prev.lastEvalMs;
        next.evalNanos = prev.evalNanos;
        rules.add(next);
      } else {
        rules.add(new RuleState(r));
      }
    }
    for (RuleState gone : previous.values()) {
      retire(old, gone, fx);
    }
    old.spec = spec;
    old.rules = rules;
  }

  private void removeGroup(String name, Effects fx) {
    GroupState g = groups.remove(name);
    if (g != null) {
      synchronized (g) {
        g.removed = true;
        for (RuleState r : g.rules) {
          retire(g, r, fx);
        }
      }
    }
  }

  /**
   * Re-reads the rule files; applies them when their content changed and every file is valid.
   *
   * @return true when something changed
   * @throws RuleValidationException naming the file and field; nothing is applied then
   */
  public boolean reloadFiles() {
    synchronized (lock) {
      try {
        boolean changed = reloadFilesLocked(false);
        lastReloadError = null;
        return changed;
      } catch (RuleValidationException e) {
        lastReloadError = e.getMessage();
        throw e;
      }
    }
  }

  private boolean reloadFilesLocked(boolean force) {
    Map<Path, byte[]> files = readRuleFiles();
    String digest = digest(files);
    if (!force && digest.equals(filesDigest)) {
      return false;
    }
    List<GroupSpec> specs = new ArrayList<>();
    Map<String, String> origin = new HashMap<>();
    for (Map.Entry<Path, byte[]> f : files.entrySet()) {
      String source = f.getKey().toString();
      List<GroupSpec> parsed;
      try {
        parsed = parser.parseFile(f.getValue(), source);
      } catch (RuleValidationException e) {
        throw new RuleValidationException(source, e.getMessage());
      }
      for (GroupSpec g : parsed) {
        String other = origin.put(g.name(), source);
        if (other != null) {
          throw new RuleValidationException(
              source, "group \"" + g.name() + "\" is also defined in " + other);
        }
        GroupState existing = groups.get(g.name());
        if (existing != null && existing.spec.fromApi()) {
          throw new RuleValidationException(
              source, "group \"" + g.name() + "\" is already defined over the API");
        }
        specs.add(g);
      }
    }
    Effects fx = new Effects();
    for (GroupState g : List.copyOf(groups.values())) {
      if (!g.spec.fromApi() && !origin.containsKey(g.spec.name())) {
        removeGroup(g.spec.name(), fx);
      }
    }
    for (GroupSpec g : specs) {
      install(g, fx);
    }
    flush(fx);
    filesDigest = digest;
    LOG.info("rule files loaded: {} files, {} groups", files.size(), specs.size());
    return true;
  }

  private Map<Path, byte[]> readRuleFiles() {
    Map<Path, byte[]> out = new TreeMap<>();
    for (String pattern : settings.ruleFiles()) {
      for (Path p : expand(pattern)) {
        try {
          out.put(p, Files.readAllBytes(p));
        } catch (IOException e) {
          throw new RuleValidationException(p.toString(), "cannot read: " + e.getMessage());
        }
      }
    }
    return out;
  }

  /**
   * A path, or a glob in its file-name part ({@code rules/*.yml}), as Prometheus' filepath.Glob.
   */
  static List<Path> expand(String pattern) {
    Path p = Path.of(pattern);
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    if (!name.contains("*") && !name.contains("?") && !name.contains("[") && !name.contains("{")) {
      if (!Files.exists(p)) {
        throw new RuleValidationException(pattern, "rule file does not exist");
      }
      return List.of(p);
    }
    Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        if (Files.isRegularFile(f) && m.matches(f.getFileName())) {
          out.add(f);
        }
      }
    } catch (IOException e) {
      throw new RuleValidationException(pattern, "cannot list: " + e.getMessage());
    }
    out.sort(null);
    return out;
  }

  private static String digest(Map<Path, byte[]> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<Path, byte[]> f : files.entrySet()) {
        md.update(f.getKey().toString().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(f.getValue());
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates or replaces an API group from its YAML or JSON; validated before anything changes. */
  JsonNode putGroup(String name, byte[] body) {
    GroupSpec spec = parser.parseGroup(body, name);
    synchronized (lock) {
      requireApiGroup(name, false);
      applyApiGroup(spec);
      return RuleParser.toJson(spec);
    }
  }

  private void applyApiGroup(GroupSpec spec) {
    Effects fx = new Effects();
    install(spec, fx);
    store.saveApiGroup(
        spec.name(),
        new String(RuleParser.toBytes(RuleParser.toJson(spec)), StandardCharsets.UTF_8),
        clock.millis());
    flush(fx);
  }

  void deleteGroup(String name) {
    synchronized (lock) {
      requireApiGroup(name, true);
      Effects fx = new Effects();
      removeGroup(name, fx);
      store.deleteApiGroup(name);
      flush(fx);
    }
  }

  /** Creates or replaces one rule of an API group (the group is created when missing). */
  JsonNode putRule(String groupName, String ruleName, byte[] body) {
    RuleSpec rule = parser.parseRule(body, Map.of());
    if (!rule.name().equals(ruleName)) {
      throw new RuleValidationException(
          rule.isAlerting() ? "alert" : "record",
          "\"" + rule.name() + "\" differs from the rule in the URL \"" + ruleName + "\"");
    }
    synchronized (lock) {
      GroupState g = requireApiGroup(groupName, false);
      List<RuleSpec> rules = new ArrayList<>();
      boolean replaced = false;
      if (g != null) {
        for (RuleSpec r : g.spec.rules()) {
          if (r.name().equals(ruleName)) {
            rules.add(rule);
            replaced = true;
          } else {
            rules.add(r);
          }
        }
      }
      if (!replaced) {
        if (rules.size() >= RuleParser.MAX_RULES_PER_GROUP) {
          throw new RuleValidationException(
              "rules", "too many rules (limit " + RuleParser.MAX_RULES_PER_GROUP + ")");
        }
        rules.add(rule);
      }
      GroupSpec spec =
          new GroupSpec(
              groupName, g == null ? null : g.spec.interval(), rules, GroupSpec.API_SOURCE);
      applyApiGroup(spec);
      return RuleParser.toJson(rule);
    }
  }

  void deleteRule(String groupName, String ruleName) {
    synchronized (lock) {
      GroupState g = requireApiGroup(groupName, true);
      List<RuleSpec> rules = new ArrayList<>(g.spec.rules());
      if (!rules.removeIf(r -> r.name().equals(ruleName))) {
        throw RuleApiException.notFound(
            "rule \"" + ruleName + "\" not found in group \"" + groupName + "\"");
      }
      applyApiGroup(new GroupSpec(groupName, g.spec.interval(), rules, GroupSpec.API_SOURCE));
    }
  }

  private GroupState requireApiGroup(String name, boolean mustExist) {
    GroupState g = groups.get(name);
    if (g == null) {
      if (mustExist) {
        throw RuleApiException.notFound("rule group \"" + name + "\" not found");
      }
      return null;
    }
    if (!g.spec.fromApi()) {
      throw RuleApiException.conflict(
          "rule group \"" + name + "\" is defined in " + g.spec.source() + "; edit that file");
    }
    return g;
  }

  private static RuleState find(GroupState g, String rule) {
    for (RuleState r : g.rules) {
      if (r.spec.name().equals(rule)) {
        return r;
      }
    }
    return null;
  }

  // ---- reads for the APIs

  /** {@code GET /api/alerting/rules}: every group in rule-file form with its source. */
  JsonNode groupsJson() {
    synchronized (lock) {
      ArrayNode out = JSON.createArrayNode();
      for (GroupState g : groups.values()) {
        synchronized (g) {
          ObjectNode o = RuleParser.toJson(g.spec);
          o.put("source", g.spec.source());
          out.add(o);
        }
      }
      return out;
    }
  }

  JsonNode groupJson(String name) {
    synchronized (lock) {
      GroupState g = groups.get(name);
      if (g == null) {
        throw RuleApiException.notFound("rule group \"" + name + "\" not found");
      }
      synchronized (g) {
        ObjectNode o = RuleParser.toJson(g.spec);
        o.put("source", g.spec.source());
        return o;
      }
    }
  }

  /** The {@code data} of Prometheus' {@code /api/v1/rules}. */
  JsonNode prometheusRules(String type, Set<String> ruleNames, Set<String> groupNames) {
    synchronized (lock) {
      ObjectNode data = JSON.createObjectNode();
      ArrayNode out = data.putArray("groups");
      for (GroupState g : groups.values()) {
        synchronized (g) {
          groupJson(g, type, ruleNames, groupNames, out);
        }
      }
      return data;
    }
  }

  private void groupJson(
      GroupState g, String type, Set<String> ruleNames, Set<String> groupNames, ArrayNode out) {
    if (!groupNames.isEmpty() && !groupNames.contains(g.spec.name())) {
      return;
    }
    ObjectNode go = JSON.createObjectNode();
    go.put("name", g.spec.name());
    go.put("file", g.spec.source());
    ArrayNode rules = go.putArray("rules");
    for (RuleState r : g.rules) {
      if ("alert".equals(type) && !r.spec.isAlerting()
          || "record".equals(type) && r.spec.isAlerting()
          || !ruleNames.isEmpty() && !ruleNames.contains(r.spec.name())) {
        continue;
      }
      rules.add(ruleJson(r));
    }
    if (rules.isEmpty() && (!ruleNames.isEmpty() || type != null)) {
      return;
    }
    go.put("interval", interval(g).toMillis() / 1000.0);
    go.put("limit", 0);
    go.put("evaluationTime", g.evalNanos / 1e9);
    go.put("lastEvaluation", time(g.lastEvalMs));
    out.add(go);
  }

  private ObjectNode ruleJson(RuleState r) {
    ObjectNode o = JSON.createObjectNode();
    RuleSpec s = r.spec;
    if (s.isAlerting()) {
      State max = State.INACTIVE;
      for (ActiveAlert a : r.active.values()) {
        if (a.state.ordinal() > max.ordinal()) {
          max = a.state;
        }
      }
      o.put("state", max.name().toLowerCase(java.util.Locale.ROOT));
      o.put("name", s.alert());
      o.put("query", s.expr());
      o.put("duration", s.forDuration().toMillis() / 1000.0);
      o.put("keepFiringFor", s.keepFiringFor().toMillis() / 1000.0);
      o.set("labels", labelsJson(s.labels()));
      o.set("annotations", labelsJson(s.annotations()));
      ArrayNode alerts = o.putArray("alerts");
      for (ActiveAlert a : r.active.values()) {
        if (a.state != State.INACTIVE) {
          alerts.add(alertJson(a));
        }
      }
    } else {
      o.put("name", s.record());
      o.put("query", s.expr());
      o.set("labels", labelsJson(s.labels()));
    }
    o.put("health", r.health);
    if (r.lastError != null) {
      o.put("lastError", r.lastError);
    }
    o.put("evaluationTime", r.evalNanos / 1e9);
    o.put("lastEvaluation", time(r.lastEvalMs));
    o.put("type", s.isAlerting() ? "alerting" : "recording");
    return o;
  }

  /** The {@code data} of Prometheus' {@code /api/v1/alerts}: pending and firing alerts. */
  JsonNode prometheusAlerts() {
    synchronized (lock) {
      ObjectNode data = JSON.createObjectNode();
      ArrayNode out = data.putArray("alerts");
      for (GroupState g : groups.values()) {
        synchronized (g) {
          for (RuleState r : g.rules) {
            for (ActiveAlert a : r.active.values()) {
              if (a.state != State.INACTIVE) {
                out.add(alertJson(a));
              }
            }
          }
        }
      }
      return data;
    }
  }

  private static ObjectNode alertJson(ActiveAlert a) {
    ObjectNode o = JSON.createObjectNode();
    o.set("labels", labelsJson(a.labels));
    o.set("annotations", labelsJson(a.annotations));
    o.put("state", a.state.name().toLowerCase(java.util.Locale.ROOT));
    o.put("activeAt", time(a.activeAtMs));
    if (a.keepFiringSinceMs != 0) {
      o.put("keepFiringSince", time(a.keepFiringSinceMs));
    }
    o.put("value", formatE(a.value));
    return o;
  }

  JsonNode history(String fingerprint, String rule, int limit) {
    ArrayNode out = JSON.createArrayNode();
    for (Transition t : store.history(fingerprint, rule, limit)) {
      ObjectNode o = out.addObject();
      o.put("time", Instant.ofEpochMilli(t.atMs()).toString());
      o.put("group", t.group());
      o.put("rule", t.rule());
      o.put("fingerprint", t.fingerprint());
      o.set("labels", labelsJson(t.labels()));
      o.put("from", t.from());
      o.put("to", t.to());
      if (Double.isNaN(t.value())) {
        o.putNull("value");
      } else {
        o.put("value", t.value());
      }
    }
    return out;
  }

  /** Counters and the last reload problem, for the status endpoint. */
  JsonNode status() {
    synchronized (lock) {
      ObjectNode o = JSON.createObjectNode();
      o.put("groups", groups.size());
      int rules = 0;
      for (GroupState g : groups.values()) {
        synchronized (g) {
          rules += g.rules.size();
        }
      }
      o.put("rules", rules);
      o.put("evaluations", evaluations.sum());
      o.put("failedEvaluations", failedEvaluations.sum());
      o.put("missedIterations", missedIterations.sum());
      o.put("evaluationThreads", settings.threads());
      o.put("ruleFiles", String.join(",", settings.ruleFiles()));
      if (lastReloadError != null) {
        o.put("lastReloadError", lastReloadError);
      }
      return o;
    }
  }

  /** Self-metrics per group, as Prometheus exports them about its own rule groups. */
  List<Sample> selfMetrics(long tMs) {
    List<Sample> out = new ArrayList<>();
    synchronized (lock) {
      for (GroupState g : groups.values()) {
        synchronized (g) {
          groupMetrics(g, tMs, out);
        }
      }
      out.add(
          sample(
              "yumzoom_rule_group_iterations_missed_total", Map.of(), tMs, missedIterations.sum()));
    }
    return out;
  }

  private void groupMetrics(GroupState g, long tMs, List<Sample> out) {
    Map<String, String> l = Map.of("rule_group", g.spec.name());
    out.add(sample("yumzoom_rule_group_last_duration_seconds", l, tMs, g.evalNanos / 1e9));
    out.add(sample("yumzoom_rule_group_rules", l, tMs, g.rules.size()));
    out.add(sample("yumzoom_rule_group_interval_seconds", l, tMs, interval(g).toMillis() / 1000.0));
    out.add(sample("yumzoom_rule_group_evaluations_total", l, tMs, g.evaluations));
    out.add(sample("yumzoom_rule_group_evaluation_failures_total", l, tMs, g.failures));
  }

  static Sample sample(String name, Map<String, String> labels, long tMs, double v) {
    TreeMap<String, String> m = new TreeMap<>(labels);
    m.put(Labels.NAME, name);
    return new Sample(new Labels(m), tMs, v);
  }

  int pruneHistory(Duration retention) {
    return store.pruneHistory(clock.millis() - retention.toMillis());
  }

  private static ObjectNode labelsJson(Map<String, String> m) {
    ObjectNode o = JSON.createObjectNode();
    new TreeMap<>(m).forEach(o::put);
    return o;
  }

  /** Go's zero time when never evaluated, as Prometheus prints it. */
  static String time(long ms) {
    return ms == 0 ? "0001-01-01T00:00:00Z" : Instant.ofEpochMilli(ms).toString();
  }

  /** Go's {@code strconv.FormatFloat(v, 'e', -1, 64)}, how Prometheus prints alert values. */
  static String formatE(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return "0e+00";
    }
    java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
    int exp = d.precision() - d.scale() - 1;
    String digits = d.unscaledValue().abs().toString();
    StringBuilder sb = new StringBuilder();
    if (v < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exp < 0 ? '-' : '+');
    if (Math.abs(exp) < 10) {
      sb.append('0');
    }
    return sb.append(Math.abs(exp)).toString();
  }
}
