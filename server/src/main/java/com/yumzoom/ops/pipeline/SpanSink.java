package com.yumzoom.ops.pipeline;

import com.yumzoom.ops.store.SpanRow;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where ingest hands decoded spans. */
public interface SpanSink {

  /**
   * Queues the spans for the next group commit. The future completes when they are durable, or
   * exceptionally if the commit failed. When the queue is full the returned future is already
   * failed with {@link OverloadedException} and nothing was queued.
   */
  CompletableFuture<Void> submit(List<SpanRow> spans);
}
