package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * Incidents: opened by alerts of the configured severities (one open incident per group key) or by
 * hand, with a timeline (alerts firing and resolving, notifications sent and failed, escalations,
 * acknowledgements, remediation results, notes), states {@code triggered → acknowledged →
 * resolved}, and a post-incident review exported as Markdown.
 */
final class Incidents {

  static final String TRIGGERED = "triggered";
  static final String ACKNOWLEDGED = "acknowledged";
  static final String RESOLVED = "resolved";
  static final Set<String> STATES = Set.of(TRIGGERED, ACKNOWLEDGED, RESOLVED);

  static final int MAX_TEXT = 10_000;

  private final DeliveryStore store;
  private final Clock clock;
  private final Set<String> autoOpenSeverities;

  Incidents(DeliveryStore store, Clock clock, Set<String> autoOpenSeverities) {
    this.store = store;
    this.clock = clock;
    this.autoOpenSeverities = Set.copyOf(autoOpenSeverities);
  }

  /** The open incident of {@code groupKey}, or null. */
  Long openFor(String groupKey) {
    return store.queryOne(
        "SELECT max(id) FROM incidents WHERE group_key = ? AND state <> ?",
        rs -> DeliveryStore.longOrNull(rs, "max(id)"),
        groupKey,
        RESOLVED);
  }

  /** Opens or updates the group's incident for a notification; {@code changed} alerts are new. */
  void onNotification(Notification n, Set<String> changed) {
    Long id = openFor(n.groupKey());
    boolean opens =
        n.alerts().stream()
            .anyMatch(
                a ->
                    Alert.FIRING.equals(a.status())
                        && autoOpenSeverities.contains(a.severity())
                        && changed.contains(a.fingerprint()));
    if (id == null && opens) {
      String severity =
          n.alerts().stream()
              .filter(a -> autoOpenSeverities.contains(a.severity()))
              .map(Alert::severity)
              .findFirst()
              .orElse("critical");
      id = open(title(n), severity, n.groupKey(), "opened automatically by " + Payloads.title(n));
    }
    if (id == null) {
      return;
    }
    for (Alert a : n.alerts()) {
      if (changed.contains(a.fingerprint())) {
        event(
            id,
            Alert.FIRING.equals(a.status()) ? "alert_firing" : "alert_resolved",
            a.labels().getOrDefault("alertname", "alert")
                + " "
                + a.status()
                + " ("
                + a.fingerprint()
                + ") "
                + new java.util.TreeMap<>(a.labels()));
      }
    }
    if (Alert.RESOLVED.equals(n.status())) {
      setState(id, RESOLVED, "all alerts of the group resolved");
    }
  }

  private static String title(Notification n) {
    String t = Payloads.title(n);
    int close = t.indexOf("] ");
    return close > 0 ? t.substring(close + 2) : t;
  }

  long open(String title, String severity, String groupKey, String firstEvent) {
    long id = store.newId();
    long now = clock.millis();
    store.transaction(
        () -> {
          store.update(
              "INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL)",
              id,
              Payloads.cut(title, 500),
              severity,
              TRIGGERED,
              groupKey,
              now);
          store.update(
              "INSERT INTO incident_events VALUES (?, ?, ?, ?)", id, now, "opened", firstEvent);
          return null;
        });
    return id;
  }

  void event(long id, String kind, String text) {
    store.update(
        "INSERT INTO incident_events VALUES (?, ?, ?, ?)",
        id,
        clock.millis(),
        kind,
        Payloads.cut(text, MAX_TEXT));
  }

  /** Adds to the open incident of {@code groupKey}, if there is one. */
  void eventForGroup(String groupKey, String kind, String text) {
    Long id = openFor(groupKey);
    if (id != null) {
      event(id, kind, text);
    }
  }

  /** Adds to the group's most recent incident, open or not (resolution notices). */
  void eventForLatest(String groupKey, String kind, String text) {
    Long id =
        store.queryOne(
            "SELECT max(id) FROM incidents WHERE group_key = ?",
            rs -> DeliveryStore.longOrNull(rs, "max(id)"),
            groupKey);
    if (id != null) {
      event(id, kind, text);
    }
  }

  /** Returns false when the incident does not exist. */
  boolean setState(long id, String state, String why) {
    String current =
        store.queryOne("SELECT state FROM incidents WHERE id = ?", rs -> rs.getString(1), id);
    if (current == null) {
      return false;
    }
    if (current.equals(state)) {
      return true;
    }
    long now = clock.millis();
    switch (state) {
      case ACKNOWLEDGED ->
          store.update(
              "UPDATE incidents SET state = ?, acknowledged_at = coalesce(acknowledged_at, ?)"
                  + " WHERE id = ?",
              state,
              now,
              id);
      case RESOLVED ->
          store.update(
              "UPDATE incidents SET state = ?, resolved_at = ? WHERE id = ?", state, now, id);
      default ->
          store.update(
              "UPDATE incidents SET state = ?, resolved_at = NULL WHERE id = ?", state, id);
    }
    event(id, "state", current + " -> " + state + (why == null || why.isEmpty() ? "" : ": " + why));
    return true;
  }

  /** Acknowledges the group's open incident (an alert of it was acknowledged). */
  void acknowledgeGroup(String groupKey, String by) {
    Long id = openFor(groupKey);
    if (id != null) {
      String state =
          store.queryOne("SELECT state FROM incidents WHERE id = ?", rs -> rs.getString(1), id);
      if (TRIGGERED.equals(state)) {
        setState(id, ACKNOWLEDGED, "by " + by);
      }
    }
  }

  /** Incidents newest first, optionally of one state. */
  ArrayNode list(String state, int limit) {
    ArrayNode out = Payloads.JSON.createArrayNode();
    store.query(
        "SELECT * FROM incidents WHERE (? IS NULL OR state = ?) ORDER BY id DESC LIMIT ?",
        rs -> {
          out.add(summary(rs));
          return null;
        },
        state,
        state,
        limit);
    return out;
  }

  private static ObjectNode summary(java.sql.ResultSet rs) throws java.sql.SQLException {
    ObjectNode o = Payloads.JSON.createObjectNode();
    o.put("id", rs.getLong("id"));
    o.put("title", rs.getString("title"));
    o.put("severity", rs.getString("severity"));
    o.put("state", rs.getString("state"));
    o.put("groupKey", rs.getString("group_key"));
    o.put("openedAt", time(rs.getLong("opened_at")));
    Long acked = DeliveryStore.longOrNull(rs, "acknowledged_at");
    Long resolved = DeliveryStore.longOrNull(rs, "resolved_at");
    o.put("acknowledgedAt", acked == null ? null : time(acked));
    o.put("resolvedAt", resolved == null ? null : time(resolved));
    return o;
  }

  /** Detail with timeline and review; null when unknown. */
  ObjectNode detail(long id) {
    ObjectNode o =
        store.queryOne(
            "SELECT * FROM incidents WHERE id = ?",
            rs -> {
              ObjectNode s = summary(rs);
              String review = rs.getString("review");
              try {
                s.set("review", review == null ? emptyReview() : Payloads.JSON.readTree(review));
              } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                s.set("review", emptyReview());
              }
              return s;
            },
            id);
    if (o == null) {
      return null;
    }
    ArrayNode timeline = o.putArray("timeline");
    store.query(
        "SELECT happened_at, kind, text FROM incident_events WHERE incident_id = ?"
            + " ORDER BY happened_at, rowid",
        rs -> {
          timeline
              .addObject()
              .put("at", time(rs.getLong(1)))
              .put("kind", rs.getString(2))
              .put("text", rs.getString(3));
          return null;
        },
        id);
    return o;
  }

  static ObjectNode emptyReview() {
    ObjectNode r = Payloads.JSON.createObjectNode();
    r.put("summary", "");
    r.put("impact", "");
    r.put("rootCause", "");
    r.putArray("actionItems");
    return r;
  }

  /**
   * Replaces the review; returns false when the incident does not exist.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  boolean saveReview(long id, JsonNode body) {
    ObjectNode review = emptyReview();
    for (String field : new String[] {"summary", "impact", "rootCause"}) {
      JsonNode v = body.path(field);
      if (!v.isMissingNode() && !v.isNull()) {
        if (!v.isTextual()) {
          throw new IllegalArgumentException(field + ": must be a string");
        }
        if (v.asText().length() > MAX_TEXT) {
          throw new IllegalArgumentException(
              field + ": longer than " + MAX_TEXT + " characters (limit " + MAX_TEXT + ")");
        }
        review.put(field, v.asText());
      }
    }
    JsonNode items = body.path("actionItems");
    if (!items.isMissingNode() && !items.isArray()) {
      throw new IllegalArgumentException("actionItems: must be a list");
    }
    if (items.size() > 100) {
      throw new IllegalArgumentException("actionItems: more than 100 items (limit 100)");
    }
    ArrayNode out = (ArrayNode) review.get("actionItems");
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String text = item.isTextual() ? item.asText() : item.path("text").asText("");
      if (text.isBlank()) {
        throw new IllegalArgumentException("actionItems[" + i + "].text: is required");
      }
      if (text.length() > 1000) {
        throw new IllegalArgumentException(
            "actionItems[" + i + "].text: longer than 1000 characters (limit 1000)");
      }
      out.addObject()
          .put("text", text)
          .put("owner", item.path("owner").asText(""))
          .put("done", item.path("done").asBoolean(false));
    }
    int updated =
        store.update("UPDATE incidents SET review = ? WHERE id = ?", review.toString(), id);
    if (updated == 0) {
      return false;
    }
    event(id, "review", "post-incident review updated");
    return true;
  }

  /** The post-incident review as Markdown, with the timeline; null when unknown. */
  String reviewMarkdown(long id) {
    ObjectNode d = detail(id);
    if (d == null) {
      return null;
    }
    JsonNode r = d.path("review");
    StringBuilder md = new StringBuilder();
    md.append("# Incident ")
        .append(id)
        .append(": ")
        .append(d.path("title").asText())
        .append("\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| Severity | ").append(d.path("severity").asText()).append(" |\n");
    md.append("| State | ").append(d.path("state").asText()).append(" |\n");
    md.append("| Opened | ").append(d.path("openedAt").asText()).append(" |\n");
    if (!d.path("acknowledgedAt").isNull()) {
      md.append("| Acknowledged | ").append(d.path("acknowledgedAt").asText()).append(" |\n");
    }
    if (!d.path("resolvedAt").isNull()) {
      md.append("| Resolved | ").append(d.path("resolvedAt").asText()).append(" |\n");
    }
    section(md, "Summary", r.path("summary").asText());
    section(md, "Impact", r.path("impact").asText());
    section(md, "Root cause", r.path("rootCause").asText());
    md.append("## Action items\n\n");
    if (r.path("actionItems").isEmpty()) {
      md.append("_None._\n\n");
    }
    for (JsonNode item : r.path("actionItems")) {
      md.append("- [").append(item.path("done").asBoolean() ? "x" : " ").append("] ");
      md.append(item.path("text").asText());
      if (!item.path("owner").asText().isEmpty()) {
        md.append(" (owner: ").append(item.path("owner").asText()).append(')');
      }
      md.append('\n');
    }
    md.append("\n## Timeline\n\n| time | event | details |\n|---|---|---|\n");
    for (JsonNode e : d.path("timeline")) {
      md.append("| ")
          .append(e.path("at").asText())
          .append(" | ")
          .append(e.path("kind").asText())
          .append(" | ")
          .append(e.path("text").asText().replace("|", "\\|").replace("\n", " "))
          .append(" |\n");
    }
    return md.toString();
  }

  private static void section(StringBuilder md, String title, String text) {
    md.append("\n## ").append(title).append("\n\n");
    md.append(text.isBlank() ? "_Not written yet._" : text).append("\n\n");
  }

  private static String time(long millis) {
    return Payloads.time(Instant.ofEpochMilli(millis));
  }
}
