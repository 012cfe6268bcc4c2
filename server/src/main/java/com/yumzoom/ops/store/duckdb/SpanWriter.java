package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Appends a batch in one explicit transaction through DuckDB's appender (columnar chunks, no SQL
 * per row). The transaction must be opened with {@code BEGIN}: with JDBC auto-commit merely turned
 * off, the appender commits on its own at each flush, and a failed batch would be half visible.
 * DuckDB writes the WAL and syncs it at {@code COMMIT}, so a returned call survives a crash.
 */
final class SpanWriter implements SpanConsumer {

  private final DuckDBConnection connection;
  private final ReentrantLock lock;
  private final WriteIndexes indexes = new WriteIndexes();
  private boolean closed;

  SpanWriter(DuckDBConnection connection, ReentrantLock lock) {
    this.connection = connection;
    this.lock = lock;
  }

  @Override
  public void accept(List<SpanRow> spans) {
    write(spans, -1, () -> {});
  }

  /**
   * Appends the rows moved out of the span log in one transaction that also records {@code
   * throughSeq} as the flushed log position, so a crash leaves either both or neither.
   *
   * @param beforeCommit runs inside the transaction just before COMMIT (tests place crashes there)
   */
  void flush(List<SpanRow> spans, long throughSeq, Runnable beforeCommit) {
    write(spans, throughSeq, beforeCommit);
  }

  private void write(List<SpanRow> spans, long throughSeq, Runnable beforeCommit) {
    if (spans.isEmpty() && throughSeq < 0) {
      return;
    }
    lock.lock();
    try {
      if (closed) {
        throw new StorageException("storage is closed");
      }
      // staging marks index entries as recorded before they are: any failure below forgets them
      boolean ok = false;
      try (Statement s = connection.createStatement()) {
        WriteIndexes.Staged staged = indexes.stage(spans);
        s.execute("BEGIN TRANSACTION");
        try {
          if (!spans.isEmpty()) {
            append(spans, staged);
          }
          if (throughSeq >= 0) {
            s.execute("UPDATE span_log_position SET flushed_seq = " + throughSeq);
          }
          beforeCommit.run();
          s.execute("COMMIT");
          ok = true;
        } finally {
          if (!ok) {
            rollback(s);
          }
        }
      } catch (SQLException e) {
        throw new StorageException(
            "appending " + spans.size() + " spans failed: " + e.getMessage(), e);
      } finally {
        if (!ok) {
          indexes.clear();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The log position the database holds every batch up to (0 before the first flush). */
  long flushedSeq() {
    lock.lock();
    try (Statement s = connection.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT flushed_seq FROM span_log_position")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new StorageException("reading span_log_position failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private void append(List<SpanRow> spans, WriteIndexes.Staged staged) throws SQLException {
    try (DuckDBAppender a = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "spans")) {
      long[] envelopeIds = staged.envelopeIds();
      for (int i = 0; i < spans.size(); i++) {
        SpanRow r = spans.get(i);
        a.beginRow()
            .append(r.traceId().high())
            .append(r.traceId().low())
            .append(r.spanId())
            .append(r.parentSpanId())
            .append(r.serviceName())
            .append(r.name())
            .append((byte) r.kind())
            .append(r.startEpochNanos())
            .append(r.durationNanos())
            .append((byte) r.statusCode())
            .append(r.tags())
            .append(envelopeIds[i])
            .append(r.span())
            .endRow();
      }
    }
    try (DuckDBAppender a =
        connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "trace_index")) {
      for (Map.Entry<TraceId, long[]> e : staged.traces().entrySet()) {
        a.beginRow()
            .append(e.getKey().high())
            .append(e.getKey().low())
            .append(e.getValue()[0])
            .append(e.getValue()[1])
            .endRow();
      }
    }
    if (!staged.envelopes().isEmpty()) {
      try (DuckDBAppender a =
          connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "envelopes")) {
        for (Map.Entry<Long, byte[]> e : staged.envelopes().entrySet()) {
          a.beginRow().append(e.getKey().longValue()).append(e.getValue()).endRow();
        }
      }
    }
    if (!staged.names().isEmpty()) {
      try (DuckDBAppender a =
          connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "span_names")) {
        for (WriteIndexes.Name n : staged.names()) {
          a.beginRow().append(n.bucket()).append(n.service()).append(n.name()).endRow();
        }
      }
    }
    if (!staged.tags().isEmpty()) {
      try (DuckDBAppender a =
          connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "tag_values")) {
        for (WriteIndexes.Tag t : staged.tags()) {
          a.beginRow().append(t.bucket()).append(t.key()).append(t.value()).endRow();
        }
      }
    }
  }

  /** Runs retention under the write lock, so it never interleaves with a batch. */
  long deleteStartedBefore(long cutoffEpochNanos) {
    lock.lock();
    try {
      if (closed) {
        throw new StorageException("storage is closed");
      }
      // index rows go once their whole hour bucket is older than the cutoff
      long firstKeptBucket = WriteIndexes.bucket(cutoffEpochNanos);
      String sql = "DELETE FROM spans";
      try (Statement s = connection.createStatement()) {
        s.execute("BEGIN TRANSACTION");
        try {
          long deleted;
          try (var ps = connection.prepareStatement("DELETE FROM spans WHERE start_ns < ?")) {
            ps.setLong(1, cutoffEpochNanos);
            deleted = ps.executeLargeUpdate();
          }
          sql = "DELETE FROM trace_index";
          try (var ps =
              connection.prepareStatement("DELETE FROM trace_index WHERE max_start_ns < ?")) {
            ps.setLong(1, cutoffEpochNanos);
            ps.executeUpdate();
          }
          sql = "DELETE FROM span_names";
          s.execute("DELETE FROM span_names WHERE bucket < " + firstKeptBucket);
          sql = "DELETE FROM tag_values";
          s.execute("DELETE FROM tag_values WHERE bucket < " + firstKeptBucket);
          sql = "DELETE FROM envelopes";
          if (deleted > 0) {
            s.execute(
                "DELETE FROM envelopes WHERE envelope_id NOT IN"
                    + " (SELECT DISTINCT envelope_id FROM spans)");
          }
          s.execute("COMMIT");
          indexes.clear();
          return deleted;
        } catch (SQLException | RuntimeException e) {
          indexes.clear();
          rollback(s);
          throw e;
        }
      } catch (SQLException e) {
        throw new StorageException(sql + " (retention) failed: " + e.getMessage(), e);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Called by the storage under the write lock when closing. */
  void markClosed() {
    closed = true;
  }

  private static void rollback(Statement s) {
    try {
      s.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // the transaction is already aborted; the original error is what matters
    }
  }
}
