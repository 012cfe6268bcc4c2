package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.alert.NotificationSink;
import com.yumzoom.ops.query.promql.LabelMatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns alerts into notifications with Alertmanager's semantics: routing tree, aggregation groups
 * with group_wait / group_interval / repeat_interval, silences and inhibition (muted alerts are
 * left out), deduplication against a persisted notification log, resolved notifications when the
 * route and rule want them, and a per-receiver rate limit.
 *
 * <p>Design: one lock, no threads of its own. {@link #put} files alerts into groups, {@link
 * #flushDue} (called every 100 ms by the module's scheduler, or by a test after moving its manual
 * clock) flushes the groups whose time has come. A flush decides with Alertmanager's rule ({@code
 * DedupStage.needsUpdate}): notify when an alert fires that was not in the last notification, when
 * every alert is resolved after something was notified firing, when (with send_resolved) an alert
 * resolved, or when repeat_interval has passed. The log entry is written only after the sink took
 * the notification, so a sink failure or the rate limit leaves the group due and it is tried again
 * {@link Settings#retryDelay} later, and a restart repeats nothing that was sent.
 */
public final class Dispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /**
   * Bounds and behaviour.
   *
   * @param ratePerMinute notifications per receiver per minute (token bucket refill)
   * @param burst notifications a receiver can get at once
   * @param maxAlerts alerts held at once; more are dropped and counted
   * @param maxAlertsPerNotification alerts in one notification; the rest counted as truncated
   * @param retryDelay how soon a group is tried again after the sink failed or the rate limit held
   *     it back (never later than its group_interval)
   * @param externalUrl put into every notification
   */
  public record Settings(
      int ratePerMinute,
      int burst,
      int maxAlerts,
      int maxAlertsPerNotification,
      Duration retryDelay,
      String externalUrl) {
    public Settings {
      if (ratePerMinute <= 0 || burst <= 0) {
        throw new IllegalArgumentException("rate limit and burst must be positive");
      }
    }
  }

  private record Tracked(DispatchAlert alert, long updatedMs) {}

  private static final class Group {
    final Route route;
    final String receiver;
    final Map<String, String> groupLabels;
    final String groupKey;
    final Map<String, Tracked> alerts = new LinkedHashMap<>();
    long nextFlushMs;
    boolean hasFlushed;

    Group(Route route, String receiver, Map<String, String> groupLabels, String groupKey) {
      this.route = route;
      this.receiver = receiver;
      this.groupLabels = groupLabels;
      this.groupKey = groupKey;
    }
  }

  /** Counters per receiver. */
  private static final class ReceiverStats {
    long sent;
    long failed;
    long rateLimited;
    long deferredSinceLastSend;
  }

  private final NotificationSink sink;
  private final DispatchStore store;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, Tracked> alerts = new LinkedHashMap<>();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, DispatchStore.LogEntry> log;
  private final Map<String, Silence> silences = new LinkedHashMap<>();
  private final Map<String, List<LabelMatcher>> compiledSilences = new HashMap<>();
  private final Map<String, TokenBucket> buckets = new HashMap<>();
  private final Map<String, ReceiverStats> stats = new TreeMap<>();
  private final Map<String, Route> hintRoutes = new HashMap<>();
  private DispatchConfig config;
  private long droppedAlerts;

  public Dispatcher(
      DispatchConfig config,
      NotificationSink sink,
      DispatchStore store,
      Clock clock,
      Settings settings) {
    this.config = config;
    this.sink = sink;
    this.store = store;
    this.clock = clock;
    this.settings = settings;
    this.log = new HashMap<>(store.loadLog());
    for (Silence s : store.loadSilences()) {
      silences.put(s.id(), s);
      compiledSilences.put(s.id(), compile(s));
    }
  }

  public synchronized DispatchConfig config() {
    return config;
  }

  /** Applies a new configuration: groups are rebuilt from the alerts held (the log is kept). */
  public synchronized void reload(DispatchConfig next) {
    this.config = next;
    hintRoutes.clear();
    groups.clear();
    long now = clock.millis();
    for (Tracked t : alerts.values()) {
      file(t, now);
    }
  }

  /** Takes alerts from the rule side; a repeated alert replaces the one with its fingerprint. */
  public synchronized void put(List<DispatchAlert> incoming) {
    long now = clock.millis();
    for (DispatchAlert a : incoming) {
      if (!alerts.containsKey(a.fingerprint()) && alerts.size() >= settings.maxAlerts()) {
        droppedAlerts++;
        continue;
      }
      Tracked t = new Tracked(a, now);
      alerts.put(a.fingerprint(), t);
      file(t, now);
    }
  }

  private void file(Tracked t, long now) {
    DispatchAlert a = t.alert();
    for (Route route : routes(a)) {
      Map<String, String> groupLabels = groupLabels(route, a.alert().labels());
      String groupKey = route.key() + ":" + formatLabels(groupLabels);
      String id = DispatchStore.logKey(route.receiver(), groupKey);
      Group g = groups.get(id);
      if (g == null) {
        g = new Group(route, route.receiver(), groupLabels, groupKey);
        g.nextFlushMs = now + route.groupWait().toMillis();
        groups.put(id, g);
      }
      g.alerts.put(a.fingerprint(), t);
      if (!g.hasFlushed
          && a.alert().startsAt().toEpochMilli() + route.groupWait().toMillis() <= now) {
        g.nextFlushMs = Math.min(g.nextFlushMs, now);
      }
    }
  }

  private List<Route> routes(DispatchAlert a) {
    if (a.receiverHint() == null) {
      return config.root().match(a.alert().labels());
    }
    Route root = config.root();
    return List.of(
        hintRoutes.computeIfAbsent(
            a.receiverHint(),
            r ->
                new Route(
                    root.key() + "/receiver=" + r,
                    List.of(),
                    r,
                    root.groupBy(),
                    root.groupWait(),
                    root.groupInterval(),
                    root.repeatInterval(),
                    false,
                    root.sendResolved(),
                    List.of())));
  }

  private static Map<String, String> groupLabels(Route route, Map<String, String> labels) {
    if (route.groupByAll()) {
      return new TreeMap<>(labels);
    }
    Map<String, String> out = new TreeMap<>();
    for (String l : route.groupBy()) {
      String v = labels.get(l);
      if (v != null && !v.isEmpty()) {
        out.put(l, v);
      }
    }
    return out;
  }

  static String formatLabels(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(e.getKey()).append("=\"").append(e.getValue().replace("\"", "\\\"")).append('"');
    }
    return sb.append('}').toString();
  }

  // ---- flushing

  /** Flushes every group whose time has come; returns the notifications handed to the sink. */
  public synchronized int flushDue() {
    long now = clock.millis();
    int sent = 0;
    for (Group g : List.copyOf(groups.values())) {
      if (g.nextFlushMs <= now) {
        try {
          if (flush(g, now)) {
            sent++;
          }
        } catch (RuntimeException e) {
          LOG.error("flushing group {} failed", g.groupKey, e);
          g.nextFlushMs = now + retryDelay(g);
        }
      }
    }
    gc(now);
    return sent;
  }

  private long retryDelay(Group g) {
    return Math.min(settings.retryDelay().toMillis(), g.route.groupInterval().toMillis());
  }

  /** The alert as it stands now: firing alerts past their validity count as resolved. */
  private Alert effective(Tracked t, long now) {
    Alert a = t.alert().alert();
    if (Alert.FIRING.equals(a.status())) {
      // Like Prometheus' endsAt, validUntil is always set, so Alertmanager's resolve_timeout
      // (for alerts without an end) never applies.
      long validUntil = t.alert().validUntil().toEpochMilli();
      if (validUntil <= now) {
        return new Alert(
            Alert.RESOLVED,
            a.labels(),
            a.annotations(),
            a.startsAt(),
            Instant.ofEpochMilli(validUntil),
            a.generatorUrl(),
            a.fingerprint());
      }
    }
    return a;
  }

  private boolean flush(Group g, long now) {
    Instant nowI = Instant.ofEpochMilli(now);
    List<Alert> current = new ArrayList<>();
    Map<String, Boolean> wantsResolved = new HashMap<>();
    for (Tracked t : g.alerts.values()) {
      Alert a = effective(t, now);
      if (isMuted(a, nowI, now)) {
        continue;
      }
      current.add(a);
      wantsResolved.put(a.fingerprint(), t.alert().sendResolved());
    }
    Set<String> firing = new HashSet<>();
    Set<String> resolved = new HashSet<>();
    for (Alert a : current) {
      (Alert.FIRING.equals(a.status()) ? firing : resolved).add(a.fingerprint());
    }
    String logKey = DispatchStore.logKey(g.receiver, g.groupKey);
    DispatchStore.LogEntry entry = log.get(logKey);
    boolean sentNow = false;
    if (!current.isEmpty()
        && needsUpdate(
            entry,
            firing,
            resolved,
            g.route.repeatInterval().toMillis(),
            g.route.sendResolved(),
            now)) {
      List<Alert> toSend = new ArrayList<>();
      for (Alert a : current) {
        if (Alert.FIRING.equals(a.status())
            || (g.route.sendResolved() && wantsResolved.getOrDefault(a.fingerprint(), true))) {
          toSend.add(a);
        }
      }
      if (!toSend.isEmpty()) {
        ReceiverStats st = stats.computeIfAbsent(g.receiver, r -> new ReceiverStats());
        TokenBucket bucket =
            buckets.computeIfAbsent(
                g.receiver, r -> new TokenBucket(settings.ratePerMinute(), settings.burst(), now));
        if (!bucket.tryAcquire(now)) {
          st.rateLimited++;
          st.deferredSinceLastSend++;
          g.nextFlushMs = now + retryDelay(g);
          return false;
        }
        Notification n = notification(g, toSend);
        try {
          sink.send(n);
        } catch (RuntimeException e) {
          st.failed++;
          LOG.warn(
              "notification for {} to {} not taken, retrying: {}",
              g.groupKey,
              g.receiver,
              e.toString());
          g.nextFlushMs = now + retryDelay(g);
          return false;
        }
        st.sent++;
        if (st.deferredSinceLastSend > 0) {
          LOG.info(
              "receiver {}: {} flushes were deferred by the rate limit before this notification",
              g.receiver,
              st.deferredSinceLastSend);
          st.deferredSinceLastSend = 0;
        }
        sentNow = true;
      }
      DispatchStore.LogEntry next =
          new DispatchStore.LogEntry(Set.copyOf(firing), Set.copyOf(resolved), now);
      store.saveLog(g.receiver, g.groupKey, next);
      log.put(logKey, next);
    }
    // Resolved alerts are done for this group once a flush got past the sink (Alertmanager
    // deletes them too); firing ones stay until they resolve.
    g.alerts.values().removeIf(t -> Alert.RESOLVED.equals(effective(t, now).status()));
    g.hasFlushed = true;
    g.nextFlushMs = now + g.route.groupInterval().toMillis();
    if (g.alerts.isEmpty()) {
      groups.remove(logKey);
    }
    return sentNow;
  }

  /** Alertmanager's {@code DedupStage.needsUpdate}. */
  static boolean needsUpdate(
      DispatchStore.LogEntry entry,
      Set<String> firing,
      Set<String> resolved,
      long repeatMs,
      boolean sendResolved,
      long now) {
    if (entry == null) {
      return !firing.isEmpty();
    }
    if (!entry.firing().containsAll(firing)) {
      return true;
    }
    if (firing.isEmpty()) {
      return !entry.firing().isEmpty();
    }
    if (sendResolved && !entry.resolved().containsAll(resolved)) {
      return true;
    }
    return entry.atMs() <= now - repeatMs;
  }

  private Notification notification(Group g, List<Alert> toSend) {
    int max = settings.maxAlertsPerNotification();
    List<Alert> list = toSend.size() > max ? toSend.subList(0, max) : toSend;
    boolean anyFiring = false;
    for (Alert a : toSend) {
      anyFiring |= Alert.FIRING.equals(a.status());
    }
    return new Notification(
        g.receiver,
        anyFiring ? Alert.FIRING : Alert.RESOLVED,
        g.groupLabels,
        common(toSend, true),
        common(toSend, false),
        settings.externalUrl(),
        g.groupKey,
        list,
        toSend.size() - list.size());
  }

  private static Map<String, String> common(List<Alert> alerts, boolean labels) {
    Map<String, String> out = null;
    for (Alert a : alerts) {
      Map<String, String> m = labels ? a.labels() : a.annotations();
      if (out == null) {
        out = new TreeMap<>(m);
      } else {
        out.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
      }
    }
    return out == null ? Map.of() : out;
  }

  private void gc(long now) {
    Set<String> inGroups = new HashSet<>();
    for (Group g : groups.values()) {
      inGroups.addAll(g.alerts.keySet());
    }
    alerts
        .values()
        .removeIf(
            t ->
                !inGroups.contains(t.alert().fingerprint())
                    && Alert.RESOLVED.equals(effective(t, now).status()));
  }

  // ---- muting

  private boolean isMuted(Alert a, Instant nowI, long now) {
    return !silencedBy(a.labels(), nowI).isEmpty()
        || (Alert.FIRING.equals(a.status()) && !inhibitedBy(a, now).isEmpty());
  }

  private List<String> silencedBy(Map<String, String> labels, Instant now) {
    List<String> out = new ArrayList<>();
    for (Silence s : silences.values()) {
      if (s.mutes(labels, now, compiledSilences.get(s.id()))) {
        out.add(s.id());
      }
    }
    return out;
  }

  private List<String> inhibitedBy(Alert target, long now) {
    List<String> out = new ArrayList<>();
    for (InhibitRule r : config.inhibitRules()) {
      if (!Matchers.matches(r.target(), target.labels())) {
        continue;
      }
      for (Tracked t : alerts.values()) {
        Alert source = effective(t, now);
        if (Alert.FIRING.equals(source.status())
            && !source.fingerprint().equals(target.fingerprint())
            && Matchers.matches(r.source(), source.labels())
            && r.sameEqualLabels(source.labels(), target.labels())) {
          out.add(source.fingerprint());
        }
      }
    }
    return out;
  }

  // ---- silences

  static final int MAX_SILENCES = 10_000;
  static final Duration SILENCE_RETENTION = Duration.ofDays(5);

  synchronized List<Silence> silences() {
    gcSilences();
    return List.copyOf(silences.values());
  }

  synchronized Silence silence(String id) {
    return silences.get(id);
  }

  /**
   * Creates a silence, or updates one when {@code id} is given: in place when its matchers are
   * unchanged and it has not expired, else the old one is expired and a new one created (as
   * Alertmanager does). Returns the id.
   *
   * @throws IllegalArgumentException for an unknown id (prefixed "not found: ")
   */
  synchronized String putSilence(
      String id,
      List<Silence.Matcher> matchers,
      Instant startsAt,
      Instant endsAt,
      String createdBy,
      String comment) {
    Instant now = clock.instant();
    if (id != null && !id.isEmpty()) {
      Silence old = silences.get(id);
      if (old == null) {
        throw new IllegalArgumentException("not found: silence " + id + " not found");
      }
      boolean expired = "expired".equals(old.state(now));
      if (!expired && old.matchers().equals(matchers)) {
        Instant start = "active".equals(old.state(now)) ? old.startsAt() : startsAt;
        Silence s = new Silence(id, matchers, start, endsAt, createdBy, comment, now);
        save(s);
        return id;
      }
      if (!expired) {
        save(expire(old, now));
      }
    }
    gcSilences();
    if (silences.size() >= MAX_SILENCES) {
      throw new IllegalStateException("too many silences (limit " + MAX_SILENCES + ")");
    }
    if (startsAt.isBefore(now)) {
      startsAt = now;
    }
    Silence s =
        new Silence(
            UUID.randomUUID().toString(), matchers, startsAt, endsAt, createdBy, comment, now);
    save(s);
    return s.id();
  }

  /** Expires a silence; false when there is no such silence. */
  synchronized boolean expireSilence(String id) {
    Silence s = silences.get(id);
    if (s == null) {
      return false;
    }
    Instant now = clock.instant();
    if (!"expired".equals(s.state(now))) {
      save(expire(s, now));
    }
    return true;
  }

  private static Silence expire(Silence s, Instant now) {
    Instant start = s.startsAt().isAfter(now) ? now : s.startsAt();
    return new Silence(s.id(), s.matchers(), start, now, s.createdBy(), s.comment(), now);
  }

  private void save(Silence s) {
    store.saveSilence(s);
    silences.put(s.id(), s);
    compiledSilences.put(s.id(), compile(s));
  }

  private void gcSilences() {
    Instant cutoff = clock.instant().minus(SILENCE_RETENTION);
    for (Silence s : List.copyOf(silences.values())) {
      if (s.endsAt().isBefore(cutoff)) {
        store.deleteSilence(s.id());
        silences.remove(s.id());
        compiledSilences.remove(s.id());
      }
    }
  }

  private static List<LabelMatcher> compile(Silence s) {
    List<LabelMatcher> out = new ArrayList<>();
    for (Silence.Matcher m : s.matchers()) {
      out.add(m.toLabelMatcher());
    }
    return out;
  }

  // ---- views for the API

  /** One alert as {@code GET /api/v2/alerts} shows it. */
  record AlertView(
      Alert alert,
      Instant endsAt,
      Instant updatedAt,
      List<String> receivers,
      List<String> silencedBy,
      List<String> inhibitedBy) {}

  synchronized List<AlertView> alertViews() {
    long now = clock.millis();
    Instant nowI = Instant.ofEpochMilli(now);
    List<AlertView> out = new ArrayList<>();
    for (Tracked t : alerts.values()) {
      Alert a = effective(t, now);
      if (!Alert.FIRING.equals(a.status())) {
        continue;
      }
      List<String> receivers = new ArrayList<>();
      for (Route r : routes(t.alert())) {
        if (!receivers.contains(r.receiver())) {
          receivers.add(r.receiver());
        }
      }
      Instant endsAt = t.alert().validUntil();
      out.add(
          new AlertView(
              a,
              endsAt,
              Instant.ofEpochMilli(t.updatedMs()),
              receivers,
              silencedBy(a.labels(), nowI),
              inhibitedBy(a, now)));
    }
    return out;
  }

  /** Counters for the status endpoint. */
  public synchronized Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("alerts", alerts.size());
    out.put("groups", groups.size());
    out.put("silences", silences.size());
    out.put("droppedAlerts", droppedAlerts);
    Map<String, Object> receivers = new TreeMap<>();
    stats.forEach(
        (name, s) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("sent", s.sent);
          m.put("failed", s.failed);
          m.put("rateLimited", s.rateLimited);
          receivers.put(name, m);
        });
    out.put("receivers", receivers);
    return out;
  }

  /** Forgets notification-log entries older than {@code retention}. */
  public synchronized void pruneLog(Duration retention) {
    long cutoff = clock.millis() - retention.toMillis();
    log.values().removeIf(e -> e.atMs() < cutoff);
    store.pruneLog(cutoff);
  }
}
