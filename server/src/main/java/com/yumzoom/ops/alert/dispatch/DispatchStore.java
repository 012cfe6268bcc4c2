package com.yumzoom.ops.alert.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.alert.rules.AlertsDatabase;
import com.yumzoom.ops.store.duckdb.Migrations;
import com.yumzoom.ops.store.duckdb.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Persistence of the dispatcher in {@code alerts.duckdb}, schema {@code alert_dispatch}: the
 * notification log (per receiver and group, which alerts were firing and resolved at the last
 * notification, and when; Alertmanager's nflog) and the silences. Both are written before the
 * dispatcher goes on, so a restart neither repeats a notification nor loses a silence.
 */
public final class DispatchStore implements AutoCloseable {

  public static final String SCHEMA = "alert_dispatch";

  public static final List<Migrations.Step> STEPS =
      List.of(
          new Migrations.Step(
              1,
              "notification log, silences",
              List.of(
                  """
                  CREATE TABLE nflog (
                    receiver VARCHAR NOT NULL, group_key VARCHAR NOT NULL,
                    firing VARCHAR NOT NULL, resolved VARCHAR NOT NULL, at_ms BIGINT NOT NULL)
                  """,
                  """
                  CREATE TABLE silences (
                    id VARCHAR NOT NULL, matchers VARCHAR NOT NULL, starts_ms BIGINT NOT NULL,
                    ends_ms BIGINT NOT NULL, created_by VARCHAR NOT NULL, comment VARCHAR NOT NULL,
                    updated_ms BIGINT NOT NULL)
                  """)));

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The last notification of one group to one receiver. */
  record LogEntry(Set<String> firing, Set<String> resolved, long atMs) {}

  private final Connection connection;

  /** Takes a connection whose default schema is {@link #SCHEMA}, already migrated. */
  public DispatchStore(Connection connection) {
    this.connection = connection;
  }

  synchronized Map<String, LogEntry> loadLog() {
    Map<String, LogEntry> out = new HashMap<>();
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT receiver, group_key, firing, resolved, at_ms FROM nflog")) {
      while (rs.next()) {
        out.put(
            logKey(rs.getString(1), rs.getString(2)),
            new LogEntry(set(rs.getString(3)), set(rs.getString(4)), rs.getLong(5)));
      }
    } catch (SQLException e) {
      throw failed("reading nflog", e);
    }
    return out;
  }

  static String logKey(String receiver, String groupKey) {
    return receiver + "\u0000" + groupKey;
  }

  synchronized void saveLog(String receiver, String groupKey, LogEntry e) {
    inTransaction(
        () -> {
          try (PreparedStatement d =
                  connection.prepareStatement(
                      "DELETE FROM nflog WHERE receiver = ? AND group_key = ?");
              PreparedStatement i =
                  connection.prepareStatement("INSERT INTO nflog VALUES (?, ?, ?, ?, ?)")) {
            d.setString(1, receiver);
            d.setString(2, groupKey);
            d.executeUpdate();
            i.setString(1, receiver);
            i.setString(2, groupKey);
            i.setString(3, String.join(",", new TreeSet<>(e.firing())));
            i.setString(4, String.join(",", new TreeSet<>(e.resolved())));
            i.setLong(5, e.atMs());
            i.executeUpdate();
          }
        });
  }

  synchronized int pruneLog(long beforeMs) {
    try (PreparedStatement p = connection.prepareStatement("DELETE FROM nflog WHERE at_ms < ?")) {
      p.setLong(1, beforeMs);
      return p.executeUpdate();
    } catch (SQLException e) {
      throw failed("pruning nflog", e);
    }
  }

  synchronized List<Silence> loadSilences() {
    List<Silence> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, matchers, starts_ms, ends_ms, created_by, comment, updated_ms FROM silences")) {
      while (rs.next()) {
        out.add(
            new Silence(
                rs.getString(1),
                Silence.matchersFromJson(JSON.readTree(rs.getString(2))),
                Instant.ofEpochMilli(rs.getLong(3)),
                Instant.ofEpochMilli(rs.getLong(4)),
                rs.getString(5),
                rs.getString(6),
                Instant.ofEpochMilli(rs.getLong(7))));
      }
    } catch (SQLException e) {
      throw failed("reading silences", e);
    } catch (JsonProcessingException e) {
      throw new StorageException("corrupt silence matchers: " + e.getMessage(), e);
    }
    return out;
  }

  synchronized void saveSilence(Silence s) {
    inTransaction(
        () -> {
          try (PreparedStatement d =
                  connection.prepareStatement("DELETE FROM silences WHERE id = ?");
              PreparedStatement i =
                  connection.prepareStatement(
                      "INSERT INTO silences VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            d.setString(1, s.id());
            d.executeUpdate();
            i.setString(1, s.id());
            try {
              i.setString(2, JSON.writeValueAsString(Silence.matchersToJson(s.matchers())));
            } catch (JsonProcessingException e) {
              throw new IllegalStateException(e);
            }
            i.setLong(3, s.startsAt().toEpochMilli());
            i.setLong(4, s.endsAt().toEpochMilli());
            i.setString(5, s.createdBy());
            i.setString(6, s.comment());
            i.setLong(7, s.updatedAt().toEpochMilli());
            i.executeUpdate();
          }
        });
  }

  synchronized void deleteSilence(String id) {
    inTransaction(
        () -> {
          try (PreparedStatement d =
              connection.prepareStatement("DELETE FROM silences WHERE id = ?")) {
            d.setString(1, id);
            d.executeUpdate();
          }
        });
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
    AlertsDatabase.inTransaction(connection, "alert dispatch store", work);
  }

  private static Set<String> set(String csv) {
    return csv.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(csv.split(",")));
  }

  private static StorageException failed(String what, SQLException e) {
    return new StorageException("alert dispatch store: " + what + " failed: " + e.getMessage(), e);
  }
}
