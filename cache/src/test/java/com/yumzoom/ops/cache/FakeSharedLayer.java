package com.yumzoom.ops.cache;

import com.yumzoom.ops.cache.l1.CaffeineLayer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process stand-in for the Redis layer, for unit tests of the cache's own logic: one instance
 * shared by two caches acts as the Redis both nodes talk to. It can be told to fail.
 */
public final class FakeSharedLayer<V> implements SharedLayer<V> {
  private final CaffeineLayer<V> store;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, String> locks = new ConcurrentHashMap<>();
  public volatile boolean failing;

  public FakeSharedLayer(Clock clock) {
    this.store = CaffeineLayer.bySize(100_000, clock, Runnable::run);
  }

  private void check() {
    if (failing) {
      throw new IllegalStateException("fake redis down");
    }
  }

  @Override
  public String name() {
    return "l2";
  }

  @Override
  public CacheEntry<V> get(String key) {
    check();
    return store.get(key);
  }

  @Override
  public void put(String key, CacheEntry<V> entry) {
    check();
    store.put(key, entry);
  }

  @Override
  public void invalidate(String key) {
    check();
    store.invalidate(key);
  }

  @Override
  public long invalidatePattern(String glob) {
    check();
    return store.invalidatePattern(glob);
  }

  @Override
  public long invalidateTag(String tag) {
    check();
    return store.invalidateTag(tag);
  }

  @Override
  public void clear() {
    check();
    store.clear();
  }

  @Override
  public long size() {
    return store.size();
  }

  @Override
  public long evictions() {
    return -1;
  }

  @Override
  public void publish(Invalidation invalidation) {
    check();
    listeners.forEach(l -> l.onInvalidation(invalidation));
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public String tryLock(String key, Duration ttl) {
    check();
    String token = UUID.randomUUID().toString();
    return locks.putIfAbsent(key, token) == null ? token : null;
  }

  @Override
  public void unlock(String key, String token) {
    locks.remove(key, token);
  }

  @Override
  public boolean isLocked(String key) {
    return locks.containsKey(key);
  }

  /** Every subscriber loses the channel (messages from now on are not delivered to it). */
  public void disconnectAll() {
    listeners.forEach(Listener::onDisconnected);
  }

  public void resubscribeAll() {
    listeners.forEach(Listener::onResubscribed);
  }

  /** Plants an entry without any broadcast, as if an invalidation message were lost. */
  public void plant(String key, CacheEntry<V> entry) {
    store.put(key, entry);
  }
}
