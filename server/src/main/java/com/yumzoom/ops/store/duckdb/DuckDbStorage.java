package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.StorageComponent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
  public record Options(
      String memoryLimit,
      int threads,
      String checkpointThreshold,
      int readers,
      SpanLogOptions spanLog) {

    public static final Options DEFAULTS =
        new Options("2GB", 2, "128MB", 4, SpanLogOptions.DEFAULTS);

    /** The defaults, with the span log on or off ({@code storage.span-log.enabled}). */
    public static Options withSpanLog(boolean enabled) {
      SpanLogOptions d = SpanLogOptions.DEFAULTS;
      return new Options(
          DEFAULTS.memoryLimit(),
          DEFAULTS.threads(),
          DEFAULTS.checkpointThreshold(),
          DEFAULTS.readers(),
          new SpanLogOptions(
              d.segmentBytes(),
              d.flushRows(),
              d.flushAge(),
              d.headMaxRows(),
              d.headMaxBytes(),
              d.fullWait(),
              enabled));
    }

    public Options(String memoryLimit, int threads, String checkpointThreshold, int readers) {
      this(memoryLimit, threads, checkpointThreshold, readers, SpanLogOptions.DEFAULTS);
    }

    public Options {
      java.util.Objects.requireNonNull(spanLog, "spanLog");
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

  /**
   * The span log and head in front of DuckDB (see {@code LoggedSpanConsumer}).
   *
   * @param segmentBytes span log segment size at which a new segment starts
   * @param flushRows rows per DuckDB transaction (DuckDB's row group is 122,880 rows)
   * @param flushAge the head is flushed when its oldest batch is this old, even if smaller
   * @param headMaxRows most rows in the head
   * @param headMaxBytes most approximate bytes in the head
   * @param fullWait how long accept waits for room before answering overloaded
   * @param enabled false writes each batch as its own DuckDB transaction (the path before the span
   *     log); a log left by an earlier run is still replayed into DuckDB at open
   */
  public record SpanLogOptions(
      long segmentBytes,
      int flushRows,
      Duration flushAge,
      int headMaxRows,
      long headMaxBytes,
      Duration fullWait,
      boolean enabled) {

    public SpanLogOptions(
        long segmentBytes,
        int flushRows,
        Duration flushAge,
        int headMaxRows,
        long headMaxBytes,
        Duration fullWait) {
      this(segmentBytes, flushRows, flushAge, headMaxRows, headMaxBytes, fullWait, true);
    }

    static final int ROW_GROUP = 122_880;
    // off until a row-group flush is shown to cost less CPU per span than per-batch commits once
    // checkpoints are counted (docs/benchmarks.md section 6, rows of 2026-11-22)
    static final boolean ENABLED_BY_DEFAULT = false;

    public static final SpanLogOptions DEFAULTS =
        new SpanLogOptions(
            64L << 20,
            ROW_GROUP,
            Duration.ofSeconds(10),
            3 * ROW_GROUP,
            // the head lives on the Java heap: at most a quarter of it
            Math.min(768L << 20, Runtime.getRuntime().maxMemory() / 4),
            Duration.ofSeconds(1));

    public SpanLogOptions {
      if (segmentBytes < 4096) {
        throw new IllegalArgumentException(
            "storage.span-log.segment-bytes must be at least 4096, got " + segmentBytes);
      }
      if (flushRows < 1) {
        throw new IllegalArgumentException(
            "storage.span-log.flush-rows must be positive, got " + flushRows);
      }
      if (flushAge.isNegative()) {
        throw new IllegalArgumentException(
            "storage.span-log.flush-age must not be negative, got " + flushAge);
      }
      if (headMaxRows < flushRows) {
        throw new IllegalArgumentException(
            "storage.span-log.head-max-rows must be at least flush-rows ("
                + flushRows
                + "), got "
                + headMaxRows);
      }
      if (headMaxBytes < 1) {
        throw new IllegalArgumentException(
            "storage.span-log.head-max-bytes must be positive, got " + headMaxBytes);
      }
    }
  }

  private final Path file;
  private final DuckDBConnection writerConnection;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final SpanWriter writer;
  private final Head head;
  private final LoggedSpanConsumer consumer;
  private final boolean logEnabled;
  private final ReaderPool readers;
  private final DuckDbSpanStore store;
  private boolean closed;

  private DuckDbStorage(
      Path file,
      DuckDBConnection connection,
      Options options,
      LoggedSpanConsumer.FlushListener listener) {
    this.file = file;
    this.writerConnection = connection;
    this.writer = new SpanWriter(connection, writeLock);
    SpanLogOptions logOptions = options.spanLog();
    this.head = new Head(logOptions.headMaxRows(), logOptions.headMaxBytes());
    long flushed = writer.flushedSeq();
    SpanLog log =
        SpanLog.open(
            file.resolveSibling(SpanLog.DIR_NAME),
            logOptions.segmentBytes(),
            flushed,
            batch -> {
              SpanRow[] rows = batch.rows().toArray(SpanRow[]::new);
              long bytes = 0;
              for (SpanRow r : rows) {
                bytes += r.approximateBytes();
              }
              head.add(new Head.Batch(batch.seq(), rows, bytes, System.nanoTime()));
            });
    this.consumer =
        new LoggedSpanConsumer(
            log, head, writer, writeLock, logOptions, System::nanoTime, listener);
    this.readers = new ReaderPool(connection, options.readers());
    this.store = new DuckDbSpanStore(readers, head);
    this.logEnabled = logOptions.enabled();
  }

  public static DuckDbStorage open(Path dataDir) {
    return open(dataDir, Options.DEFAULTS);
  }

  public static DuckDbStorage open(Path dataDir, Options options) {
    return open(dataDir, options, (seq, rows) -> {}, true);
  }

  /**
   * @param listener runs inside each flush transaction before COMMIT (crash tests)
   * @param startFlusher false leaves flushing to {@link #flushHead()} (tests)
   */
  static DuckDbStorage open(
      Path dataDir,
      Options options,
      LoggedSpanConsumer.FlushListener listener,
      boolean startFlusher) {
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
      return openFile(file, options, listener, startFlusher);
    } catch (RuntimeException e) {
      OPEN.remove(file);
      throw e;
    }
  }

  private static DuckDbStorage openFile(
      Path file, Options options, LoggedSpanConsumer.FlushListener listener, boolean startFlusher) {
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
      DuckDbStorage storage = new DuckDbStorage(file, connection, options, listener);
      if (!options.spanLog().enabled()) {
        // a log written while it was enabled goes into DuckDB now; batches then bypass it
        storage.consumer.flushAll();
      } else if (startFlusher) {
        storage.consumer.start();
      }
      return storage;
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
    return logEnabled ? consumer : writer;
  }

  @Override
  public SpanStore spanStore() {
    return store;
  }

  @Override
  public long deleteSpansStartedBefore(long cutoffEpochNanos) {
    // under the write lock, so no flush moves head rows into DuckDB between the two deletes
    writeLock.lock();
    try {
      long fromHead = head.deleteStartedBefore(cutoffEpochNanos);
      return fromHead + writer.deleteStartedBefore(cutoffEpochNanos);
    } finally {
      writeLock.unlock();
    }
  }

  /** Moves everything in the head into DuckDB now (tests and benchmarks). */
  void flushHead() {
    consumer.flushAll();
  }

  /** Flush transactions committed since open. */
  long flushCount() {
    return consumer.flushes();
  }

  /** Spans durable in the span log but not yet in DuckDB. */
  public long headSpans() {
    return head.rows();
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
    // outside the write lock: the flusher takes it
    consumer.close();
    closeDatabase();
  }

  /** Leaves the head to the span log, as a killed process would (tests). */
  void closeWithoutFlush() {
    consumer.closeWithoutFlush();
    closeDatabase();
  }

  private void closeDatabase() {
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
