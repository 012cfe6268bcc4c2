package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto-remediation: a firing alert that carries {@code remediation=<action>} (label or annotation)
 * runs that configured action: an HTTP call, or a command whose program is on the allow-list, run
 * directly (argv, never a shell) with a timeout. An action runs at most once per its cooldown, so a
 * remediation that re-triggers its own alert cannot loop; the outcome goes on the incident timeline
 * and into {@code remediation_runs}.
 */
final class Remediations implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Remediations.class);

  static final String KEY = "remediation";
  static final int MAX_OUTPUT = 4096;

  /** Where outcomes go: the incident timeline of the group. */
  interface Events {
    void event(String groupKey, String kind, String text);
  }

  record Outcome(boolean ok, String detail) {}

  private final DeliveryStore store;
  private final Supplier<DeliveryConfig> config;
  private final Clock clock;
  private final HttpClient http;
  private final Events events;
  private final ExecutorService executor;
  private final Map<String, Instant> lastRun = new ConcurrentHashMap<>();

  Remediations(
      DeliveryStore store,
      Supplier<DeliveryConfig> config,
      Clock clock,
      HttpClient http,
      Events events,
      ExecutorService executor) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.http = http;
    this.events = events;
    this.executor = executor;
    // cooldowns survive a restart: a crash loop must not re-run the action on every start
    store.query(
        "SELECT action, max(ran_at) FROM remediation_runs GROUP BY action",
        rs -> lastRun.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))));
  }

  /** A small bounded pool: two actions at once, eight waiting, the rest refused and recorded. */
  static ExecutorService defaultExecutor() {
    return new ThreadPoolExecutor(
        2,
        2,
        30,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(8),
        Thread.ofPlatform().daemon().name("yz-remediation-", 0).factory());
  }

  /** Starts the actions that newly firing alerts of {@code n} name. */
  void onNotification(Notification n, Set<String> changed) {
    for (Alert a : n.alerts()) {
      if (!Alert.FIRING.equals(a.status()) || !changed.contains(a.fingerprint())) {
        continue;
      }
      String name = a.labels().getOrDefault(KEY, a.annotations().get(KEY));
      if (name == null || name.isBlank()) {
        continue;
      }
      trigger(name, a.fingerprint(), n.groupKey());
    }
  }

  /** Runs {@code name} unless it is unknown or cooling down; returns false when it was not run. */
  boolean trigger(String name, String fingerprint, String groupKey) {
    DeliveryConfig.RemediationAction action = config.get().actions().get(name);
    if (action == null) {
      events.event(groupKey, "remediation", "remediation " + name + " is not configured; skipped");
      return false;
    }
    Instant now = clock.instant();
    boolean[] allowed = {false};
    lastRun.compute(
        name,
        (k, last) -> {
          if (last != null && now.isBefore(last.plus(action.cooldown()))) {
            return last;
          }
          allowed[0] = true;
          return now;
        });
    if (!allowed[0]) {
      events.event(
          groupKey,
          "remediation",
          "remediation " + name + " skipped: cooling down (cooldown " + action.cooldown() + ")");
      return false;
    }
    try {
      executor.execute(() -> runAndRecord(action, fingerprint, groupKey, now));
      return true;
    } catch (RejectedExecutionException e) {
      record(
          action,
          fingerprint,
          groupKey,
          now,
          new Outcome(false, "not run: too many actions running"));
      return false;
    }
  }

  private void runAndRecord(
      DeliveryConfig.RemediationAction action, String fingerprint, String groupKey, Instant at) {
    Outcome outcome;
    try {
      outcome = action.isHttp() ? http(action) : command(action);
    } catch (RuntimeException e) {
      outcome = new Outcome(false, "failed: " + e);
    }
    try {
      record(action, fingerprint, groupKey, at, outcome);
    } catch (RuntimeException e) {
      LOG.warn("recording remediation {} failed", action.name(), e);
    }
  }

  /** Records a run under its start time: the cooldown is counted from when it started. */
  private void record(
      DeliveryConfig.RemediationAction action,
      String fingerprint,
      String groupKey,
      Instant at,
      Outcome o) {
    store.update(
        "INSERT INTO remediation_runs VALUES (?, ?, ?, ?, ?)",
        action.name(),
        fingerprint,
        at.toEpochMilli(),
        o.ok(),
        Payloads.cut(o.detail(), MAX_OUTPUT));
    events.event(
        groupKey,
        "remediation",
        "remediation " + action.name() + (o.ok() ? " succeeded: " : " failed: ") + o.detail());
  }

  Outcome command(DeliveryConfig.RemediationAction action) {
    Process p;
    try {
      p = new ProcessBuilder(action.command()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Outcome(
          false, "cannot start " + action.command().getFirst() + ": " + e.getMessage());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = p.getInputStream()) {
                    byte[] buf = new byte[1024];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                      synchronized (out) {
                        if (out.size() < MAX_OUTPUT) {
                          out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
                        }
                      }
                    }
                  } catch (IOException ignored) {
                    // the process was killed
                  }
                });
    try {
      if (!p.waitFor(action.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return new Outcome(false, "timed out after " + action.timeout() + "; killed");
      }
      reader.join(1000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted");
    }
    String output;
    synchronized (out) {
      output = out.toString(StandardCharsets.UTF_8).strip();
    }
    int exit = p.exitValue();
    return new Outcome(exit == 0, "exit " + exit + (output.isEmpty() ? "" : ": " + output));
  }

  Outcome http(DeliveryConfig.RemediationAction action) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(action.httpUrl())
            .timeout(action.timeout())
            .method(
                action.httpMethod(),
                action.httpBody().isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(action.httpBody()));
    action.httpHeaders().forEach(req::header);
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      boolean ok = r.statusCode() >= 200 && r.statusCode() < 300;
      String body = Payloads.cut(r.body() == null ? "" : r.body().strip(), 500);
      return new Outcome(ok, "HTTP " + r.statusCode() + (body.isEmpty() ? "" : ": " + body));
    } catch (IOException e) {
      return new Outcome(false, "HTTP call failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted");
    }
  }

  ArrayNode list(int limit) {
    ArrayNode out = Payloads.JSON.createArrayNode();
    store.query(
        "SELECT * FROM remediation_runs ORDER BY ran_at DESC LIMIT ?",
        rs -> {
          out.addObject()
              .put("action", rs.getString("action"))
              .put("fingerprint", rs.getString("fingerprint"))
              .put("at", Payloads.time(Instant.ofEpochMilli(rs.getLong("ran_at"))))
              .put("ok", rs.getBoolean("ok"))
              .put("detail", rs.getString("detail"));
          return null;
        },
        limit);
    return out;
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
