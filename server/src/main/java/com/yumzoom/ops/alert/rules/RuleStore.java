package com.yumzoom.ops.alert.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.store.duckdb.Migrations;
import com.yumzoom.ops.store.duckdb.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Persistence of the rule side in {@code alerts.duckdb}, schema {@code alert_rules}: rule groups
 * created over the API, every alert state transition (the history), and the active alerts (pending,
 * firing, recently resolved) so a restart resumes where it stopped instead of re-firing.
 *
 * <p>Active rows are written only when an alert changes state, not at every evaluation: the value
 * shown after a restart is the one of the last transition until the next evaluation refreshes it.
 * Every write is one committed transaction before the caller goes on (durable on return).
 */
final class RuleStore implements AutoCloseable {

  static final String SCHEMA = "alert_rules";

  static final List<Migrations.Step> STEPS =
      List.of(
          new Migrations.Step(
              1,
              "api rule groups, transitions, active alerts",
              List.of(
                  """
                  CREATE TABLE api_groups (
                    name VARCHAR NOT NULL, definition VARCHAR NOT NULL, updated_ms BIGINT NOT NULL)
                  """,
                  """
                  CREATE TABLE transitions (
                    at_ms BIGINT NOT NULL, group_name VARCHAR NOT NULL, rule VARCHAR NOT NULL,
                    fingerprint VARCHAR NOT NULL, labels VARCHAR NOT NULL,
                    from_state VARCHAR NOT NULL, to_state VARCHAR NOT NULL, value DOUBLE)
                  """,
                  """
                  CREATE TABLE active_alerts (
                    group_name VARCHAR NOT NULL, rule VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL,
                    labels VARCHAR NOT NULL, annotations VARCHAR NOT NULL, state VARCHAR NOT NULL,
                    value DOUBLE, active_at_ms BIGINT NOT NULL, fired_at_ms BIGINT NOT NULL,
                    resolved_at_ms BIGINT NOT NULL, keep_firing_since_ms BIGINT NOT NULL)
                  """)));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {};

  /** One active alert's persisted state. */
  record ActiveRow(
      String group,
      String rule,
      String fingerprint,
      Map<String, String> labels,
      Map<String, String> annotations,
      String state,
      double value,
      long activeAtMs,
      long firedAtMs,
      long resolvedAtMs,
      long keepFiringSinceMs) {}

  private final Connection connection;

  RuleStore(AlertsDatabase db) {
    this.connection = db.connect(SCHEMA, STEPS);
  }

  synchronized Map<String, String> loadApiGroups() {
    Map<String, String> out = new LinkedHashMap<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, definition FROM api_groups ORDER BY name")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    } catch (SQLException e) {
      throw failed("reading api_groups", e);
    }
    return out;
  }

  synchronized void saveApiGroup(String name, String definition, long nowMs) {
    inTransaction(
        () -> {
          try (PreparedStatement d =
                  connection.prepareStatement("DELETE FROM api_groups WHERE name = ?");
              PreparedStatement i =
                  connection.prepareStatement("INSERT INTO api_groups VALUES (?, ?, ?)")) {
            d.setString(1, name);
            d.executeUpdate();
            i.setString(1, name);
            i.setString(2, definition);
            i.setLong(3, nowMs);
            i.executeUpdate();
          }
        });
  }

  synchronized void deleteApiGroup(String name) {
    inTransaction(
        () -> {
          try (PreparedStatement d =
              connection.prepareStatement("DELETE FROM api_groups WHERE name = ?")) {
            d.setString(1, name);
            d.executeUpdate();
          }
        });
  }

  /**
   * Records transitions and replaces/deletes active rows, in one transaction. (Row by row: the
   * DuckDB driver's executeBatch opens its own transaction, which cannot nest in ours.)
   */
  synchronized void apply(
      List<Transition> transitions, List<ActiveRow> upserts, List<ActiveRow> deletes) {
    if (transitions.isEmpty() && upserts.isEmpty() && deletes.isEmpty()) {
      return;
    }
    inTransaction(
        () -> {
          try (PreparedStatement t =
                  connection.prepareStatement(
                      "INSERT INTO transitions VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
              PreparedStatement d =
                  connection.prepareStatement(
                      "DELETE FROM active_alerts WHERE group_name = ? AND rule = ? AND fingerprint = ?");
              PreparedStatement a =
                  connection.prepareStatement(
                      "INSERT INTO active_alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Transition tr : transitions) {
              t.setLong(1, tr.atMs());
              t.setString(2, tr.group());
              t.setString(3, tr.rule());
              t.setString(4, tr.fingerprint());
              t.setString(5, json(tr.labels()));
              t.setString(6, tr.from());
              t.setString(7, tr.to());
              setValue(t, 8, tr.value());
              t.executeUpdate();
            }
            List<ActiveRow> all = new ArrayList<>(deletes);
            all.addAll(upserts);
            for (ActiveRow r : all) {
              d.setString(1, r.group());
              d.setString(2, r.rule());
              d.setString(3, r.fingerprint());
              d.executeUpdate();
            }
            for (ActiveRow r : upserts) {
              a.setString(1, r.group());
              a.setString(2, r.rule());
              a.setString(3, r.fingerprint());
              a.setString(4, json(r.labels()));
              a.setString(5, json(r.annotations()));
              a.setString(6, r.state());
              setValue(a, 7, r.value());
              a.setLong(8, r.activeAtMs());
              a.setLong(9, r.firedAtMs());
              a.setLong(10, r.resolvedAtMs());
              a.setLong(11, r.keepFiringSinceMs());
              a.executeUpdate();
            }
          }
        });
  }

  synchronized List<ActiveRow> loadActive() {
    List<ActiveRow> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT group_name, rule, fingerprint, labels, annotations, state, value,"
                    + " active_at_ms, fired_at_ms, resolved_at_ms, keep_firing_since_ms"
                    + " FROM active_alerts")) {
      while (rs.next()) {
        double v = rs.getDouble(7);
        out.add(
            new ActiveRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                map(rs.getString(4)),
                map(rs.getString(5)),
                rs.getString(6),
                rs.wasNull() ? Double.NaN : v,
                rs.getLong(8),
                rs.getLong(9),
                rs.getLong(10),
                rs.getLong(11)));
      }
    } catch (SQLException e) {
      throw failed("reading active_alerts", e);
    }
    return out;
  }

  /** Newest first; either filter may be null. */
  synchronized List<Transition> history(String fingerprint, String rule, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT at_ms, group_name, rule, fingerprint, labels, from_state, to_state, value"
                + " FROM transitions WHERE true");
    List<String> args = new ArrayList<>();
    if (fingerprint != null) {
      sql.append(" AND fingerprint = ?");
      args.add(fingerprint);
    }
    if (rule != null) {
      sql.append(" AND rule = ?");
      args.add(rule);
    }
    sql.append(" ORDER BY at_ms DESC, rowid DESC LIMIT ").append(limit);
    List<Transition> out = new ArrayList<>();
    try (PreparedStatement p = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        p.setString(i + 1, args.get(i));
      }
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          double v = rs.getDouble(8);
          out.add(
              new Transition(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  map(rs.getString(5)),
                  rs.getString(6),
                  rs.getString(7),
                  rs.wasNull() ? Double.NaN : v));
        }
      }
    } catch (SQLException e) {
      throw failed("reading transitions", e);
    }
    return out;
  }

  /** Deletes history older than {@code beforeMs}; returns the rows deleted. */
  synchronized int pruneHistory(long beforeMs) {
    try (PreparedStatement p =
        connection.prepareStatement("DELETE FROM transitions WHERE at_ms < ?")) {
      p.setLong(1, beforeMs);
      return p.executeUpdate();
    } catch (SQLException e) {
      throw failed("pruning transitions", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failed("closing", e);
    }
  }

  private void inTransaction(AlertsDatabase.SqlWork work) {
    AlertsDatabase.inTransaction(connection, "alert rules store", work);
  }

  private static void setValue(PreparedStatement p, int i, double v) throws SQLException {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      p.setNull(i, java.sql.Types.DOUBLE);
    } else {
      p.setDouble(i, v);
    }
  }

  private static String json(Map<String, String> m) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(m));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> map(String json) {
    try {
      return JSON.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new StorageException("corrupt label JSON in alerts database: " + e.getMessage(), e);
    }
  }

  private static StorageException failed(String what, SQLException e) {
    return new StorageException("alert rules store: " + what + " failed: " + e.getMessage(), e);
  }
}
