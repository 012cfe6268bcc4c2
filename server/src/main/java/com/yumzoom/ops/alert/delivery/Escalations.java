package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledgement state of alerts and escalation policies walked until acknowledged.
 *
 * <p>State machine of one escalation (one per alert fingerprint): {@code active} (step s of round r
 * is due at next_at) → {@code acked} on acknowledgement → {@code active} again at step 0 if the
 * policy's ack timeout passes while the alert still fires; {@code resolved} when the alert resolves
 * (or is resolved by hand); {@code exhausted} after the last step of the last round. A step's
 * {@code delay} is measured from the previous step (from the first notification for step 0); a new
 * round waits {@code repeat_delay} after the last step. Everything is in the database and driven by
 * {@link #tick} with the injected clock, so a restart continues where it was and tests need no
 * sleeping.
 */
final class Escalations {

  private static final Logger LOG = LoggerFactory.getLogger(Escalations.class);

  static final String ACTIVE = "active";
  static final String ACKED = "acked";
  static final String RESOLVED = "resolved";
  static final String EXHAUSTED = "exhausted";

  /** Enqueues a stored notification for another receiver (the outbox). */
  interface Enqueuer {
    long enqueue(Notification n, String receiver);
  }

  /** Timeline entries for incidents. */
  interface Events {
    void event(String groupKey, String kind, String text);
  }

  private final DeliveryStore store;
  private final Supplier<DeliveryConfig> config;
  private final Clock clock;
  private final Enqueuer outbox;
  private final Events events;

  Escalations(
      DeliveryStore store,
      Supplier<DeliveryConfig> config,
      Clock clock,
      Enqueuer outbox,
      Events events) {
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.outbox = outbox;
    this.events = events;
  }

  /**
   * Records the alerts of notification {@code id} and starts or stops escalations; returns the
   * fingerprints whose status changed (new, or firing/resolved flipped).
   */
  Set<String> record(long id, Notification n) {
    long now = clock.millis();
    Set<String> changed = new LinkedHashSet<>();
    DeliveryConfig cfg = config.get();
    DeliveryConfig.EscalationPolicy routedPolicy = cfg.policies().get(n.receiver());
    DeliveryConfig.Receiver receiver = cfg.receivers().get(n.receiver());
    store.transaction(
        () -> {
          for (Alert a : n.alerts()) {
            String previous =
                store.queryOne(
                    "SELECT status FROM alert_state WHERE fingerprint = ?",
                    rs -> rs.getString(1),
                    a.fingerprint());
            boolean firing = Alert.FIRING.equals(a.status());
            if (previous == null) {
              store.update(
                  "INSERT INTO alert_state VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                  a.fingerprint(),
                  n.groupKey(),
                  n.receiver(),
                  a.status(),
                  a.severity(),
                  a.labels().getOrDefault("alertname", ""),
                  id,
                  now);
              changed.add(a.fingerprint());
            } else {
              boolean flipped = !previous.equals(a.status());
              // a new firing episode is not covered by an old acknowledgement
              store.update(
                  "UPDATE alert_state SET group_key = ?, receiver = ?, status = ?, severity = ?,"
                      + " notification_id = ?, updated_at = ?"
                      + (flipped && firing ? ", acked_at = NULL, acked_by = NULL" : "")
                      + " WHERE fingerprint = ?",
                  n.groupKey(),
                  n.receiver(),
                  a.status(),
                  a.severity(),
                  id,
                  now,
                  a.fingerprint());
              if (flipped) {
                changed.add(a.fingerprint());
              }
            }
            if (!firing) {
              store.update(
                  "UPDATE escalations SET state = ? WHERE fingerprint = ? AND state IN (?, ?, ?)",
                  RESOLVED,
                  a.fingerprint(),
                  ACTIVE,
                  ACKED,
                  EXHAUSTED);
              continue;
            }
            DeliveryConfig.EscalationPolicy policy = routedPolicy;
            if (policy == null
                && receiver != null
                && receiver.escalationPolicy() != null
                && "critical".equals(a.severity())) {
              policy = cfg.policies().get(receiver.escalationPolicy());
            }
            if (policy == null) {
              continue;
            }
            // an exhausted walk stays exhausted while the episode lasts: repeats of the same
            // firing alert must not start it over
            int open =
                store.update(
                    "UPDATE escalations SET notification_id = ? WHERE fingerprint = ?"
                        + " AND state IN (?, ?, ?)",
                    id,
                    a.fingerprint(),
                    ACTIVE,
                    ACKED,
                    EXHAUSTED);
            if (open == 0) {
              long due = now + policy.steps().getFirst().delay().toMillis();
              store.update(
                  "INSERT INTO escalations VALUES (?, ?, ?, 0, 0, ?, ?, ?, NULL)",
                  a.fingerprint(),
                  policy.name(),
                  id,
                  due,
                  ACTIVE,
                  now);
            }
          }
          return null;
        });
    return changed;
  }

  private record Due(
      String fingerprint,
      String policy,
      long notificationId,
      int step,
      int round,
      String state,
      Long ackedAt,
      String groupKey,
      String payload) {}

  /**
   * Fires every step that is due and re-triggers acknowledgements that timed out. Synchronized: the
   * ticker and {@code send} both call it, and a step must fire once.
   */
  synchronized int tick() {
    long now = clock.millis();
    DeliveryConfig cfg = config.get();
    int fired = 0;
    List<Due> due =
        store.query(
            """
            SELECT e.fingerprint, e.policy, e.notification_id, e.step, e.round, e.state,
                   e.acked_at, n.group_key, n.payload
            FROM escalations e JOIN notifications n ON n.id = e.notification_id
            WHERE (e.state = ? AND e.next_at <= ?) OR e.state = ?
            ORDER BY e.next_at LIMIT 1000
            """,
            rs ->
                new Due(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getLong(3),
                    rs.getInt(4),
                    rs.getInt(5),
                    rs.getString(6),
                    DeliveryStore.longOrNull(rs, "acked_at"),
                    rs.getString(8),
                    rs.getString(9)),
            ACTIVE,
            now,
            ACKED);
    for (Due d : due) {
      DeliveryConfig.EscalationPolicy policy = cfg.policies().get(d.policy());
      if (policy == null) {
        store.update(
            "UPDATE escalations SET state = ? WHERE fingerprint = ? AND state = ?",
            EXHAUSTED,
            d.fingerprint(),
            d.state());
        continue;
      }
      if (d.state().equals(ACKED)) {
        if (policy.ackTimeout().isZero()
            || d.ackedAt() == null
            || d.ackedAt() + policy.ackTimeout().toMillis() > now) {
          continue;
        }
        store.transaction(
            () -> {
              store.update(
                  "UPDATE escalations SET state = ?, step = 0, round = 0, next_at = ?,"
                      + " acked_at = NULL WHERE fingerprint = ? AND state = ?",
                  ACTIVE,
                  now,
                  d.fingerprint(),
                  ACKED);
              store.update(
                  "UPDATE alert_state SET acked_at = NULL, acked_by = NULL WHERE fingerprint = ?",
                  d.fingerprint());
              return null;
            });
        events.event(
            d.groupKey(),
            "escalation",
            "acknowledgement of "
                + d.fingerprint()
                + " timed out after "
                + policy.ackTimeout()
                + "; escalation "
                + policy.name()
                + " restarts");
        // the restarted walk's first step is due now
        fire(
            new Due(
                d.fingerprint(),
                d.policy(),
                d.notificationId(),
                0,
                0,
                ACTIVE,
                null,
                d.groupKey(),
                d.payload()),
            policy,
            now);
        fired++;
        continue;
      }
      fire(d, policy, now);
      fired++;
    }
    return fired;
  }

  private void fire(Due d, DeliveryConfig.EscalationPolicy policy, long now) {
    int step = Math.min(d.step(), policy.steps().size() - 1);
    DeliveryConfig.Step s = policy.steps().get(step);
    Notification n = Payloads.fromJson(d.payload());
    for (String receiver : s.receivers()) {
      try {
        outbox.enqueue(n, receiver);
      } catch (RuntimeException e) {
        // the step stays due: the next tick tries again
        LOG.warn(
            "escalation {} step {} to {} not queued: {}",
            policy.name(),
            step,
            receiver,
            e.toString());
        return;
      }
    }
    events.event(
        d.groupKey(),
        "escalation",
        "escalation "
            + policy.name()
            + " step "
            + (step + 1)
            + " (round "
            + (d.round() + 1)
            + ") notified "
            + String.join(", ", s.receivers()));
    int nextStep = step + 1;
    int round = d.round();
    long nextAt;
    String state = ACTIVE;
    if (nextStep < policy.steps().size()) {
      nextAt = now + policy.steps().get(nextStep).delay().toMillis();
    } else {
      nextStep = 0;
      round++;
      nextAt = now + policy.repeatDelay().toMillis();
      if (round >= policy.repeat()) {
        state = EXHAUSTED;
      }
    }
    store.update(
        "UPDATE escalations SET step = ?, round = ?, next_at = ?, state = ? WHERE fingerprint = ?"
            + " AND state = ?",
        nextStep,
        round,
        nextAt,
        state,
        d.fingerprint(),
        ACTIVE);
  }

  /** Deletes resolved alert states and finished escalations older than {@code cutoffMillis}. */
  int purgeBefore(long cutoffMillis) {
    return store.transaction(
        () ->
            store.update(
                    "DELETE FROM escalations WHERE state = ? AND started_at < ?",
                    RESOLVED,
                    cutoffMillis)
                + store.update(
                    "DELETE FROM alert_state WHERE status = ? AND updated_at < ?",
                    Alert.RESOLVED,
                    cutoffMillis));
  }

  /** What an acknowledgement or resolution touched. */
  record Change(List<String> fingerprints, List<String> groupKeys, List<Long> notificationIds) {}

  /**
   * Acknowledges the firing alerts among {@code fingerprints}: their escalations stop (until an ack
   * timeout). Returns the alerts acknowledged; unknown or already resolved ones are left out.
   */
  Change acknowledge(List<String> fingerprints, String by) {
    return change(fingerprints, by, true);
  }

  /** Resolves by hand: escalations stop for good and the alerts count as resolved. */
  Change resolve(List<String> fingerprints, String by) {
    return change(fingerprints, by, false);
  }

  private Change change(List<String> fingerprints, String by, boolean ack) {
    long now = clock.millis();
    List<String> done = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<Long> notifications = new ArrayList<>();
    store.transaction(
        () -> {
          for (String fp : fingerprints) {
            Object[] row =
                store.queryOne(
                    "SELECT group_key, status, notification_id FROM alert_state"
                        + " WHERE fingerprint = ?",
                    rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)},
                    fp);
            if (row == null || !Alert.FIRING.equals(row[1])) {
              continue;
            }
            if (ack) {
              store.update(
                  "UPDATE alert_state SET acked_at = ?, acked_by = ? WHERE fingerprint = ?",
                  now,
                  by,
                  fp);
              store.update(
                  "UPDATE escalations SET state = ?, acked_at = ? WHERE fingerprint = ? AND state"
                      + " IN (?, ?)",
                  ACKED,
                  now,
                  fp,
                  ACTIVE,
                  EXHAUSTED);
            } else {
              store.update(
                  "UPDATE alert_state SET status = ?, updated_at = ? WHERE fingerprint = ?",
                  Alert.RESOLVED,
                  now,
                  fp);
              store.update(
                  "UPDATE escalations SET state = ? WHERE fingerprint = ? AND state IN (?, ?, ?)",
                  RESOLVED,
                  fp,
                  ACTIVE,
                  ACKED,
                  EXHAUSTED);
            }
            done.add(fp);
            groups.add((String) row[0]);
            notifications.add((Long) row[2]);
          }
          return null;
        });
    for (int i = 0; i < done.size(); i++) {
      events.event(
          groups.get(i),
          ack ? "ack" : "resolve",
          "alert " + done.get(i) + (ack ? " acknowledged by " : " resolved by hand by ") + by);
    }
    return new Change(done, groups, notifications);
  }

  /** Alert state for the API; null when the fingerprint is unknown. */
  ObjectNode alert(String fingerprint) {
    ObjectNode o =
        store.queryOne(
            "SELECT * FROM alert_state WHERE fingerprint = ?",
            rs -> {
              ObjectNode a = Payloads.JSON.createObjectNode();
              a.put("fingerprint", rs.getString("fingerprint"));
              a.put("alertname", rs.getString("alertname"));
              a.put("status", rs.getString("status"));
              a.put("severity", rs.getString("severity"));
              a.put("groupKey", rs.getString("group_key"));
              a.put("receiver", rs.getString("receiver"));
              a.put("notificationId", rs.getLong("notification_id"));
              a.put("updatedAt", Payloads.time(Instant.ofEpochMilli(rs.getLong("updated_at"))));
              Long acked = DeliveryStore.longOrNull(rs, "acked_at");
              a.put("acknowledged", acked != null);
              if (acked != null) {
                a.put("acknowledgedAt", Payloads.time(Instant.ofEpochMilli(acked)));
                a.put("acknowledgedBy", rs.getString("acked_by"));
              }
              return a;
            },
            fingerprint);
    if (o != null) {
      ArrayNode esc = o.putArray("escalations");
      list(fingerprint, null).forEach(esc::add);
    }
    return o;
  }

  /** Escalations, newest first; {@code state} and {@code fingerprint} filter when not null. */
  ArrayNode list(String fingerprint, String state) {
    ArrayNode out = Payloads.JSON.createArrayNode();
    store.query(
        "SELECT * FROM escalations WHERE (? IS NULL OR fingerprint = ?) AND (? IS NULL OR state"
            + " = ?) ORDER BY started_at DESC LIMIT 500",
        rs -> {
          ObjectNode e = out.addObject();
          e.put("fingerprint", rs.getString("fingerprint"));
          e.put("policy", rs.getString("policy"));
          e.put("state", rs.getString("state"));
          e.put("step", rs.getInt("step") + 1);
          e.put("round", rs.getInt("round") + 1);
          e.put("nextAt", Payloads.time(Instant.ofEpochMilli(rs.getLong("next_at"))));
          e.put("startedAt", Payloads.time(Instant.ofEpochMilli(rs.getLong("started_at"))));
          return null;
        },
        fingerprint,
        fingerprint,
        state,
        state);
    return out;
  }
}
