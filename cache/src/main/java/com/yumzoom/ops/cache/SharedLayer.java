package com.yumzoom.ops.cache;

import java.time.Duration;

/**
 * A layer shared by every node (Redis), which also carries the invalidation broadcast and the
 * cross-node load lock.
 *
 * @param <V> value type
 */
public interface SharedLayer<V> extends CacheLayer<V> {

  /** Broadcasts to every node subscribed to this cache, this one included. */
  void publish(Invalidation invalidation);

  /** Registers the node's listener; called once by the cache at build time. */
  void subscribe(Listener listener);

  /**
   * Tries to take the load lock of one key for at most {@code ttl}.
   *
   * @return a token to release it with, or null when another holder has it
   */
  String tryLock(String key, Duration ttl);

  /** Releases the lock if the token still owns it (an expired lock may belong to another). */
  void unlock(String key, String token);

  /** True while some node holds the load lock of the key. */
  boolean isLocked(String key);

  /** What a node hears from the shared layer. */
  interface Listener {
    /** Another node (or this one) invalidated something. */
    void onInvalidation(Invalidation invalidation);

    /**
     * The broadcast channel was lost: invalidations from now until {@link #onResubscribed()} may be
     * missed.
     */
    void onDisconnected();

    /** The broadcast channel is back and subscribed again. */
    void onResubscribed();
  }
}
