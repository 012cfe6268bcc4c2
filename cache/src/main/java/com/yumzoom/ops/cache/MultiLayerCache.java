package com.yumzoom.ops.cache;

import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.codec.EncryptionKeys;
import com.yumzoom.ops.cache.codec.JsonCodec;
import com.yumzoom.ops.cache.l1.CaffeineLayer;
import com.yumzoom.ops.cache.redis.RedisL2;
import com.yumzoom.ops.cache.redis.RedisLayer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A two-level cache: Caffeine in-process (L1) in front of Redis (L2), shared by every node that
 * builds a cache of the same name on the same Redis.
 *
 * <p>Design note.
 *
 * <ul>
 *   <li><b>Reads</b> go L1, then L2 (a hit is promoted into L1), then the loader. Freshness is a
 *       property of the value ({@link CacheEntry}), so a copy promoted from L2 keeps the life it
 *       had there; the L1 copy is additionally capped at {@code l1Ttl}.
 *   <li><b>Single-flight</b>: concurrent misses of one key in this JVM share one load; with {@link
 *       CacheStrategy#distributedLock()} nodes also share it through a short Redis lock, the others
 *       polling L2 for the result. The leader re-reads the layers after registering its flight, so
 *       a flight that finished a moment earlier is never repeated.
 *   <li><b>Refresh</b> never blocks a reader of a servable value: stale-while-revalidate serves the
 *       stale value and reloads once in the background; XFetch (Vattani, Chierichetti and
 *       Lowenstein, "Optimal Probabilistic Cache Stampede Prevention", VLDB 2015) reloads a fresh
 *       value early with probability rising as expiry nears, scaled by how long it took to load.
 *       Stale-if-error serves a stale value only when a synchronous reload failed.
 *   <li><b>Invalidation</b> (key, glob pattern, tag, all) is applied to this node, to Redis, then
 *       broadcast over pub/sub; other nodes drop their L1 copies. Every invalidation bumps an epoch
 *       ({@link InvalidationEpochs}) so a load racing it does not store its old value.
 *   <li><b>No stale L1 after a disconnect</b>: when the broadcast connection drops, messages may be
 *       lost, so L1 is cleared at once and again after the channel is subscribed anew.
 *   <li><b>Layer failures never fail the caller</b>: a Redis error is counted and the read falls
 *       through to the loader; only a loader failure without a stale fallback throws.
 * </ul>
 *
 * @param <V> value type
 */
public final class MultiLayerCache<V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MultiLayerCache.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Keys longer than this are refused: they would bloat Redis and every broadcast. */
  public static final int MAX_KEY_LENGTH = 1024;

  private final String name;
  private final String nodeId = UUID.randomUUID().toString();
  private final CacheStrategy strategy;
  private final CacheLayer<V> l1;
  private final SharedLayer<V> l2;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final DoubleSupplier random;
  private final Executor refreshExecutor;
  private final ExecutorService ownedExecutor;
  private final Semaphore refreshPermits;
  private final Duration loadLockTtl;
  private final AutoCloseable ownedRedis;
  private final ConcurrentHashMap<String, Flight<V>> inflight = new ConcurrentHashMap<>();
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private final InvalidationEpochs epochs = new InvalidationEpochs();
  private final TopKeys topMissed = new TopKeys(64);

  // requests = l1Hits + l1Misses + l2OnlyRequests: one counter increment per hit, not two.
  private final LongAdder l2OnlyRequests = new LongAdder();
  private final LongAdder l1Hits = new LongAdder();
  private final LongAdder l1Misses = new LongAdder();
  private final LongAdder l1Errors = new LongAdder();
  private final LongAdder l2Hits = new LongAdder();
  private final LongAdder l2Misses = new LongAdder();
  private final LongAdder l2Errors = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();
  private final LongAdder negativeHits = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder staleIfErrorServed = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder invalidationsSent = new LongAdder();
  private final LongAdder invalidationsReceived = new LongAdder();
  private final LongAdder disconnects = new LongAdder();
  private final LongAdder storesSkipped = new LongAdder();

  private MultiLayerCache(Builder<V> b, CacheLayer<V> l1, SharedLayer<V> l2) {
    this.name = b.name;
    this.strategy = b.strategy;
    this.l1 = l1;
    this.l2 = l2;
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.random = b.random;
    if (b.refreshExecutor == null) {
      this.ownedExecutor = Executors.newVirtualThreadPerTaskExecutor();
      this.refreshExecutor = ownedExecutor;
    } else {
      this.ownedExecutor = null;
      this.refreshExecutor = b.refreshExecutor;
    }
    this.refreshPermits = new Semaphore(b.maxConcurrentRefreshes);
    this.loadLockTtl = b.loadLockTtl;
    this.ownedRedis = b.ownedRedis;
    if (l2 != null) {
      l2.subscribe(new NodeListener());
    }
  }

  /** A cache of JSON-serialised values of {@code type}. */
  public static <V> Builder<V> builder(String name, Class<V> type) {
    return new Builder<>(name, JsonCodec.of(type));
  }

  /** A cache whose L2 bytes come from {@code codec}. */
  public static <V> Builder<V> builder(String name, CacheCodec<V> codec) {
    return new Builder<>(name, codec);
  }

  public String name() {
    return name;
  }

  /** This instance's id in broadcasts. */
  public String nodeId() {
    return nodeId;
  }

  public CacheStrategy strategy() {
    return strategy;
  }

  // ---------------------------------------------------------------- reads

  /**
   * The value of {@code key}, loading it on a miss with the default strategy.
   *
   * @return the value, or null when the loader said the key does not exist
   * @throws CacheLoadException when the loader failed and no stale value may be served
   */
  public V get(String key, Loader<? extends V> loader) {
    return lookup(key, strategy, loader, Set.of(), null);
  }

  /** As {@link #get(String, Loader)}, storing the loaded value under {@code tags}. */
  public V get(String key, Loader<? extends V> loader, String... tags) {
    return lookup(key, strategy, loader, Set.of(tags), null);
  }

  /** As {@link #get(String, Loader)} with another strategy for this call. */
  public V get(String key, CacheStrategy strategy, Loader<? extends V> loader) {
    return lookup(key, strategy, loader, Set.of(), null);
  }

  /** As {@link #get(String, Loader)} with tags chosen by the loader. */
  public V getTagged(String key, TaggedLoader<? extends V> loader) {
    return lookup(key, strategy, null, Set.of(), loader);
  }

  /** The general form of get. */
  public V getTagged(String key, CacheStrategy strategy, TaggedLoader<? extends V> loader) {
    return lookup(key, strategy, null, Set.of(), loader);
  }

  /** At most this many keys in one {@link #getAll} call. */
  public static final int MAX_BULK_KEYS = 10_000;

  /**
   * The values of {@code keys} with the default strategy: L1 first, then one multi-get from L2 for
   * the rest, then ONE call of {@code loader} for the keys no layer could serve. Hits, stale
   * serving, negative caching, promotion and invalidation races behave as in {@link #get}. A bulk
   * load is not single-flighted against concurrent loads of the same keys (a concurrent {@code get}
   * may load one of them too); stale-while-revalidate refreshes go through {@code loader} one key
   * at a time.
   *
   * @return the values of the keys that exist, in the order of {@code keys} (duplicates once)
   * @throws CacheLoadException when the loader failed and some key has no stale value to serve
   */
  public Map<String, V> getAll(Collection<String> keys, BulkLoader<? extends V> loader) {
    return getAll(keys, strategy, loader);
  }

  /** As {@link #getAll(Collection, BulkLoader)} with another strategy for this call. */
  public Map<String, V> getAll(
      Collection<String> keys, CacheStrategy strategy, BulkLoader<? extends V> loader) {
    Objects.requireNonNull(loader, "loader");
    checkStrategy(strategy);
    if (keys.size() > MAX_BULK_KEYS) {
      throw new IllegalArgumentException(
          "keys: " + keys.size() + " keys, more than " + MAX_BULK_KEYS + " in one getAll");
    }
    Set<String> wanted = new LinkedHashSet<>(keys);
    wanted.forEach(MultiLayerCache::checkKey);
    TaggedLoader<V> oneAtATime =
        key -> {
          Map<String, ? extends V> m = loader.loadAll(Set.of(key));
          V v = m == null ? null : m.get(key);
          return v == null ? Tagged.absent() : new Tagged<>(v, Set.of());
        };
    long now = clock.millis();
    Map<String, CacheEntry<V>> served = new HashMap<>();
    Map<String, CacheEntry<V>> fallbacks = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String key : wanted) {
      if (!strategy.l1()) {
        l2OnlyRequests.increment();
        missing.add(key);
        continue;
      }
      CacheEntry<V> e = l1Get(key);
      if (e == null) {
        l1Misses.increment();
        missing.add(key);
        continue;
      }
      l1Hits.increment();
      if (serveOrRemember(key, e, strategy, now, oneAtATime, served, fallbacks)) {
        maybeRefreshAhead(key, e, strategy, null, Set.of(), oneAtATime, now);
      } else {
        missing.add(key);
      }
    }
    Map<String, Long> stamps = new HashMap<>();
    for (String key : missing) {
      stamps.put(key, epochs.stamp(key));
    }
    List<String> toLoad = new ArrayList<>();
    if (strategy.l2() && !missing.isEmpty()) {
      Map<String, CacheEntry<V>> fromL2;
      try {
        fromL2 = l2.getAll(missing);
      } catch (RuntimeException ex) {
        l2Errors.increment();
        log.debug("l2 multi-get of {} keys failed", missing.size(), ex);
        fromL2 = Map.of();
      }
      for (String key : missing) {
        CacheEntry<V> e = fromL2.get(key);
        if (e == null) {
          l2Misses.increment();
          toLoad.add(key);
          continue;
        }
        l2Hits.increment();
        if (serveOrRemember(key, e, strategy, now, oneAtATime, served, fallbacks)) {
          promote(key, e, strategy, stamps.get(key), now);
        } else {
          toLoad.add(key);
        }
      }
    } else {
      toLoad.addAll(missing);
    }
    if (!toLoad.isEmpty()) {
      loadAllAndStore(toLoad, strategy, loader, stamps, fallbacks, served);
    }
    Map<String, V> result = new LinkedHashMap<>();
    for (String key : wanted) {
      CacheEntry<V> e = served.get(key);
      if (e != null && !e.negative()) {
        result.put(key, e.value());
      } else if (e != null) {
        negativeHits.increment();
      }
    }
    return result;
  }

  /**
   * Serves a fresh or stale-while-revalidate entry into {@code served} (scheduling the refresh of a
   * stale one) and returns true; otherwise keeps it as the stale-if-error fallback and returns
   * false.
   */
  private boolean serveOrRemember(
      String key,
      CacheEntry<V> e,
      CacheStrategy strategy,
      long now,
      TaggedLoader<V> refreshLoader,
      Map<String, CacheEntry<V>> served,
      Map<String, CacheEntry<V>> fallbacks) {
    State s = classify(e, strategy, now);
    if (s == State.STALE_IF_ERROR_ONLY) {
      CacheEntry<V> known = fallbacks.get(key);
      if (known == null || e.freshUntil() > known.freshUntil()) {
        fallbacks.put(key, e);
      }
      return false;
    }
    if (s == State.STALE_REVALIDATE) {
      staleServed.increment();
      refreshInBackground(key, e, strategy, refreshLoader);
    }
    served.put(key, e);
    return true;
  }

  private void loadAllAndStore(
      List<String> keys,
      CacheStrategy strategy,
      BulkLoader<? extends V> loader,
      Map<String, Long> stamps,
      Map<String, CacheEntry<V>> fallbacks,
      Map<String, CacheEntry<V>> served) {
    keys.forEach(topMissed::offer);
    long t0 = nanoTime.getAsLong();
    Map<String, ? extends V> loaded;
    try {
      loaded = loader.loadAll(Collections.unmodifiableSet(new LinkedHashSet<>(keys)));
      if (loaded == null) {
        loaded = Map.of();
      }
    } catch (VirtualMachineError fatal) {
      loadFailures.increment();
      throw fatal;
    } catch (Exception | Error failure) {
      loadFailures.increment();
      long now = clock.millis();
      for (String key : keys) {
        CacheEntry<V> fallback = fallbacks.get(key);
        if (fallback == null || now >= fallback.freshUntil() + strategy.staleIfError().toMillis()) {
          throw new CacheLoadException(key, failure);
        }
        staleIfErrorServed.increment();
        served.put(key, fallback);
      }
      return;
    }
    // XFetch's delta for each key is the time of the whole call: refreshing a key costs a load.
    long took = Math.max(0, nanoTime.getAsLong() - t0);
    loads.increment();
    loadNanos.add(took);
    long now = clock.millis();
    for (String key : keys) {
      CacheEntry<V> e = newEntry(strategy, loaded.get(key), Set.of(), took, now);
      storeUnlessInvalidated(key, e, strategy, stamps.get(key), now);
      served.put(key, e);
    }
  }

  /**
   * The read path. A plain loader is adapted to a tagged one only on a miss or a refresh, so a hit
   * allocates nothing. The common case, a fresh L1 entry outside the refresh-ahead window, is kept
   * in this small method so the JIT inlines it into every {@code get}; everything else goes to
   * {@link #lookupBeyondFreshHit}.
   */
  private V lookup(
      String key,
      CacheStrategy strategy,
      Loader<? extends V> plain,
      Set<String> tags,
      TaggedLoader<? extends V> tagged) {
    checkKey(key);
    checkStrategy(strategy);
    long now = clock.millis();
    CacheEntry<V> l1Entry = null;
    if (strategy.l1()) {
      l1Entry = l1Get(key);
      if (l1Entry != null
          && now < l1Entry.freshUntil()
          && !inRefreshWindow(l1Entry, strategy, now)) {
        l1Hits.increment();
        return answer(l1Entry);
      }
    }
    return lookupBeyondFreshHit(key, strategy, plain, tags, tagged, now, l1Entry);
  }

  /**
   * True when XFetch could decide to refresh {@code e} now. -ln(u) for a double u in (0,1] never
   * exceeds about 37, so farther from the end of freshness than 40 deltas the draw cannot fire.
   */
  private static boolean inRefreshWindow(CacheEntry<?> e, CacheStrategy strategy, long now) {
    double beta = strategy.refreshAheadBeta();
    if (beta <= 0 || e.loadNanos() == 0) {
      return false;
    }
    return e.freshUntil() - now <= e.loadNanos() / 1e6 * beta * 40;
  }

  /** The read path after L1 was consulted ({@code l1Entry}, null when absent or not used). */
  private V lookupBeyondFreshHit(
      String key,
      CacheStrategy strategy,
      Loader<? extends V> plain,
      Set<String> tags,
      TaggedLoader<? extends V> tagged,
      long now,
      CacheEntry<V> l1Entry) {
    CacheEntry<V> fallback = null;
    if (!strategy.l1()) {
      l2OnlyRequests.increment();
    } else {
      CacheEntry<V> e = l1Entry;
      if (e != null) {
        l1Hits.increment();
        State s = classify(e, strategy, now);
        if (s == State.FRESH) {
          maybeRefreshAhead(key, e, strategy, plain, tags, tagged, now);
          return answer(e);
        }
        if (s == State.STALE_REVALIDATE) {
          staleServed.increment();
          refreshInBackground(key, e, strategy, adapt(plain, tags, tagged));
          return answer(e);
        }
        fallback = e;
      } else {
        l1Misses.increment();
      }
    }
    long stamp = epochs.stamp(key);
    if (strategy.l2()) {
      CacheEntry<V> e = l2Get(key);
      if (e != null) {
        l2Hits.increment();
        State s = classify(e, strategy, now);
        if (s == State.FRESH || s == State.STALE_REVALIDATE) {
          promote(key, e, strategy, stamp, now);
          if (s == State.FRESH) {
            maybeRefreshAhead(key, e, strategy, plain, tags, tagged, now);
          } else {
            staleServed.increment();
            refreshInBackground(key, e, strategy, adapt(plain, tags, tagged));
          }
          return answer(e);
        }
        if (fallback == null || e.freshUntil() > fallback.freshUntil()) {
          fallback = e;
        }
      } else {
        l2Misses.increment();
      }
    }
    topMissed.offer(key);
    try {
      return answer(load(key, strategy, adapt(plain, tags, tagged), stamp, now, false));
    } catch (LoadFailed f) {
      if (fallback != null && now < fallback.freshUntil() + strategy.staleIfError().toMillis()) {
        staleIfErrorServed.increment();
        return fallback.value();
      }
      throw new CacheLoadException(key, f.getCause());
    }
  }

  private static <V> TaggedLoader<? extends V> adapt(
      Loader<? extends V> plain, Set<String> tags, TaggedLoader<? extends V> tagged) {
    if (tagged != null) {
      return tagged;
    }
    Objects.requireNonNull(plain, "loader");
    return key -> new Tagged<>(plain.load(key), tags);
  }

  /**
   * The value if some layer holds a servable one, without loading; null otherwise (also for a
   * cached "does not exist").
   */
  public V getIfPresent(String key) {
    checkKey(key);
    long now = clock.millis();
    if (strategy.l1()) {
      CacheEntry<V> e = l1Get(key);
      if (e != null && classify(e, strategy, now) != State.STALE_IF_ERROR_ONLY) {
        return e.value();
      }
    }
    if (strategy.l2()) {
      CacheEntry<V> e = l2Get(key);
      if (e != null && classify(e, strategy, now) != State.STALE_IF_ERROR_ONLY) {
        return e.value();
      }
    }
    return null;
  }

  private V answer(CacheEntry<V> e) {
    if (e.negative()) {
      negativeHits.increment();
    }
    return e.value();
  }

  private enum State {
    FRESH,
    STALE_REVALIDATE,
    STALE_IF_ERROR_ONLY
  }

  private static State classify(CacheEntry<?> e, CacheStrategy s, long now) {
    if (now < e.freshUntil()) {
      return State.FRESH;
    }
    if (!e.negative() && now < e.freshUntil() + s.staleWhileRevalidate().toMillis()) {
      return State.STALE_REVALIDATE;
    }
    return State.STALE_IF_ERROR_ONLY;
  }

  // ---------------------------------------------------------------- loading

  /** The loader's failure, carried through the flight to every waiter. */
  private static final class LoadFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoadFailed(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  private static final class Flight<V> {
    final CompletableFuture<CacheEntry<V>> result = new CompletableFuture<>();
    final AtomicInteger waiters = new AtomicInteger();
  }

  /** Waiters currently parked on the in-flight load of {@code key}; for tests. */
  int waitersOf(String key) {
    Flight<V> f = inflight.get(key);
    return f == null ? 0 : f.waiters.get();
  }

  /**
   * Loads through the single flight of {@code key}.
   *
   * @param refresh true for a background reload: the layers hold the entry being replaced, so the
   *     leader's re-check only accepts an entry newer than {@code minFreshUntil}
   */
  private CacheEntry<V> load(
      String key,
      CacheStrategy strategy,
      TaggedLoader<? extends V> loader,
      long stamp,
      long minFreshUntil,
      boolean refresh) {
    Flight<V> mine = new Flight<>();
    Flight<V> existing = inflight.putIfAbsent(key, mine);
    if (existing != null) {
      existing.waiters.incrementAndGet();
      try {
        return existing.result.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof LoadFailed f) {
          throw f;
        }
        throw new LoadFailed(e.getCause());
      } finally {
        existing.waiters.decrementAndGet();
      }
    }
    try {
      CacheEntry<V> e = lead(key, strategy, loader, stamp, minFreshUntil, refresh);
      mine.result.complete(e);
      return e;
    } catch (LoadFailed f) {
      mine.result.completeExceptionally(f);
      throw f;
    } catch (RuntimeException | Error t) {
      mine.result.completeExceptionally(new LoadFailed(t));
      throw t;
    } finally {
      inflight.remove(key, mine);
    }
  }

  private CacheEntry<V> lead(
      String key,
      CacheStrategy strategy,
      TaggedLoader<? extends V> loader,
      long stamp,
      long minFreshUntil,
      boolean refresh) {
    long now = clock.millis();
    // A flight that ended just before this one registered has already filled the layers.
    CacheEntry<V> done = newerInLayers(key, strategy, Math.max(now, minFreshUntil), refresh, stamp);
    if (done != null) {
      return done;
    }
    String token = null;
    if (strategy.distributedLock() && strategy.l2()) {
      try {
        token = l2.tryLock(key, loadLockTtl);
        if (token == null) {
          CacheEntry<V> other = awaitOtherNode(key, strategy, minFreshUntil, stamp);
          if (other != null) {
            return other;
          }
        }
      } catch (RuntimeException e) {
        l2Errors.increment();
        log.debug("load lock of {} unavailable; loading without it", key, e);
      }
    }
    try {
      return loadAndStore(key, strategy, loader, stamp);
    } finally {
      if (token != null) {
        try {
          l2.unlock(key, token);
        } catch (RuntimeException e) {
          l2Errors.increment();
        }
      }
    }
  }

  private CacheEntry<V> newerInLayers(
      String key, CacheStrategy strategy, long minFreshUntil, boolean refresh, long stamp) {
    if (strategy.l1() && !refresh) {
      // A flight of this JVM stores into L1 before it ends, so L1 alone answers the question and
      // a miss costs one L2 read, not two.
      CacheEntry<V> e = l1Get(key);
      return e != null && e.freshUntil() > minFreshUntil ? e : null;
    }
    if (strategy.l2()) {
      // L2-only, or a background reload: another node may have stored a newer value meanwhile.
      CacheEntry<V> e = l2Get(key);
      if (e != null && e.freshUntil() > minFreshUntil) {
        promote(key, e, strategy, stamp, clock.millis());
        return e;
      }
    }
    return null;
  }

  /** Another node holds the load lock: wait for its value in L2, bounded by the lock's life. */
  private CacheEntry<V> awaitOtherNode(
      String key, CacheStrategy strategy, long minFreshUntil, long stamp) {
    long deadline = System.nanoTime() + loadLockTtl.toNanos();
    long pause = 2;
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      pause = Math.min(50, pause * 2);
      CacheEntry<V> e = l2Get(key);
      long now = clock.millis();
      if (e != null && e.freshUntil() > Math.max(now, minFreshUntil)) {
        promote(key, e, strategy, stamp, now);
        return e;
      }
      try {
        if (!l2.isLocked(key)) {
          return null;
        }
      } catch (RuntimeException ex) {
        l2Errors.increment();
        return null;
      }
    }
    return null;
  }

  private CacheEntry<V> loadAndStore(
      String key, CacheStrategy strategy, TaggedLoader<? extends V> loader, long stamp) {
    long t0 = nanoTime.getAsLong();
    Tagged<? extends V> loaded;
    try {
      loaded = loader.load(key);
    } catch (VirtualMachineError fatal) {
      loadFailures.increment();
      throw fatal;
    } catch (Exception | Error e) {
      loadFailures.increment();
      throw new LoadFailed(e);
    }
    if (loaded == null) {
      loaded = Tagged.absent();
    }
    long took = Math.max(0, nanoTime.getAsLong() - t0);
    loads.increment();
    loadNanos.add(took);
    long now = clock.millis();
    CacheEntry<V> e = newEntry(strategy, loaded.value(), loaded.tags(), took, now);
    storeUnlessInvalidated(key, e, strategy, stamp, now);
    return e;
  }

  /**
   * Stores a freshly loaded entry unless the key was invalidated since {@code stamp} was taken (the
   * value may predate the invalidation).
   */
  private void storeUnlessInvalidated(
      String key, CacheEntry<V> e, CacheStrategy strategy, long stamp, long now) {
    if (e.negative() && strategy.negativeTtl().isZero()) {
      return;
    }
    if (!epochs.unchanged(key, stamp)) {
      storesSkipped.increment();
      return;
    }
    store(key, e, strategy, now);
    if (!epochs.unchanged(key, stamp)) {
      // An invalidation slipped in between the check and the store: undo rather than keep a value
      // that may predate it.
      storesSkipped.increment();
      dropLocalAndShared(key, strategy);
    }
  }

  private CacheEntry<V> newEntry(
      CacheStrategy strategy, V value, Set<String> tags, long loadNanos, long now) {
    if (value == null) {
      long until = now + strategy.negativeTtl().toMillis();
      return new CacheEntry<>(null, now, until, until, tags, loadNanos);
    }
    long fresh = now + strategy.freshness().toMillis();
    return new CacheEntry<>(
        value, now, fresh, fresh + strategy.staleWindow().toMillis(), tags, loadNanos);
  }

  private void store(String key, CacheEntry<V> e, CacheStrategy strategy, long now) {
    if (strategy.l2()) {
      try {
        l2.put(key, e);
      } catch (RuntimeException ex) {
        l2Errors.increment();
        log.debug("l2 put of {} failed", key, ex);
      }
    }
    if (strategy.l1()) {
      l1Put(key, e, strategy, now);
    }
  }

  private void promote(String key, CacheEntry<V> e, CacheStrategy strategy, long stamp, long now) {
    if (strategy.l1() && epochs.unchanged(key, stamp)) {
      l1Put(key, e, strategy, now);
      if (!epochs.unchanged(key, stamp)) {
        l1.invalidate(key);
      }
    }
  }

  private void l1Put(String key, CacheEntry<V> e, CacheStrategy strategy, long now) {
    CacheEntry<V> copy = strategy.l2() ? e.cappedAt(now + strategy.l1Ttl().toMillis()) : e;
    try {
      l1.put(key, copy);
    } catch (RuntimeException ex) {
      l1Errors.increment();
      log.debug("l1 put of {} failed", key, ex);
    }
  }

  private CacheEntry<V> l1Get(String key) {
    try {
      return l1.get(key);
    } catch (RuntimeException ex) {
      l1Errors.increment();
      return null;
    }
  }

  private CacheEntry<V> l2Get(String key) {
    try {
      return l2.get(key);
    } catch (RuntimeException ex) {
      l2Errors.increment();
      log.debug("l2 get of {} failed", key, ex);
      return null;
    }
  }

  private void maybeRefreshAhead(
      String key,
      CacheEntry<V> e,
      CacheStrategy strategy,
      Loader<? extends V> plain,
      Set<String> tags,
      TaggedLoader<? extends V> tagged,
      long now) {
    double beta = strategy.refreshAheadBeta();
    if (beta <= 0 || e.loadNanos() == 0) {
      return;
    }
    double deltaMs = e.loadNanos() / 1e6 * beta;
    long remaining = e.freshUntil() - now;
    if (!inRefreshWindow(e, strategy, now)) {
      return;
    }
    if (remaining <= -deltaMs * Math.log(random.getAsDouble())) {
      refreshInBackground(key, e, strategy, adapt(plain, tags, tagged));
    }
  }

  private void refreshInBackground(
      String key, CacheEntry<V> current, CacheStrategy strategy, TaggedLoader<? extends V> loader) {
    if (inflight.containsKey(key) || refreshing.contains(key) || !refreshPermits.tryAcquire()) {
      return;
    }
    if (!refreshing.add(key)) {
      refreshPermits.release();
      return;
    }
    refreshes.increment();
    long stamp = epochs.stamp(key);
    try {
      refreshExecutor.execute(
          () -> {
            try {
              load(key, strategy, loader, stamp, current.freshUntil(), true);
            } catch (RuntimeException | Error e) {
              log.debug("background reload of {} failed", key, e);
            } finally {
              refreshing.remove(key);
              refreshPermits.release();
            }
          });
    } catch (RuntimeException rejected) {
      refreshing.remove(key);
      refreshPermits.release();
      log.debug("background reload of {} rejected", key, rejected);
    }
  }

  // ---------------------------------------------------------------- writes and invalidation

  /** Stores a value with the default strategy and drops every node's older L1 copy. */
  public void put(String key, V value, String... tags) {
    put(key, strategy, value, tags);
  }

  public void put(String key, CacheStrategy strategy, V value, String... tags) {
    checkKey(key);
    checkStrategy(strategy);
    epochs.bump(key);
    long now = clock.millis();
    CacheEntry<V> e = newEntry(strategy, value, Set.of(tags), 0, now);
    store(key, e, strategy, now);
    broadcast(new Invalidation(nodeId, Invalidation.Kind.KEYS, List.of(key)));
  }

  /** Drops one key from every layer and every node. */
  public void invalidate(String key) {
    checkKey(key);
    epochs.bump(key);
    l1.invalidate(key);
    if (l2 != null) {
      try {
        l2.invalidate(key);
      } catch (RuntimeException ex) {
        l2Errors.increment();
      }
    }
    broadcast(new Invalidation(nodeId, Invalidation.Kind.KEYS, List.of(key)));
  }

  /** Drops several keys from every layer and every node, with one broadcast. */
  public void invalidateAll(Collection<String> keys) {
    List<String> list = List.copyOf(keys);
    list.forEach(MultiLayerCache::checkKey);
    for (String k : list) {
      epochs.bump(k);
      l1.invalidate(k);
      if (l2 != null) {
        try {
          l2.invalidate(k);
        } catch (RuntimeException ex) {
          l2Errors.increment();
        }
      }
    }
    for (int i = 0; i < list.size(); i += 1000) {
      broadcast(
          new Invalidation(
              nodeId, Invalidation.Kind.KEYS, list.subList(i, Math.min(list.size(), i + 1000))));
    }
  }

  /**
   * Drops the keys matching a Redis glob ({@code restaurant:42:*}) from every layer and node; L2 is
   * walked with SCAN. Returns how many L2 entries (or, without L2, L1 entries) were removed.
   */
  public long invalidatePattern(String glob) {
    if (glob == null || glob.isEmpty() || glob.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "pattern empty or longer than " + MAX_KEY_LENGTH + " characters");
    }
    epochs.bumpAll();
    long n = l1.invalidatePattern(glob);
    if (l2 != null) {
      try {
        n = l2.invalidatePattern(glob);
      } catch (RuntimeException ex) {
        l2Errors.increment();
      }
    }
    broadcast(new Invalidation(nodeId, Invalidation.Kind.PATTERN, List.of(glob)));
    return n;
  }

  /**
   * Drops every entry stored with {@code tag} (e.g. {@code restaurant:42}: the restaurant, its
   * menu, its reviews page, the search pages that listed it) from every layer and node.
   */
  public long invalidateTag(String tag) {
    CacheEntry.validateTags(Set.of(tag));
    epochs.bumpAll();
    long n = l1.invalidateTag(tag);
    if (l2 != null) {
      try {
        n = l2.invalidateTag(tag);
      } catch (RuntimeException ex) {
        l2Errors.increment();
      }
    }
    broadcast(new Invalidation(nodeId, Invalidation.Kind.TAGS, List.of(tag)));
    return n;
  }

  /** Drops everything of this cache from every layer and node. */
  public void clear() {
    epochs.bumpAll();
    l1.clear();
    if (l2 != null) {
      try {
        l2.clear();
      } catch (RuntimeException ex) {
        l2Errors.increment();
      }
    }
    broadcast(new Invalidation(nodeId, Invalidation.Kind.CLEAR, List.of()));
  }

  private void dropLocalAndShared(String key, CacheStrategy strategy) {
    l1.invalidate(key);
    if (strategy.l2()) {
      try {
        l2.invalidate(key);
      } catch (RuntimeException ex) {
        l2Errors.increment();
      }
    }
  }

  private void broadcast(Invalidation inv) {
    if (l2 == null) {
      return;
    }
    try {
      l2.publish(inv);
      invalidationsSent.increment();
    } catch (RuntimeException ex) {
      // Nodes that cannot hear us cannot reach Redis either, or they will hear of the outage and
      // clear their L1 when their own broadcast connection drops.
      l2Errors.increment();
      log.debug("invalidation broadcast failed", ex);
    }
  }

  private void applyRemote(Invalidation inv) {
    switch (inv.kind()) {
      case KEYS -> {
        for (String k : inv.values()) {
          epochs.bump(k);
          l1.invalidate(k);
        }
      }
      case PATTERN -> {
        epochs.bumpAll();
        inv.values().forEach(l1::invalidatePattern);
      }
      case TAGS -> {
        epochs.bumpAll();
        inv.values().forEach(l1::invalidateTag);
      }
      case CLEAR -> {
        epochs.bumpAll();
        l1.clear();
      }
    }
  }

  private final class NodeListener implements SharedLayer.Listener {
    @Override
    public void onInvalidation(Invalidation invalidation) {
      if (invalidation.origin().equals(nodeId)) {
        return;
      }
      applyRemote(invalidation);
      invalidationsReceived.increment();
    }

    @Override
    public void onDisconnected() {
      epochs.bumpAll();
      l1.clear();
      disconnects.increment();
    }

    @Override
    public void onResubscribed() {
      // Anything loaded while deaf may have been invalidated elsewhere meanwhile.
      epochs.bumpAll();
      l1.clear();
    }
  }

  // ---------------------------------------------------------------- statistics

  public CacheStats stats() {
    CacheStats.LayerStats s1 =
        new CacheStats.LayerStats(
            l1Hits.sum(), l1Misses.sum(), l1Errors.sum(), l1.evictions(), l1.size());
    CacheStats.LayerStats s2 =
        l2 != null
            ? new CacheStats.LayerStats(
                l2Hits.sum(), l2Misses.sum(), l2Errors.sum(), l2.evictions(), l2.size())
            : new CacheStats.LayerStats(0, 0, 0, -1, -1);
    return new CacheStats(
        l1Hits.sum() + l1Misses.sum() + l2OnlyRequests.sum(),
        s1,
        s2,
        loads.sum(),
        loadFailures.sum(),
        loadNanos.sum(),
        negativeHits.sum(),
        staleServed.sum(),
        staleIfErrorServed.sum(),
        refreshes.sum(),
        invalidationsSent.sum(),
        invalidationsReceived.sum(),
        disconnects.sum(),
        storesSkipped.sum());
  }

  /** Statistics with the {@code topN} most missed keys. */
  public CacheReport report(int topN) {
    return new CacheReport(name, stats(), topMissed.top(topN));
  }

  // ---------------------------------------------------------------- lifecycle and checks

  private static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("key empty");
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("key longer than " + MAX_KEY_LENGTH + " characters");
    }
  }

  private void checkStrategy(CacheStrategy s) {
    if (s.l2() && l2 == null) {
      throw new IllegalArgumentException(
          "strategy " + s.name() + " uses l2 but cache " + name + " has no redis");
    }
  }

  @Override
  public void close() {
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
    l1.close();
    if (l2 != null) {
      l2.close();
    }
    if (ownedRedis != null) {
      try {
        ownedRedis.close();
      } catch (Exception e) {
        log.warn("closing redis of cache {} failed", name, e);
      }
    }
  }

  /**
   * Configuration of a cache, validated by {@link #build()}.
   *
   * @param <V> value type
   */
  public static final class Builder<V> {
    private final String name;
    private CacheCodec<V> codec;
    private CacheStrategy strategy = CacheStrategy.DEFAULT;
    private long l1MaximumSize = 10_000;
    private long l1MaximumWeight = -1;
    private ToIntFunction<? super V> l1Weigher;
    private Executor l1Maintenance = ForkJoinPool.commonPool();
    private RedisL2 redis;
    private String redisUri;
    private AutoCloseable ownedRedis;
    private Compression compression = Compression.ZSTD;
    private int compressAboveBytes = 1024;
    private EncryptionKeys encryption;
    private Clock clock = MillisClock.system();
    private LongSupplier nanoTime = System::nanoTime;
    private DoubleSupplier random = () -> 1.0 - ThreadLocalRandom.current().nextDouble();
    private Executor refreshExecutor;
    private int maxConcurrentRefreshes = 64;
    private Duration loadLockTtl = Duration.ofSeconds(10);
    private CacheLayer<V> customL1;
    private SharedLayer<V> customL2;

    private Builder(String name, CacheCodec<V> codec) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("cache.name must match " + NAME.pattern());
      }
      this.name = name;
      this.codec = java.util.Objects.requireNonNull(codec, "codec");
    }

    public Builder<V> codec(CacheCodec<V> c) {
      this.codec = java.util.Objects.requireNonNull(c, "codec");
      return this;
    }

    /**
     * The default strategy of {@code get} and {@code put} (default {@link CacheStrategy#DEFAULT}).
     */
    public Builder<V> strategy(CacheStrategy s) {
      this.strategy = java.util.Objects.requireNonNull(s, "strategy");
      return this;
    }

    /** L1 bound by entry count (default 10,000). */
    public Builder<V> l1MaximumSize(long entries) {
      this.l1MaximumSize = entries;
      this.l1MaximumWeight = -1;
      return this;
    }

    /** L1 bound by total weight, e.g. approximate bytes of each value. */
    public Builder<V> l1MaximumWeight(long weight, ToIntFunction<? super V> weigher) {
      this.l1MaximumWeight = weight;
      this.l1Weigher = java.util.Objects.requireNonNull(weigher, "weigher");
      return this;
    }

    /** Where Caffeine runs evictions and listeners (default the common pool). */
    public Builder<V> l1Maintenance(Executor executor) {
      this.l1Maintenance = executor;
      return this;
    }

    /** L2 on these Redis connections, shared with other caches and closed by the caller. */
    public Builder<V> redis(RedisL2 r) {
      this.redis = r;
      this.redisUri = null;
      return this;
    }

    /** L2 on a standalone Redis at {@code redis://host:port}; the cache closes it. */
    public Builder<V> redis(String uri) {
      this.redisUri = java.util.Objects.requireNonNull(uri, "uri");
      this.redis = null;
      return this;
    }

    /** Compress L2 payloads longer than {@code aboveBytes} (default zstd above 1 KiB). */
    public Builder<V> compression(Compression c, int aboveBytes) {
      if (aboveBytes < 0) {
        throw new IllegalArgumentException("compression.aboveBytes negative");
      }
      this.compression = java.util.Objects.requireNonNull(c, "compression");
      this.compressAboveBytes = aboveBytes;
      return this;
    }

    /** Encrypt L2 payloads with AES-GCM (default off). */
    public Builder<V> encryption(EncryptionKeys keys) {
      this.encryption = keys;
      return this;
    }

    /** Time source of every TTL decision (default {@link MillisClock#system()}). */
    public Builder<V> clock(Clock c) {
      this.clock = java.util.Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Measures load durations for refresh-ahead (default System::nanoTime). */
    public Builder<V> nanoTime(LongSupplier n) {
      this.nanoTime = java.util.Objects.requireNonNull(n, "nanoTime");
      return this;
    }

    /** Uniform draws in (0,1] for refresh-ahead (default ThreadLocalRandom). */
    public Builder<V> random(DoubleSupplier r) {
      this.random = java.util.Objects.requireNonNull(r, "random");
      return this;
    }

    /** Runs background reloads (default a virtual thread each, owned by the cache). */
    public Builder<V> refreshExecutor(Executor e) {
      this.refreshExecutor = e;
      return this;
    }

    /** At most this many background reloads at once; beyond, stale values wait (default 64). */
    public Builder<V> maxConcurrentRefreshes(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("cache.maxConcurrentRefreshes must be positive");
      }
      this.maxConcurrentRefreshes = n;
      return this;
    }

    /** Life of the cross-node load lock, and how long other nodes wait for it (default 10 s). */
    public Builder<V> loadLockTtl(Duration ttl) {
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("cache.loadLockTtl must be positive");
      }
      this.loadLockTtl = ttl;
      return this;
    }

    /** Replaces the Caffeine L1 (tests, or a custom in-process store). */
    public Builder<V> l1(CacheLayer<V> layer) {
      this.customL1 = layer;
      return this;
    }

    /** Replaces the Redis L2. */
    public Builder<V> l2(SharedLayer<V> layer) {
      this.customL2 = layer;
      return this;
    }

    public MultiLayerCache<V> build() {
      CacheLayer<V> l1 = customL1;
      if (l1 == null) {
        l1 =
            l1MaximumWeight > 0
                ? CaffeineLayer.byWeight(l1MaximumWeight, l1Weigher, clock, l1Maintenance)
                : CaffeineLayer.bySize(l1MaximumSize, clock, l1Maintenance);
      }
      SharedLayer<V> l2 = customL2;
      if (l2 == null && redis == null && redisUri != null) {
        redis = RedisL2.standalone(redisUri);
        ownedRedis = redis;
      }
      if (l2 == null && redis != null) {
        l2 =
            RedisLayer.create(
                redis, name, codec, compression, compressAboveBytes, encryption, clock);
      }
      if (strategy.l2() && l2 == null) {
        throw new IllegalArgumentException(
            "strategy " + strategy.name() + " uses l2 but cache " + name + " has no redis");
      }
      return new MultiLayerCache<>(this, l1, l2);
    }
  }
}
