package com.yumzoom.ops.alert.delivery;

import com.yumzoom.ops.store.duckdb.Migrations;
import com.yumzoom.ops.store.duckdb.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The delivery side's own DuckDB file, {@value #FILE_NAME}: the outbox (notifications, deliveries,
 * attempts), the acknowledgement state of alerts, escalations, incidents with their timelines, and
 * remediation runs.
 *
 * <p>Volumes are small (notifications, not samples), so one connection serves reads and writes
 * behind one lock; every multi-row change is one explicit transaction, and DuckDB syncs its WAL at
 * {@code COMMIT}, so whatever a call wrote survives {@code kill -9} once it returns. Times are
 * epoch milliseconds in BIGINT columns: no time-zone conversions between Java and the database.
 */
final class DeliveryStore implements AutoCloseable {

  static final String FILE_NAME = "notifications.duckdb";

  static final List<Migrations.Step> STEPS =
      List.of(
          new Migrations.Step(
              1,
              "outbox, alert acknowledgements, escalations, incidents, remediation runs",
              List.of(
                  """
                  CREATE TABLE notifications (
                    id BIGINT NOT NULL, received_at BIGINT NOT NULL, receiver VARCHAR NOT NULL,
                    group_key VARCHAR NOT NULL, status VARCHAR NOT NULL, alerts INTEGER NOT NULL,
                    payload VARCHAR NOT NULL)
                  """,
                  """
                  CREATE TABLE deliveries (
                    id BIGINT NOT NULL, notification_id BIGINT NOT NULL, receiver VARCHAR NOT NULL,
                    channel VARCHAR NOT NULL, channel_index INTEGER NOT NULL, state VARCHAR NOT NULL,
                    attempts INTEGER NOT NULL, created_at BIGINT NOT NULL,
                    next_attempt_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, last_error VARCHAR)
                  """,
                  """
                  CREATE TABLE attempts (
                    delivery_id BIGINT NOT NULL, attempt INTEGER NOT NULL, attempted_at BIGINT NOT NULL,
                    result VARCHAR NOT NULL, status_code INTEGER NOT NULL, error VARCHAR,
                    latency_ms DOUBLE NOT NULL)
                  """,
                  """
                  CREATE TABLE alert_state (
                    fingerprint VARCHAR NOT NULL, group_key VARCHAR NOT NULL,
                    receiver VARCHAR NOT NULL, status VARCHAR NOT NULL, severity VARCHAR NOT NULL,
                    alertname VARCHAR NOT NULL, notification_id BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL, acked_at BIGINT, acked_by VARCHAR)
                  """,
                  """
                  CREATE TABLE escalations (
                    fingerprint VARCHAR NOT NULL, policy VARCHAR NOT NULL,
                    notification_id BIGINT NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL,
                    next_at BIGINT NOT NULL, state VARCHAR NOT NULL, started_at BIGINT NOT NULL,
                    acked_at BIGINT)
                  """,
                  """
                  CREATE TABLE incidents (
                    id BIGINT NOT NULL, title VARCHAR NOT NULL, severity VARCHAR NOT NULL,
                    state VARCHAR NOT NULL, group_key VARCHAR, opened_at BIGINT NOT NULL,
                    acknowledged_at BIGINT, resolved_at BIGINT, review VARCHAR)
                  """,
                  """
                  CREATE TABLE incident_events (
                    incident_id BIGINT NOT NULL, happened_at BIGINT NOT NULL, kind VARCHAR NOT NULL,
                    text VARCHAR NOT NULL)
                  """,
                  """
                  CREATE TABLE remediation_runs (
                    action VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, ran_at BIGINT NOT NULL,
                    ok BOOLEAN NOT NULL, detail VARCHAR NOT NULL)
                  """)));

  /** Reads one row. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private final Path file;
  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private long nextId;
  private boolean closed;
  // guarded by lock: transaction nesting and what runs after the outermost commit
  private int depth;
  private final List<Runnable> afterCommit = new ArrayList<>();

  private DeliveryStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
    long max = 0;
    for (String table : List.of("notifications", "deliveries", "incidents")) {
      max =
          Math.max(max, queryOne("SELECT coalesce(max(id), 0) FROM " + table, rs -> rs.getLong(1)));
    }
    nextId = max + 1;
  }

  static DeliveryStore open(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StorageException("cannot create data directory " + dataDir + ": " + e, e);
    }
    Properties props = new Properties();
    props.setProperty("memory_limit", "256MB");
    props.setProperty("threads", "1");
    Connection c;
    try {
      c = DriverManager.getConnection("jdbc:duckdb:" + file, props);
    } catch (SQLException e) {
      throw new StorageException("cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      Migrations.migrate(c, STEPS);
      return new DeliveryStore(file, c);
    } catch (RuntimeException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already failing
      }
      throw e;
    }
  }

  Path file() {
    return file;
  }

  /** A fresh id, unique across notifications, deliveries and incidents of this file. */
  long newId() {
    lock.lock();
    try {
      return nextId++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code work} in one transaction: all of its statements commit, or none. A call inside
   * another transaction joins it, so callers compose (the sink queues a notification and records
   * its alerts in one commit: one WAL sync instead of two).
   */
  <T> T transaction(java.util.function.Supplier<T> work) {
    lock.lock();
    try {
      checkOpen();
      if (depth > 0) {
        depth++;
        try {
          return work.get();
        } finally {
          depth--;
        }
      }
      exec("BEGIN TRANSACTION");
      depth = 1;
      boolean ok = false;
      try {
        T result = work.get();
        exec("COMMIT");
        ok = true;
        return result;
      } finally {
        depth = 0;
        List<Runnable> hooks = new ArrayList<>(afterCommit);
        afterCommit.clear();
        if (!ok) {
          try {
            exec("ROLLBACK");
          } catch (StorageException ignored) {
            // the original failure is what matters
          }
        } else {
          hooks.forEach(Runnable::run);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private record Batched(Runnable work, java.util.concurrent.CompletableFuture<Void> done) {}

  private final java.util.concurrent.ConcurrentLinkedQueue<Batched> batch =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * Like {@link #transaction}, but shares one commit with every other caller waiting meanwhile
   * (group commit): a commit costs one WAL sync, milliseconds on a busy disk, so concurrent callers
   * (the sink, delivery workers) would otherwise queue behind each other's syncs. The thread that
   * gets the lock commits everything queued; if that batch fails, each work is retried in its own
   * transaction so one bad item fails alone. Returns when {@code work} is committed.
   */
  void batched(Runnable work) {
    Batched mine = new Batched(work, new java.util.concurrent.CompletableFuture<>());
    batch.add(mine);
    lock.lock();
    try {
      if (!mine.done().isDone()) {
        List<Batched> items = new ArrayList<>();
        for (Batched b; (b = batch.poll()) != null; ) {
          items.add(b);
        }
        try {
          transaction(
              () -> {
                items.forEach(b -> b.work().run());
                return null;
              });
          items.forEach(b -> b.done().complete(null));
        } catch (RuntimeException together) {
          for (Batched b : items) {
            try {
              transaction(
                  () -> {
                    b.work().run();
                    return null;
                  });
              b.done().complete(null);
            } catch (RuntimeException alone) {
              b.done().completeExceptionally(alone);
            }
          }
        }
      }
    } finally {
      lock.unlock();
    }
    try {
      mine.done().join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * Runs {@code hook} once the current transaction commits (never if it rolls back), or now when
   * there is no transaction: in-memory state follows only what is durable.
   */
  void afterCommit(Runnable hook) {
    lock.lock();
    try {
      if (depth > 0) {
        afterCommit.add(hook);
        return;
      }
    } finally {
      lock.unlock();
    }
    hook.run();
  }

  int update(String sql, Object... params) {
    lock.lock();
    try {
      checkOpen();
      try (PreparedStatement ps = prepare(sql, params)) {
        return ps.executeUpdate();
      } catch (SQLException e) {
        throw new StorageException(describe(sql, e), e);
      }
    } finally {
      lock.unlock();
    }
  }

  <T> List<T> query(String sql, Row<T> row, Object... params) {
    lock.lock();
    try {
      checkOpen();
      try (PreparedStatement ps = prepare(sql, params);
          ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(row.read(rs));
        }
        return out;
      } catch (SQLException e) {
        throw new StorageException(describe(sql, e), e);
      }
    } finally {
      lock.unlock();
    }
  }

  <T> T queryOne(String sql, Row<T> row, Object... params) {
    List<T> rows = query(sql, row, params);
    return rows.isEmpty() ? null : rows.getFirst();
  }

  private void exec(String sql) {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new StorageException(describe(sql, e), e);
    }
  }

  private PreparedStatement prepare(String sql, Object... params) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setObject(i + 1, null);
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (p instanceof Double d) {
        ps.setDouble(i + 1, d);
      } else if (p instanceof Boolean b) {
        ps.setBoolean(i + 1, b);
      } else {
        ps.setString(i + 1, p.toString());
      }
    }
    return ps;
  }

  private void checkOpen() {
    if (closed) {
      throw new StorageException(file + " is closed");
    }
  }

  private static String describe(String sql, SQLException e) {
    String first = sql.strip().lines().findFirst().orElse(sql);
    return "notifications store: " + first + ": " + e.getMessage();
  }

  /** Nullable BIGINT column. */
  static Long longOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try (Statement s = connection.createStatement()) {
        s.execute("CHECKPOINT");
      } catch (SQLException ignored) {
        // the WAL holds every commit; the next open replays it
      }
      try {
        connection.close();
      } catch (SQLException e) {
        throw new StorageException("closing " + file + " failed: " + e.getMessage(), e);
      }
    } finally {
      lock.unlock();
    }
  }
}
