package com.yumzoom.ops.store.duckdb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema as ordered, numbered steps. A database records the steps it has run in {@code
 * schema_version}; opening it runs the missing ones, each in its own transaction. Later features
 * (metrics, errors, events) append steps here; a step, once released, is never edited.
 *
 * <p>Why the spans table looks like this: trace ids are two BIGINT columns so a lookup compares
 * fixed-width integers; the span and its tag string are large, rarely read whole, and compress well
 * with zstd (about 4x better than DuckDB's default FSST here, and cheaper to checkpoint); the
 * resource/scope envelope is shared by many spans, so it is stored once in {@code envelopes} under
 * a 64-bit content hash instead of once per span. Trace ids are random, so min/max zone maps cannot
 * prune a lookup by id; {@code trace_index} holds one narrow row per trace and batch with the start
 * range of its spans, so a lookup scans a table about a tenth the size of {@code spans} and then
 * reads only the spans row groups whose start_ns zone maps overlap that range (start_ns follows
 * arrival order closely). {@code span_names} and {@code tag_values} are small indexes the writer
 * maintains per hour bucket, so listing names, tag keys and tag values never scans the spans.
 *
 * <p>{@code span_log_position} (step 2) holds one row: the sequence number of the last span log
 * batch whose spans are in this file. The flusher updates it in the same transaction that appends
 * the batches, so recovery replays exactly the batches after it.
 */
public final class Migrations {

  /** One schema step: applied once, in its own transaction, and never edited after release. */
  public record Step(int version, String description, List<String> statements) {
    public Step {
      statements = List.copyOf(statements);
    }
  }

  /** The steps of the spans database ({@code yumzoom.duckdb}). */
  static final List<Step> STEPS =
      List.of(
          new Step(
              1,
              "spans, trace_index, envelopes, span_names, tag_values",
              List.of(
                  """
                  CREATE TABLE spans (
                    trace_high BIGINT NOT NULL,
                    trace_low BIGINT NOT NULL,
                    span_id BIGINT NOT NULL,
                    parent_id BIGINT NOT NULL,
                    service VARCHAR NOT NULL,
                    name VARCHAR NOT NULL,
                    kind TINYINT NOT NULL,
                    start_ns BIGINT NOT NULL,
                    duration_ns BIGINT NOT NULL,
                    status TINYINT NOT NULL,
                    tags VARCHAR NOT NULL USING COMPRESSION zstd,
                    envelope_id BIGINT NOT NULL,
                    span BLOB NOT NULL USING COMPRESSION zstd)
                  """,
                  """
                  CREATE TABLE trace_index (
                    trace_high BIGINT NOT NULL, trace_low BIGINT NOT NULL,
                    min_start_ns BIGINT NOT NULL, max_start_ns BIGINT NOT NULL)
                  """,
                  "CREATE TABLE envelopes (envelope_id BIGINT NOT NULL, envelope BLOB NOT NULL)",
                  """
                  CREATE TABLE span_names (
                    bucket BIGINT NOT NULL, service VARCHAR NOT NULL, name VARCHAR NOT NULL)
                  """,
                  """
                  CREATE TABLE tag_values (
                    bucket BIGINT NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL)
                  """)),
          new Step(
              2,
              "span_log_position: the span log batch every flushed batch is at or below",
              List.of(
                  "CREATE TABLE span_log_position (flushed_seq BIGINT NOT NULL)",
                  "INSERT INTO span_log_position VALUES (0)")));

  private Migrations() {}

  /** Runs the spans database's steps this database lacks; returns the schema version. */
  static int migrate(Connection connection) {
    return migrate(connection, STEPS);
  }

  /**
   * Runs the {@code steps} (ordered by version) that this database lacks and returns the schema
   * version afterwards. Every feature with its own DuckDB file (metrics, errors, alerts) keeps its
   * own step list and calls this on open; the versions are recorded in that file's {@code
   * schema_version}.
   */
  public static int migrate(Connection connection, List<Step> steps) {
    int current;
    try (Statement s = connection.createStatement()) {
      s.execute(
          """
          CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER NOT NULL, description VARCHAR NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)
          """);
      try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
        rs.next();
        current = rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new StorageException("reading schema_version failed: " + e.getMessage(), e);
    }
    int latest = steps.getLast().version();
    if (current > latest) {
      throw new StorageException(
          "database schema version "
              + current
              + " is newer than this program supports ("
              + latest
              + "); use a newer release");
    }
    for (Step step : steps) {
      if (step.version() <= current) {
        continue;
      }
      String sql = null;
      try (Statement s = connection.createStatement()) {
        s.execute("BEGIN TRANSACTION");
        try {
          for (String statement : step.statements()) {
            sql = statement;
            s.execute(statement);
          }
          sql = "INSERT INTO schema_version";
          s.execute(
              "INSERT INTO schema_version (version, description) VALUES ("
                  + step.version()
                  + ", '"
                  + step.description().replace("'", "''")
                  + "')");
          s.execute("COMMIT");
        } catch (SQLException e) {
          s.execute("ROLLBACK");
          throw e;
        }
      } catch (SQLException e) {
        throw new StorageException(
            "schema migration " + step.version() + " failed at: " + sql + ": " + e.getMessage(), e);
      }
      current = step.version();
    }
    return current;
  }
}
