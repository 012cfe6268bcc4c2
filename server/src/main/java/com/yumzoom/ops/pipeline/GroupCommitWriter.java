package com.yumzoom.ops.pipeline;

import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer between ingest and the store: requests queue their spans, one thread drains
 * whatever has accumulated and commits it in one transaction, then completes every request's
 * future.
 *
 * <p>Why group commit: a durable commit costs a WAL sync whatever its size, so committing each
 * request alone caps throughput at the sync rate; committing everything that arrived during the
 * previous commit amortises it while keeping the "2xx means on disk" promise. Under light load a
 * commit holds one request and latency is one sync; under heavy load batches grow up to {@code
 * commitMaxSpans}.
 *
 * <p>The queue is bounded in spans, not requests: {@link #submit} reserves capacity atomically and
 * fails fast with {@link OverloadedException} when it is exhausted, so memory stays bounded and
 * clients are told to retry. The worker never dies: a failed commit fails only the requests in that
 * commit (nothing of theirs is visible, per the {@link SpanConsumer} contract) and the loop goes
 * on.
 */
public final class GroupCommitWriter implements SpanSink, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  private record Pending(List<SpanRow> spans, CompletableFuture<Void> done) {}

  private final SpanConsumer consumer;
  private final int queueMaxSpans;
  private final int commitMaxSpans;
  private final Duration retryAfter;
  private final LongSupplier nanoTime;
  private final Consumer<List<SpanRow>> afterCommit;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedSpans = new AtomicLong();
  private final Thread worker;
  private volatile boolean accepting = true;
  private volatile boolean running = true;

  private final LongAdder committedSpans = new LongAdder();
  private final LongAdder commits = new LongAdder();
  private final LongAdder failedCommits = new LongAdder();
  private final LongAdder rejectedSpans = new LongAdder();
  private final AtomicLong lastCommitNanos = new AtomicLong();
  private final AtomicLong maxCommitNanos = new AtomicLong();

  public GroupCommitWriter(
      SpanConsumer consumer,
      int queueMaxSpans,
      int commitMaxSpans,
      Duration retryAfter,
      LongSupplier nanoTime) {
    this(consumer, queueMaxSpans, commitMaxSpans, retryAfter, nanoTime, committed -> {});
  }

  /**
   * @param afterCommit called on the writer thread with every committed batch (for metrics derived
   *     from spans); it must be cheap, and whatever it throws is logged and ignored
   */
  public GroupCommitWriter(
      SpanConsumer consumer,
      int queueMaxSpans,
      int commitMaxSpans,
      Duration retryAfter,
      LongSupplier nanoTime,
      Consumer<List<SpanRow>> afterCommit) {
    this.afterCommit = afterCommit;
    this.consumer = consumer;
    this.queueMaxSpans = queueMaxSpans;
    this.commitMaxSpans = commitMaxSpans;
    this.retryAfter = retryAfter;
    this.nanoTime = nanoTime;
    this.worker = Thread.ofPlatform().name("yumzoom-group-commit").unstarted(this::run);
    worker.start();
  }

  @Override
  public CompletableFuture<Void> submit(List<SpanRow> spans) {
    if (spans.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!accepting) {
      rejectedSpans.add(spans.size());
      return CompletableFuture.failedFuture(
          new OverloadedException("server is shutting down", retryAfter));
    }
    int n = spans.size();
    long after = queuedSpans.addAndGet(n);
    // A request larger than the whole queue would never fit; let it in alone rather than reject it
    // forever (its size is already bounded by ingest.max-spans-per-request).
    if (after > queueMaxSpans && after != n) {
      queuedSpans.addAndGet(-n);
      rejectedSpans.add(n);
      return CompletableFuture.failedFuture(
          new OverloadedException(
              "ingest queue is full (" + queueMaxSpans + " spans, pipeline.queue-max-spans)",
              retryAfter));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Pending(spans, done));
    return done;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    List<SpanRow> rows = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        rows.addAll(first.spans());
        Pending next;
        while (rows.size() < commitMaxSpans && (next = queue.poll()) != null) {
          batch.add(next);
          rows.addAll(next.spans());
        }
        commit(batch, rows);
      } catch (InterruptedException e) {
        // Nobody should interrupt the writer; keep draining so acknowledged work is not lost.
        Thread.interrupted();
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError vme) {
          failAll(batch, t);
          throw vme;
        }
        LOG.error("group commit worker caught an unexpected error; continuing", t);
        failAll(batch, t);
      } finally {
        batch.clear();
        rows.clear();
      }
    }
  }

  private void commit(List<Pending> batch, List<SpanRow> rows) {
    long start = nanoTime.getAsLong();
    try {
      consumer.accept(rows);
    } catch (RuntimeException e) {
      failedCommits.increment();
      LOG.warn("commit of {} spans failed: {}", rows.size(), e.toString());
      failAll(batch, e);
      return;
    }
    long took = nanoTime.getAsLong() - start;
    lastCommitNanos.set(took);
    maxCommitNanos.accumulateAndGet(took, Math::max);
    commits.increment();
    committedSpans.add(rows.size());
    queuedSpans.addAndGet(-rows.size());
    for (Pending p : batch) {
      p.done().complete(null);
    }
    try {
      afterCommit.accept(rows);
    } catch (RuntimeException e) {
      // Derived data must never cost acknowledged spans or the writer itself.
      LOG.warn("after-commit listener failed; spans are stored, derived data may lag", e);
    }
  }

  private void failAll(List<Pending> batch, Throwable cause) {
    for (Pending p : batch) {
      if (!p.done().isDone()) {
        queuedSpans.addAndGet(-p.spans().size());
        p.done().completeExceptionally(cause);
      }
    }
  }

  /** False once {@link #close()} has begun. */
  public boolean isAccepting() {
    return accepting;
  }

  /** Spans waiting for a commit. */
  public long queuedSpans() {
    return queuedSpans.get();
  }

  public long committedSpans() {
    return committedSpans.sum();
  }

  public long commits() {
    return commits.sum();
  }

  public long failedCommits() {
    return failedCommits.sum();
  }

  public long rejectedSpans() {
    return rejectedSpans.sum();
  }

  public Duration lastCommitDuration() {
    return Duration.ofNanos(lastCommitNanos.get());
  }

  public Duration maxCommitDuration() {
    return Duration.ofNanos(maxCommitNanos.get());
  }

  /**
   * Stops accepting, commits everything already queued, and returns when the worker has finished:
   * every request that was (or will be) answered 2xx is then durable.
   */
  @Override
  public void close() {
    accepting = false;
    running = false;
    // No interrupt: the worker polls with a short timeout, and an interrupt landing inside a commit
    // could abort a storage call half way.
    boolean interrupted = false;
    while (worker.isAlive()) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    // A submit that raced with close() may have queued after the worker's last poll.
    Pending late;
    while ((late = queue.poll()) != null) {
      queuedSpans.addAndGet(-late.spans().size());
      late.done()
          .completeExceptionally(new OverloadedException("server is shutting down", retryAfter));
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
