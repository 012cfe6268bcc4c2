package com.yumzoom.ops.ingest;

import com.yumzoom.ops.pipeline.OverloadedException;
import com.yumzoom.ops.pipeline.SpanSink;
import com.yumzoom.ops.store.SpanRow;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A fake of our {@link SpanSink}: collects rows, and can instead answer overloaded, fail like a
 * broken store, or hold the commit until the test releases it.
 */
final class TestSink implements SpanSink {

  enum Mode {
    ACCEPT,
    OVERLOADED,
    STORAGE_FAILURE,
    HOLD
  }

  static final Duration RETRY_AFTER = Duration.ofMillis(2500);

  private volatile Mode mode = Mode.ACCEPT;
  private final List<SpanRow> rows = new CopyOnWriteArrayList<>();
  private final BlockingQueue<CompletableFuture<Void>> held = new LinkedBlockingQueue<>();

  void mode(Mode mode) {
    this.mode = mode;
  }

  List<SpanRow> rows() {
    return rows;
  }

  /** The commit of the next held submission, waiting at most a few seconds for it. */
  CompletableFuture<Void> nextHeld() throws InterruptedException {
    CompletableFuture<Void> f = held.poll(10, java.util.concurrent.TimeUnit.SECONDS);
    if (f == null) {
      throw new AssertionError("no submission arrived");
    }
    return f;
  }

  void reset() {
    mode = Mode.ACCEPT;
    rows.clear();
    held.clear();
  }

  @Override
  public CompletableFuture<Void> submit(List<SpanRow> spans) {
    return switch (mode) {
      case ACCEPT -> {
        rows.addAll(spans);
        yield CompletableFuture.completedFuture(null);
      }
      case OVERLOADED ->
          CompletableFuture.failedFuture(
              new OverloadedException("ingest queue is full", RETRY_AFTER));
      case STORAGE_FAILURE ->
          CompletableFuture.failedFuture(new IllegalStateException("disk full"));
      case HOLD -> {
        rows.addAll(spans);
        CompletableFuture<Void> commit = new CompletableFuture<>();
        held.add(commit);
        yield commit;
      }
    };
  }
}
