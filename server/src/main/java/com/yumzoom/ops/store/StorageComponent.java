package com.yumzoom.ops.store;

/**
 * A storage backend. Backends live in sub-packages of {@code store} and must pass the abstract
 * contract suite in the tests ({@code SpanStoreContract}).
 */
public interface StorageComponent extends AutoCloseable {

  SpanConsumer spanConsumer();

  SpanStore spanStore();

  /** Deletes spans that started before the cutoff; returns how many were removed. */
  long deleteSpansStartedBefore(long cutoffEpochNanos);

  /** Releases resources; everything accepted before is durable. */
  @Override
  void close();
}
