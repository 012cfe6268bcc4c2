package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.pipeline.OverloadedException;
import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The span consumer in front of DuckDB: {@link #accept} logs the batch ({@link SpanLog}, one fsync)
 * and adds it to the in-memory {@link Head}; a background flusher moves the head into DuckDB in
 * row-group-sized transactions.
 *
 * <p>Why row groups: a transaction holding at least a full row group (122,880 rows) is written
 * compressed straight into the database file (DuckDB's optimistic write of large appends) instead
 * of through the WAL and again at checkpoint; measured at 2.4x the rows per CPU-second of per-batch
 * commits (docs/benchmarks.md section 6). Under light load the head is flushed once its oldest
 * batch is {@code flushAge} old, so the log stays short.
 *
 * <p>Contract kept: when {@link #accept} returns, the batch is durable (in the log) and visible (in
 * the head); when it throws, nothing of it was logged. A full head makes accept wait up to {@code
 * fullWait}, then fail with {@link OverloadedException} (429 with Retry-After at the edge). The
 * flusher never dies: a failed flush is logged, counted, and retried with backoff; the head keeps
 * the batches meanwhile (and the log keeps them across a crash).
 */
final class LoggedSpanConsumer implements SpanConsumer, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoggedSpanConsumer.class);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** Test hook: runs inside the flush transaction just before COMMIT. */
  interface FlushListener {
    void beforeCommit(long throughSeq, int rows);
  }

  private final SpanLog log;
  private final Head head;
  private final SpanWriter writer;
  private final ReentrantLock writeLock;
  private final DuckDbStorage.SpanLogOptions settings;
  private final LongSupplier nanoTime;
  private final FlushListener listener;
  private final Thread flusher;
  private volatile boolean stopping;
  private boolean closed;

  private final LongAdder flushes = new LongAdder();
  private final LongAdder flushedRows = new LongAdder();
  private final LongAdder failedFlushes = new LongAdder();
  private final LongAdder overloads = new LongAdder();

  LoggedSpanConsumer(
      SpanLog log,
      Head head,
      SpanWriter writer,
      ReentrantLock writeLock,
      DuckDbStorage.SpanLogOptions settings,
      LongSupplier nanoTime,
      FlushListener listener) {
    this.log = log;
    this.head = head;
    this.writer = writer;
    this.writeLock = writeLock;
    this.settings = settings;
    this.nanoTime = nanoTime;
    this.listener = listener;
    this.flusher = Thread.ofPlatform().name("yumzoom-span-flusher").unstarted(this::run);
  }

  void start() {
    flusher.start();
  }

  @Override
  public synchronized void accept(List<SpanRow> spans) {
    if (spans.isEmpty()) {
      return;
    }
    if (closed) {
      throw new StorageException("storage is closed");
    }
    long bytes = 0;
    for (SpanRow r : spans) {
      bytes += r.approximateBytes();
    }
    if (!head.awaitRoom(spans.size(), bytes, settings.fullWait().toNanos())) {
      overloads.increment();
      throw new OverloadedException(
          "span store is behind: "
              + head.rows()
              + " spans wait to be written (storage.span-log.head-max-rows "
              + settings.headMaxRows()
              + ", head-max-bytes "
              + settings.headMaxBytes()
              + ")",
          RETRY_AFTER);
    }
    SpanRow[] copy = new SpanRow[spans.size()];
    long seq = log.append(spans, copy);
    head.add(new Head.Batch(seq, copy, bytes, nanoTime.getAsLong()));
  }

  private void run() {
    long backoff = 0;
    while (!stopping) {
      try {
        head.awaitWork(
            settings.flushRows(),
            settings.flushAge().toNanos(),
            nanoTime,
            () -> stopping,
            backoff > 0 ? backoff : TimeUnit.SECONDS.toNanos(1));
        if (stopping) {
          return;
        }
        if (backoff > 0
            || head.hasWork(settings.flushRows(), settings.flushAge().toNanos(), nanoTime)) {
          flushOnce();
          backoff = 0;
        }
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError vme) {
          throw vme;
        }
        failedFlushes.increment();
        backoff = Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoff * 2));
        LOG.warn(
            "flushing the span head into DuckDB failed ({} spans wait, retrying in {} ms): {}",
            head.rows(),
            TimeUnit.NANOSECONDS.toMillis(backoff),
            t.toString());
        // wait out the backoff (or until asked to stop) before the next attempt
        head.awaitWork(Integer.MAX_VALUE, Long.MAX_VALUE, nanoTime, () -> stopping, backoff);
      }
    }
  }

  /**
   * Moves the oldest batches, at least {@code flushRows} rows when the head has that many, into
   * DuckDB in one transaction; returns the number of batches moved.
   */
  int flushOnce() {
    long through;
    int count;
    int moved;
    writeLock.lock();
    try {
      List<Head.Batch> batches = head.batches();
      if (batches.isEmpty()) {
        return 0;
      }
      int taken = 0;
      List<SpanRow> rows = new ArrayList<>(settings.flushRows() + 16_384);
      through = -1;
      for (Head.Batch b : batches) {
        if (rows.size() >= settings.flushRows()) {
          break;
        }
        rows.addAll(java.util.Arrays.asList(b.rows()));
        through = b.seq();
        taken++;
      }
      count = rows.size();
      long seq = through;
      writer.flush(rows, seq, () -> listener.beforeCommit(seq, count));
      head.removeThrough(through);
      moved = taken;
    } finally {
      writeLock.unlock();
    }
    flushes.increment();
    flushedRows.add(count);
    log.deleteThrough(through);
    return moved;
  }

  /** Flushes everything in the head now (tests, and close). */
  void flushAll() {
    while (flushOnce() > 0) {
      // each round moves at least one batch
    }
  }

  long flushes() {
    return flushes.sum();
  }

  long failedFlushes() {
    return failedFlushes.sum();
  }

  long overloads() {
    return overloads.sum();
  }

  /** Stops the flusher and moves the head into DuckDB; the log keeps whatever that fails to. */
  @Override
  public void close() {
    close(true);
  }

  /** Stops the flusher and closes the log, leaving the head to it (tests simulate a crash). */
  void closeWithoutFlush() {
    close(false);
  }

  private void close(boolean flush) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopping = true;
    head.wake();
    boolean interrupted = false;
    while (flusher.isAlive()) {
      try {
        flusher.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    try {
      if (flush) {
        flushAll();
      }
    } catch (RuntimeException e) {
      LOG.warn("final flush of the span head failed; the span log replays it on the next open", e);
    } finally {
      log.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
