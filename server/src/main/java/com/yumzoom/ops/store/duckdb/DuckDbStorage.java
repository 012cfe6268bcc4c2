package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.StorageComponent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.duckdb.DuckDBConnection;

/**
 * The embedded default backend: one DuckDB file, {@code yumzoom.duckdb} in the data directory.
 *
 * <p>One writer connection takes every batch (the caller group-commits, so there is one writer
 * thread) and retention; a small pool of connections duplicated from it serves readers, who see
 * committed data only (DuckDB's MVCC). DuckDB lets a single process open the file; a second {@link
 * #open} of the same directory fails with a {@link StorageException}.
 */
public final class DuckDbStorage implements StorageComponent {

  public static final String FILE_NAME = "yumzoom.duckdb";

  // DuckDB's JDBC driver shares one database instance per file within a process, so a second open
  // would quietly get a second writer; refuse it (another process is refused by DuckDB's file lock)
  private static final java.util.Set<Path> OPEN =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Engine settings.
   *
   * @param memoryLimit DuckDB's memory limit, e.g. "2GB"; the JVM heap comes on top
   * @param threads DuckDB worker threads for queries and checkpoints
   * @param checkpointThreshold WAL size at which a commit also checkpoints, e.g. "128MB": larger
   *     means fewer, longer pauses of the writer and a longer WAL replay after a crash
   * @param readers connections serving concurrent reads
   */
  public record Options(String memoryLimit, int threads, String checkpointThreshold, int readers) {

    public static final Options DEFAULTS = new Options("2GB", 2, "128MB", 4);

    public Options {
      if (memoryLimit == null || memoryLimit.isBlank()) {
        throw new IllegalArgumentException("storage.duckdb.memoryLimit is missing");
      }
      if (checkpointThreshold == null || checkpointThreshold.isBlank()) {
        throw new IllegalArgumentException("storage.duckdb.checkpointThreshold is missing");
      }
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException(
            "storage.duckdb.threads must be between 1 and 256, got " + threads);
      }
      if (readers < 1 || readers > 64) {
        throw new IllegalArgumentException(
            "storage.duckdb.readers must be between 1 and 64, got " + readers);
      }
    }
  }

  private final Path file;
  private final DuckDBConnection writerConnection;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final SpanWriter writer;
  private final ReaderPool readers;
  private final DuckDbSpanStore store;
  private boolean closed;

  private DuckDbStorage(Path file, DuckDBConnection connection, Options options) {
    this.file = file;
    this.writerConnection = connection;
    this.writer = new SpanWriter(connection, writeLock);
    this.readers = new ReaderPool(connection, options.readers());
    this.store = new DuckDbSpanStore(readers);
  }

  public static DuckDbStorage open(Path dataDir) {
    return open(dataDir, Options.DEFAULTS);
  }

  public static DuckDbStorage open(Path dataDir, Options options) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StorageException("cannot create data directory " + dataDir + ": " + e, e);
    }
    if (!OPEN.add(file)) {
      throw new StorageException(file + " is already open in this process");
    }
    try {
      return openFile(file, options);
    } catch (RuntimeException e) {
      OPEN.remove(file);
      throw e;
    }
  }

  private static DuckDbStorage openFile(Path file, Options options) {
    Properties props = new Properties();
    props.setProperty("memory_limit", options.memoryLimit());
    props.setProperty("threads", Integer.toString(options.threads()));
    // zstd for strings and blobs needs a storage format newer than DuckDB's default (0.10.2);
    // it only applies when the file is created
    props.setProperty("storage_compatibility_version", "latest");
    DuckDBConnection connection;
    try {
      connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, props);
    } catch (SQLException e) {
      throw new StorageException("cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      try (Statement s = connection.createStatement()) {
        s.execute("SET checkpoint_threshold = '" + options.checkpointThreshold() + "'");
      }
      Migrations.migrate(connection);
      return new DuckDbStorage(file, connection, options);
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already failing
      }
      if (e instanceof StorageException se) {
        throw se;
      }
      throw new StorageException("cannot set up " + file + ": " + e.getMessage(), e);
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  @Override
  public SpanConsumer spanConsumer() {
    return writer;
  }

  @Override
  public SpanStore spanStore() {
    return store;
  }

  @Override
  public long deleteSpansStartedBefore(long cutoffEpochNanos) {
    return writer.deleteStartedBefore(cutoffEpochNanos);
  }

  /** Folds the WAL into the database file now; the writer waits meanwhile. */
  public void checkpoint() {
    writeLock.lock();
    try {
      if (closed) {
        throw new StorageException("storage is closed");
      }
      try (Statement s = writerConnection.createStatement()) {
        s.execute("CHECKPOINT");
      } catch (SQLException e) {
        throw new StorageException("CHECKPOINT failed: " + e.getMessage(), e);
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      writer.markClosed();
      readers.close();
      try (Statement s = writerConnection.createStatement()) {
        s.execute("CHECKPOINT");
      } catch (SQLException e) {
        // the WAL still holds every commit; the next open replays it
      } finally {
        try {
          writerConnection.close();
        } catch (SQLException e) {
          throw new StorageException("closing " + file + " failed: " + e.getMessage(), e);
        } finally {
          OPEN.remove(file);
        }
      }
    } finally {
      writeLock.unlock();
    }
  }
}
