package com.yumzoom.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.codec.CacheCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MultiLayerCacheTest {
  private final FakeTime time = new FakeTime();
  private final ManualExecutor background = new ManualExecutor();
  private final FakeSharedLayer<String> redis = new FakeSharedLayer<>(time);
  private double draw = 0.5;

  private MultiLayerCache.Builder<String> builder() {
    return MultiLayerCache.builder("menus", CacheCodec.utf8())
        .clock(time)
        .nanoTime(time::nanoTime)
        .random(() -> draw)
        .refreshExecutor(background)
        .l1Maintenance(Runnable::run);
  }

  private MultiLayerCache<String> node() {
    return builder().l2(redis).build();
  }

  /** A loader that counts its calls and answers "name#call". */
  private static final class CountingLoader implements Loader<String> {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String load(String key) {
      return key + "#" + calls.incrementAndGet();
    }
  }

  @Test
  void loadsOnceThenServesFromL1() {
    MultiLayerCache<String> cache = node();
    CountingLoader loader = new CountingLoader();

    assertThat(cache.get("menu:42", loader)).isEqualTo("menu:42#1");
    assertThat(cache.get("menu:42", loader)).isEqualTo("menu:42#1");

    CacheStats s = cache.stats();
    assertThat(loader.calls).hasValue(1);
    assertThat(s.requests()).isEqualTo(2);
    assertThat(s.l1().hits()).isEqualTo(1);
    assertThat(s.l1().misses()).isEqualTo(1);
    assertThat(s.l2().misses()).isEqualTo(1);
    assertThat(s.loads()).isEqualTo(1);
  }

  @Test
  void l2HitOnAnotherNodeIsPromotedIntoItsL1() {
    MultiLayerCache<String> a = node();
    MultiLayerCache<String> b = node();
    CountingLoader loader = new CountingLoader();
    a.get("menu:42", loader);

    assertThat(b.get("menu:42", loader)).isEqualTo("menu:42#1");
    assertThat(b.get("menu:42", loader)).isEqualTo("menu:42#1");

    assertThat(loader.calls).hasValue(1);
    assertThat(b.stats().l2().hits()).isEqualTo(1);
    assertThat(b.stats().l1().hits()).isEqualTo(1);
  }

  @Test
  void l1CopyLivesAtMostL1TtlThenL2IsAskedAgain() {
    MultiLayerCache<String> cache = node();
    CountingLoader loader = new CountingLoader();
    cache.get("k", loader);

    time.advance(CacheStrategy.DEFAULT.l1Ttl().plusSeconds(1));
    assertThat(cache.get("k", loader)).isEqualTo("k#1");

    assertThat(loader.calls).hasValue(1);
    assertThat(cache.stats().l2().hits()).isEqualTo(1);
  }

  @Test
  void staleWhileRevalidateServesOldValueAndReloadsOnceInBackground() {
    MultiLayerCache<String> cache =
        builder().strategy(CacheStrategy.L1_ONLY.withRefreshAhead(0)).build();
    CountingLoader loader = new CountingLoader();
    cache.get("k", loader);
    time.advance(CacheStrategy.L1_ONLY.l1Ttl().plusSeconds(1));

    assertThat(cache.get("k", loader)).isEqualTo("k#1");
    assertThat(cache.get("k", loader)).isEqualTo("k#1");
    assertThat(background.pending()).isEqualTo(1);
    assertThat(loader.calls).hasValue(1);

    background.runAll();
    assertThat(loader.calls).hasValue(2);
    assertThat(cache.get("k", loader)).isEqualTo("k#2");
    assertThat(cache.stats().staleServed()).isEqualTo(2);
    assertThat(cache.stats().refreshes()).isEqualTo(1);
  }

  @Test
  void staleIfErrorServesOldValueOnlyWhenTheReloadFails() {
    CacheStrategy s =
        CacheStrategy.L1_ONLY
            .withStaleWhileRevalidate(Duration.ZERO)
            .withStaleIfError(Duration.ofMinutes(10))
            .withRefreshAhead(0);
    MultiLayerCache<String> cache = builder().strategy(s).build();
    cache.get("k", key -> "good");
    time.advance(s.l1Ttl().plusMinutes(1));

    assertThat(
            cache.get(
                "k",
                key -> {
                  throw new IOException("db down");
                }))
        .isEqualTo("good");
    assertThat(cache.stats().staleIfErrorServed()).isEqualTo(1);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);

    time.advance(Duration.ofMinutes(10));
    assertThatThrownBy(
            () ->
                cache.get(
                    "k",
                    key -> {
                      throw new IOException("db down");
                    }))
        .isInstanceOf(CacheLoadException.class)
        .hasMessage("loading key k failed: java.io.IOException: db down")
        .hasCauseInstanceOf(IOException.class);
  }

  /** A bulk loader over a fixed "database" that records every call's keys. */
  private static final class RecordingBulkLoader implements BulkLoader<String> {
    final List<Set<String>> calls = new ArrayList<>();
    final java.util.Map<String, String> rows = new java.util.HashMap<>();

    @Override
    public java.util.Map<String, String> loadAll(Set<String> keys) {
      calls.add(Set.copyOf(keys));
      java.util.Map<String, String> found = new java.util.HashMap<>();
      for (String k : keys) {
        if (rows.containsKey(k)) {
          found.put(k, rows.get(k));
        }
      }
      return found;
    }
  }

  @Test
  void getAllLoadsOnlyWhatNoLayerHasInOneCallAndKeepsTheOrder() {
    MultiLayerCache<String> cache = node();
    RecordingBulkLoader db = new RecordingBulkLoader();
    db.rows.put("menu:1", "pasta");
    db.rows.put("menu:2", "pizza");
    db.rows.put("menu:3", "sushi");
    cache.get("menu:2", key -> "pizza (cached)");

    assertThat(cache.getAll(List.of("menu:3", "menu:2", "menu:404", "menu:1", "menu:3"), db))
        .containsExactly(
            java.util.Map.entry("menu:3", "sushi"),
            java.util.Map.entry("menu:2", "pizza (cached)"),
            java.util.Map.entry("menu:1", "pasta"));
    assertThat(db.calls).containsExactly(Set.of("menu:1", "menu:3", "menu:404"));

    // Everything, the absent key included (negative caching), is now served without the loader.
    assertThat(cache.getAll(List.of("menu:1", "menu:404", "menu:3"), db))
        .containsOnlyKeys("menu:1", "menu:3");
    assertThat(db.calls).hasSize(1);
    assertThat(cache.stats().loads()).isEqualTo(2);
    // As with get: every answer of "does not exist" counts, the one that loaded it included.
    assertThat(cache.stats().negativeHits()).isEqualTo(2);
  }

  @Test
  void getAllFindsAnotherNodesValuesInL2AndPromotesThem() {
    MultiLayerCache<String> a = node();
    MultiLayerCache<String> b = node();
    RecordingBulkLoader db = new RecordingBulkLoader();
    db.rows.put("menu:1", "pasta");
    db.rows.put("menu:2", "pizza");
    a.getAll(List.of("menu:1", "menu:2"), db);

    assertThat(b.getAll(List.of("menu:1", "menu:2"), db)).hasSize(2);
    assertThat(b.getAll(List.of("menu:1", "menu:2"), db)).hasSize(2);

    assertThat(db.calls).hasSize(1);
    assertThat(b.stats().l2().hits()).isEqualTo(2);
    assertThat(b.stats().l1().hits()).isEqualTo(2);
  }

  @Test
  void getAllServesStaleOnFailureOnlyWhereAllowed() {
    CacheStrategy s =
        CacheStrategy.L1_ONLY
            .withStaleWhileRevalidate(Duration.ZERO)
            .withStaleIfError(Duration.ofMinutes(10))
            .withRefreshAhead(0);
    MultiLayerCache<String> cache = builder().strategy(s).build();
    cache.get("menu:1", key -> "pasta");
    time.advance(s.l1Ttl().plusMinutes(1));
    BulkLoader<String> down =
        keys -> {
          throw new IOException("db down");
        };

    assertThat(cache.getAll(List.of("menu:1"), down))
        .containsOnly(java.util.Map.entry("menu:1", "pasta"));
    assertThat(cache.stats().staleIfErrorServed()).isEqualTo(1);
    assertThatThrownBy(() -> cache.getAll(List.of("menu:1", "menu:2"), down))
        .isInstanceOf(CacheLoadException.class)
        .hasMessage("loading key menu:2 failed: java.io.IOException: db down");
  }

  @Test
  void getAllDoesNotStoreAValueInvalidatedWhileItLoaded() {
    MultiLayerCache<String> cache = node();
    AtomicInteger calls = new AtomicInteger();
    BulkLoader<String> racing =
        keys -> {
          calls.incrementAndGet();
          // The row changes and is invalidated while this (older) read is in flight.
          cache.invalidate("menu:1");
          return java.util.Map.of("menu:1", "old pasta");
        };

    assertThat(cache.getAll(List.of("menu:1"), racing)).containsEntry("menu:1", "old pasta");
    cache.getAll(List.of("menu:1"), racing);
    assertThat(calls).hasValue(2);
  }

  @Test
  void getAllRejectsBadKeysBeforeLoading() {
    MultiLayerCache<String> cache = node();
    RecordingBulkLoader db = new RecordingBulkLoader();
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= MultiLayerCache.MAX_BULK_KEYS; i++) {
      tooMany.add("k" + i);
    }

    assertThatThrownBy(() -> cache.getAll(tooMany, db))
        .hasMessage("keys: 10001 keys, more than 10000 in one getAll");
    assertThatThrownBy(() -> cache.getAll(List.of("ok", ""), db)).hasMessage("key empty");
    assertThat(db.calls).isEmpty();
  }

  @Test
  void staleValueInsideItsWindowIsReplacedWhenTheReloadWorks() {
    CacheStrategy s =
        CacheStrategy.L1_ONLY.withStaleWhileRevalidate(Duration.ZERO).withRefreshAhead(0);
    MultiLayerCache<String> cache = builder().strategy(s).build();
    CountingLoader loader = new CountingLoader();
    cache.get("k", loader);
    time.advance(s.l1Ttl().plusSeconds(1));

    assertThat(cache.get("k", loader)).isEqualTo("k#2");
  }

  @Test
  void loaderFailureWithoutFallbackThrowsAndIsNotCached() {
    MultiLayerCache<String> cache = node();
    assertThatThrownBy(
            () ->
                cache.get(
                    "k",
                    key -> {
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(CacheLoadException.class)
        .hasRootCauseMessage("boom");

    assertThat(cache.get("k", key -> "ok")).isEqualTo("ok");
  }

  @Test
  void absentKeyIsCachedNegativelyForNegativeTtl() {
    MultiLayerCache<String> cache = node();
    AtomicInteger calls = new AtomicInteger();
    Loader<String> missing =
        key -> {
          calls.incrementAndGet();
          return null;
        };

    assertThat(cache.get("restaurant:404", missing)).isNull();
    assertThat(cache.get("restaurant:404", missing)).isNull();
    assertThat(calls).hasValue(1);
    assertThat(cache.stats().negativeHits()).isEqualTo(2);

    time.advance(CacheStrategy.DEFAULT.negativeTtl().plusMillis(1));
    assertThat(cache.get("restaurant:404", missing)).isNull();
    assertThat(calls).hasValue(2);
  }

  @Test
  void zeroNegativeTtlDisablesNegativeCaching() {
    MultiLayerCache<String> cache =
        builder().l2(redis).strategy(CacheStrategy.DEFAULT.withNegativeTtl(Duration.ZERO)).build();
    AtomicInteger calls = new AtomicInteger();
    Loader<String> missing =
        key -> {
          calls.incrementAndGet();
          return null;
        };
    cache.get("x", missing);
    cache.get("x", missing);
    assertThat(calls).hasValue(2);
  }

  @Test
  void refreshAheadFiresWhenTheDrawSaysExpiryIsNearEnough() {
    CacheStrategy s = CacheStrategy.L1_ONLY.withL1Ttl(Duration.ofSeconds(60));
    MultiLayerCache<String> cache = builder().strategy(s).build();
    AtomicInteger calls = new AtomicInteger();
    Loader<String> slow =
        key -> {
          time.advance(Duration.ofMillis(100)); // the load takes 100 ms
          return "v" + calls.incrementAndGet();
        };
    cache.get("k", slow);
    // The entry was written when the load ended. 1 s before its expiry, XFetch reloads when
    // -100ms * ln(u) >= 1000ms, i.e. u <= e^-10.
    time.advance(Duration.ofMillis(59_000));

    draw = 0.5;
    assertThat(cache.get("k", slow)).isEqualTo("v1");
    assertThat(background.pending()).isZero();

    draw = Math.exp(-10.5);
    assertThat(cache.get("k", slow)).isEqualTo("v1");
    assertThat(background.pending()).isEqualTo(1);
    background.runAll();
    assertThat(cache.get("k", slow)).isEqualTo("v2");
  }

  @Test
  void refreshAheadNeverFiresFarFromExpiry() {
    CacheStrategy s = CacheStrategy.L1_ONLY.withL1Ttl(Duration.ofSeconds(60));
    MultiLayerCache<String> cache = builder().strategy(s).build();
    cache.get(
        "k",
        key -> {
          time.advance(Duration.ofMillis(100));
          return "v";
        });
    draw = Double.MIN_VALUE; // the most eager draw there is: -ln(u) is about 744
    time.advance(Duration.ofSeconds(10)); // 50 s left, 100 ms load: 50 s > 40 x 100 ms
    cache.get("k", key -> "other");
    assertThat(background.pending()).isZero();
  }

  @Test
  void thousandConcurrentMissesOnOneKeyLoadOnce() throws Exception {
    MultiLayerCache<String> cache = node();
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Loader<String> blocking =
        key -> {
          loads.incrementAndGet();
          release.await();
          return "menu";
        };
    List<Future<String>> results = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 1000; i++) {
        results.add(threads.submit(() -> cache.get("menu:42", blocking)));
      }
      // Every other caller must be parked on the one in-flight load before it is released.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (cache.waitersOf("menu:42") < 999 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(cache.waitersOf("menu:42")).isEqualTo(999);
      release.countDown();
      for (Future<String> f : results) {
        assertThat(f.get()).isEqualTo("menu");
      }
    }
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().loads()).isEqualTo(1);
  }

  @Test
  void waitersShareTheLeadersFailure() throws Exception {
    MultiLayerCache<String> cache = node();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger loads = new AtomicInteger();
    Loader<String> failing =
        key -> {
          loads.incrementAndGet();
          release.await();
          throw new IOException("db down");
        };
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        results.add(threads.submit(() -> cache.get("k", failing)));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (cache.waitersOf("k") < 9 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      release.countDown();
      for (Future<String> f : results) {
        assertThatThrownBy(f::get).hasRootCauseMessage("db down");
      }
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void invalidationDuringALoadKeepsTheLoadedValueOutOfTheCache() {
    MultiLayerCache<String> cache = node();
    AtomicReference<MultiLayerCache<String>> self = new AtomicReference<>(cache);
    String first =
        cache.get(
            "k",
            key -> {
              self.get().invalidate(key); // the value we are loading is already outdated
              return "outdated";
            });

    assertThat(first).isEqualTo("outdated");
    assertThat(cache.stats().storesSkipped()).isEqualTo(1);
    assertThat(cache.get("k", key -> "current")).isEqualTo("current");
  }

  @Test
  void putOnOneNodeDropsTheOldCopyOnTheOther() {
    MultiLayerCache<String> a = node();
    MultiLayerCache<String> b = node();
    b.get("menu:42", key -> "old menu");

    a.put("menu:42", "new menu");

    assertThat(b.get("menu:42", key -> "loaded")).isEqualTo("new menu");
    assertThat(b.stats().invalidationsReceived()).isEqualTo(1);
    assertThat(a.stats().invalidationsSent()).isEqualTo(1);
  }

  @Test
  void tagInvalidationDropsDependentsOnEveryNode() {
    MultiLayerCache<String> a = node();
    MultiLayerCache<String> b = node();
    b.get("restaurant:42", key -> "r42", "restaurant:42");
    b.get("menu:42", key -> "m42", "restaurant:42");
    b.getTagged("search:pizza", key -> Tagged.of("[42,7]", "restaurant:42", "restaurant:7"));
    b.get("restaurant:7", key -> "r7", "restaurant:7");

    a.invalidateTag("restaurant:42");

    CountingLoader loader = new CountingLoader();
    assertThat(b.get("restaurant:42", loader)).isEqualTo("restaurant:42#1");
    assertThat(b.get("menu:42", loader)).isEqualTo("menu:42#2");
    assertThat(b.get("search:pizza", loader)).isEqualTo("search:pizza#3");
    assertThat(b.get("restaurant:7", loader)).isEqualTo("r7");
  }

  @Test
  void patternInvalidationDropsMatchingKeysOnEveryNode() {
    MultiLayerCache<String> a = node();
    MultiLayerCache<String> b = node();
    b.get("restaurant:42:menu", key -> "m");
    b.get("restaurant:42:reviews", key -> "r");
    b.get("restaurant:43:menu", key -> "m43");

    a.invalidatePattern("restaurant:42:*");

    assertThat(b.get("restaurant:42:menu", key -> "m2")).isEqualTo("m2");
    assertThat(b.get("restaurant:42:reviews", key -> "r2")).isEqualTo("r2");
    assertThat(b.get("restaurant:43:menu", key -> "x")).isEqualTo("m43");
  }

  @Test
  void clearDropsEverythingOnEveryNode() {
    MultiLayerCache<String> a = node();
    MultiLayerCache<String> b = node();
    b.get("k", key -> "v");
    a.clear();
    assertThat(b.get("k", key -> "v2")).isEqualTo("v2");
  }

  @Test
  void lostBroadcastChannelClearsL1SoNoStaleCopyIsServed() {
    MultiLayerCache<String> b = node();
    b.get("menu:42", key -> "old menu");
    long now = time.millis();
    // An update whose invalidation message b never hears.
    redis.plant(
        "menu:42", new CacheEntry<>("new menu", now, now + 600_000, now + 900_000, Set.of(), 0));

    redis.disconnectAll();
    assertThat(b.get("menu:42", key -> "loaded")).isEqualTo("new menu");
    redis.resubscribeAll();
    assertThat(b.stats().disconnects()).isEqualTo(1);
  }

  @Test
  void reconnectClearsWhatWasCachedWhileDeaf() {
    MultiLayerCache<String> b = node();
    redis.disconnectAll();
    b.get("menu:42", key -> "loaded while deaf");
    long now = time.millis();
    redis.plant(
        "menu:42", new CacheEntry<>("new menu", now, now + 600_000, now + 900_000, Set.of(), 0));

    redis.resubscribeAll();

    assertThat(b.get("menu:42", key -> "loaded")).isEqualTo("new menu");
  }

  @Test
  void redisOutageDegradesToL1AndLoaderWithErrorsCounted() {
    MultiLayerCache<String> cache = node();
    redis.failing = true;
    CountingLoader loader = new CountingLoader();

    assertThat(cache.get("k", loader)).isEqualTo("k#1");
    assertThat(cache.get("k", loader)).isEqualTo("k#1");
    cache.invalidate("k");
    cache.put("p", "v", "t");
    assertThat(cache.invalidateTag("t")).isEqualTo(1);
    assertThat(cache.get("p", loader)).isEqualTo("p#2");

    assertThat(loader.calls).hasValue(2);
    assertThat(cache.stats().l2().errors()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void distributedLockMakesAnotherNodeWaitForTheValue() throws Exception {
    CacheStrategy locked = CacheStrategy.DEFAULT.withDistributedLock(true);
    MultiLayerCache<String> a = builder().l2(redis).strategy(locked).build();
    MultiLayerCache<String> b =
        builder().l2(redis).strategy(locked).loadLockTtl(Duration.ofSeconds(20)).build();
    CountDownLatch inLoad = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger loads = new AtomicInteger();
    Loader<String> slow =
        key -> {
          loads.incrementAndGet();
          inLoad.countDown();
          release.await();
          return "expensive";
        };
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> fa = threads.submit(() -> a.get("report", slow));
      inLoad.await();
      Future<String> fb = threads.submit(() -> b.get("report", slow));
      release.countDown();
      assertThat(fa.get()).isEqualTo("expensive");
      assertThat(fb.get()).isEqualTo("expensive");
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void reportNamesTheMostMissedKeys() {
    MultiLayerCache<String> cache = builder().strategy(CacheStrategy.L1_ONLY).build();
    for (int i = 0; i < 3; i++) {
      cache.get("hot", key -> null);
      time.advance(Duration.ofMinutes(1));
    }
    cache.get("cold", key -> "v");

    CacheReport report = cache.report(5);
    assertThat(report.topMissedKeys())
        .extracting(CacheReport.KeyCount::key)
        .containsExactly("hot", "cold");
    assertThat(report.topMissedKeys().get(0).count()).isEqualTo(3);
    assertThat(report.toString()).contains("cache menus: 4 requests").contains("hot=3");
  }

  @Test
  void invalidInputIsRefusedWithTheLimitNamed() {
    MultiLayerCache<String> cache = node();
    assertThatThrownBy(() -> cache.get("", key -> "v")).hasMessage("key empty");
    assertThatThrownBy(() -> cache.get("k".repeat(1025), key -> "v"))
        .hasMessage("key longer than 1024 characters");
    assertThatThrownBy(() -> cache.put("k", "v", "t".repeat(257)))
        .hasMessage("entry.tags tag longer than 256 characters");
    assertThatThrownBy(() -> MultiLayerCache.builder("bad name", CacheCodec.utf8()))
        .hasMessage("cache.name must match [A-Za-z0-9._-]{1,64}");
    assertThatThrownBy(() -> builder().build())
        .hasMessage("strategy default uses l2 but cache menus has no redis");
    MultiLayerCache<String> local = builder().strategy(CacheStrategy.L1_ONLY).build();
    assertThatThrownBy(() -> local.get("k", CacheStrategy.L2_ONLY, key -> "v"))
        .hasMessage("strategy l2-only uses l2 but cache menus has no redis");
  }

  @Test
  void strategiesAreValidated() {
    assertThatThrownBy(() -> CacheStrategy.DEFAULT.withL1Ttl(Duration.ZERO))
        .hasMessage("strategy.default.l1Ttl must be positive");
    assertThatThrownBy(() -> CacheStrategy.DEFAULT.withStaleIfError(Duration.ofSeconds(-1)))
        .hasMessage("strategy.default.staleIfError negative or missing");
    assertThatThrownBy(() -> CacheStrategy.DEFAULT.withRefreshAhead(11))
        .hasMessage("strategy.default.refreshAheadBeta outside 0..10");
    assertThatThrownBy(
            () ->
                new CacheStrategy(
                    "none",
                    false,
                    false,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    0,
                    false))
        .hasMessage("strategy.none uses no layer");
  }

  @Test
  void perCallStrategyChoosesTheLayers() {
    MultiLayerCache<String> cache = node();
    cache.get("local", CacheStrategy.L1_ONLY, key -> "l1");
    cache.get("shared", CacheStrategy.L2_ONLY, key -> "l2");

    assertThat(redis.get("local")).isNull();
    assertThat(redis.get("shared")).isNotNull();
    assertThat(cache.stats().l1().size()).isEqualTo(1);
  }
}
