package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanRow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spans that are durable in the {@link SpanLog} but not yet in DuckDB, as whole batches in sequence
 * order.
 *
 * <p>Readers take {@link #batches()}, an immutable snapshot (copy-on-write: a batch is added per
 * group commit, so the list is short), before they open their DuckDB transaction, and use the
 * batches whose sequence number is above the flushed position that transaction sees. A batch leaves
 * the head only after the DuckDB transaction holding it has committed, so every span is seen
 * exactly once: either the snapshot still has it, or DuckDB's snapshot already does.
 *
 * <p>Bounded by rows and by bytes ({@link SpanRow#approximateBytes()}); the writer waits for room
 * ({@link #awaitRoom}) and gives up after a short while. Modifications are synchronized; {@code
 * notifyAll} wakes both the waiting writer (room) and the flusher (work).
 */
final class Head {

  /** One accepted batch; {@code rows} is never modified after it is added. */
  record Batch(long seq, SpanRow[] rows, long bytes, long arrivalNanos) {
    int size() {
      return rows.length;
    }
  }

  private final int maxRows;
  private final long maxBytes;
  private volatile List<Batch> batches = List.of();
  private long rows;
  private long bytes;

  Head(int maxRows, long maxBytes) {
    this.maxRows = maxRows;
    this.maxBytes = maxBytes;
  }

  /** The batches now, oldest first; never changes after it is returned. */
  List<Batch> batches() {
    return batches;
  }

  synchronized long rows() {
    return rows;
  }

  synchronized long bytes() {
    return bytes;
  }

  /**
   * Waits until a batch of this size fits, at most {@code timeoutNanos}; false if it still does
   * not. A batch larger than the whole head fits once the head is empty.
   */
  synchronized boolean awaitRoom(int batchRows, long batchBytes, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (!fits(batchRows, batchBytes)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private boolean fits(int batchRows, long batchBytes) {
    return rows == 0 || rows + batchRows <= maxRows && bytes + batchBytes <= maxBytes;
  }

  synchronized void add(Batch batch) {
    List<Batch> next = new ArrayList<>(batches.size() + 1);
    next.addAll(batches);
    next.add(batch);
    batches = List.copyOf(next);
    rows += batch.size();
    bytes += batch.bytes();
    notifyAll();
  }

  /** Drops the batches up to and including {@code seq}, which DuckDB now holds. */
  synchronized void removeThrough(long seq) {
    List<Batch> next = new ArrayList<>(batches.size());
    for (Batch b : batches) {
      if (b.seq() > seq) {
        next.add(b);
      } else {
        rows -= b.size();
        bytes -= b.bytes();
      }
    }
    batches = List.copyOf(next);
    notifyAll();
  }

  /**
   * Retention: removes spans that started before the cutoff; returns how many. The log still holds
   * them until their batch is flushed, so a crash before that brings them back until the next
   * retention run.
   */
  synchronized long deleteStartedBefore(long cutoffEpochNanos) {
    long deleted = 0;
    List<Batch> next = new ArrayList<>(batches.size());
    for (Batch b : batches) {
      int old = 0;
      for (SpanRow r : b.rows()) {
        if (r.startEpochNanos() < cutoffEpochNanos) {
          old++;
        }
      }
      if (old == 0) {
        next.add(b);
        continue;
      }
      SpanRow[] kept = new SpanRow[b.size() - old];
      long keptBytes = 0;
      int i = 0;
      for (SpanRow r : b.rows()) {
        if (r.startEpochNanos() >= cutoffEpochNanos) {
          kept[i++] = r;
          keptBytes += r.approximateBytes();
        }
      }
      // an emptied batch stays, so the flusher still records its sequence number
      next.add(new Batch(b.seq(), kept, keptBytes, b.arrivalNanos()));
      rows -= old;
      bytes -= b.bytes() - keptBytes;
      deleted += old;
    }
    batches = List.copyOf(next);
    notifyAll();
    return deleted;
  }

  /**
   * Waits until the head has work for the flusher (at least {@code flushRows} rows, or a batch
   * older than {@code maxAgeNanos}), {@code stop} says to stop, or {@code maxWaitNanos} passed.
   */
  synchronized void awaitWork(
      int flushRows,
      long maxAgeNanos,
      LongSupplier nanoTime,
      java.util.function.BooleanSupplier stop,
      long maxWaitNanos) {
    long deadline = System.nanoTime() + maxWaitNanos;
    while (!stop.getAsBoolean() && !hasWork(flushRows, maxAgeNanos, nanoTime)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      long wait = left;
      if (!batches.isEmpty()) {
        long age = nanoTime.getAsLong() - batches.getFirst().arrivalNanos();
        wait = Math.min(wait, Math.max(1_000_000L, maxAgeNanos - age));
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Wakes a waiting flusher (to stop, or to flush now). */
  synchronized void wake() {
    notifyAll();
  }

  synchronized boolean hasWork(int flushRows, long maxAgeNanos, LongSupplier nanoTime) {
    if (batches.isEmpty()) {
      return false;
    }
    return rows >= flushRows
        || nanoTime.getAsLong() - batches.getFirst().arrivalNanos() >= maxAgeNanos;
  }
}
