package com.yumzoom.ops.store.duckdb;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import org.duckdb.DuckDBConnection;

/**
 * A bounded pool of read connections duplicated from the writer's database instance. A DuckDB
 * connection runs one query at a time, so readers must not share one; a connection per thread would
 * be unbounded with virtual threads. Each query already uses DuckDB's worker threads, so a few
 * connections saturate this machine; callers beyond that wait for a free one.
 */
public final class ReaderPool implements AutoCloseable {

  /** One read against a pooled connection. */
  @FunctionalInterface
  public interface Query<T> {
    T run(DuckDBConnection connection) throws SQLException;
  }

  private final DuckDBConnection origin;
  private final Semaphore permits;
  private final ArrayDeque<DuckDBConnection> idle = new ArrayDeque<>();
  private final String closedMessage;
  private boolean closed;

  ReaderPool(DuckDBConnection origin, int size) {
    this(origin, size, "storage is closed");
  }

  /**
   * @param closedMessage the message of the {@link StorageException} a read gets after {@link
   *     #close()}, naming the caller's store
   */
  public ReaderPool(DuckDBConnection origin, int size, String closedMessage) {
    this.origin = origin;
    this.permits = new Semaphore(size, true);
    this.closedMessage = closedMessage;
  }

  /** Runs {@code query} on a free connection, waiting for one when all are busy. */
  public <T> T run(String what, Query<T> query) {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(what + " interrupted while waiting for a connection", e);
    }
    DuckDBConnection connection = null;
    try {
      connection = take();
      return query.run(connection);
    } catch (SQLException e) {
      throw new StorageException(what + " failed: " + e.getMessage(), e);
    } finally {
      if (connection != null) {
        give(connection);
      }
      permits.release();
    }
  }

  private synchronized DuckDBConnection take() throws SQLException {
    if (closed) {
      throw new StorageException(closedMessage);
    }
    DuckDBConnection c = idle.pollFirst();
    return c != null ? c : origin.duplicate();
  }

  private synchronized void give(DuckDBConnection connection) {
    if (closed) {
      closeQuietly(connection);
    } else {
      idle.addFirst(connection);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    DuckDBConnection c;
    while ((c = idle.pollFirst()) != null) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(DuckDBConnection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing after use; nothing to recover
    }
  }
}
