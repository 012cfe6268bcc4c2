package com.yumzoom.ops.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.Eventually;
import com.yumzoom.ops.cache.Loader;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.Tagged;
import com.yumzoom.ops.cache.TestRedis;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.codec.EncryptionKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two caches on two sets of Redis connections act as two nodes of one application. */
class TwoNodeCacheIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static TestRedis server;
  private static RedisL2 redisA;
  private static RedisL2 redisB;
  private static RedisL2 admin;

  private final List<MultiLayerCache<?>> caches = new ArrayList<>();
  private final String name = "menus" + SEQ.incrementAndGet();

  record Restaurant(long id, String name, List<String> dishes) {}

  @BeforeAll
  static void start() {
    server = TestRedis.start();
    redisA = RedisL2.standalone(server.uri());
    redisB = RedisL2.standalone(server.uri());
    admin = RedisL2.standalone(server.uri());
  }

  @AfterAll
  static void stop() {
    redisA.close();
    redisB.close();
    admin.close();
    server.close();
  }

  @AfterEach
  void closeCaches() {
    caches.forEach(MultiLayerCache::close);
  }

  private MultiLayerCache<String> node(RedisL2 redis, CacheStrategy strategy) {
    MultiLayerCache<String> c =
        MultiLayerCache.builder(name, CacheCodec.utf8()).redis(redis).strategy(strategy).build();
    caches.add(c);
    return c;
  }

  private static final class CountingLoader implements Loader<String> {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String load(String key) {
      return key + "#" + calls.incrementAndGet();
    }
  }

  @Test
  void putOnOneNodeIsSeenByTheOtherThroughPubSub() {
    MultiLayerCache<String> a = node(redisA, CacheStrategy.DEFAULT);
    MultiLayerCache<String> b = node(redisB, CacheStrategy.DEFAULT);
    assertThat(b.get("menu:42", key -> "old menu")).isEqualTo("old menu");

    a.put("menu:42", "new menu");

    Eventually.await(
        "b hears the invalidation", WAIT, () -> b.stats().invalidationsReceived() == 1);
    assertThat(b.get("menu:42", key -> "loaded")).isEqualTo("new menu");
    assertThat(b.stats().l2().hits()).isEqualTo(1);
  }

  @Test
  void tagInvalidationDropsDependentsInRedisAndOnTheOtherNode() {
    MultiLayerCache<String> a = node(redisA, CacheStrategy.DEFAULT);
    MultiLayerCache<String> b = node(redisB, CacheStrategy.DEFAULT);
    b.get("restaurant:42", key -> "r42", "restaurant:42");
    b.get("menu:42", key -> "m42", "restaurant:42");
    b.getTagged("search:pizza", key -> Tagged.of("[42,7]", "restaurant:42", "restaurant:7"));
    b.get("restaurant:7", key -> "r7", "restaurant:7");

    assertThat(a.invalidateTag("restaurant:42")).isEqualTo(3);

    Eventually.await(
        "b hears the invalidation", WAIT, () -> b.stats().invalidationsReceived() == 1);
    CountingLoader loader = new CountingLoader();
    assertThat(b.get("restaurant:42", loader)).isEqualTo("restaurant:42#1");
    assertThat(b.get("menu:42", loader)).isEqualTo("menu:42#2");
    assertThat(b.get("search:pizza", loader)).isEqualTo("search:pizza#3");
    assertThat(b.get("restaurant:7", loader)).isEqualTo("r7");
    assertThat(a.get("restaurant:7", loader)).isEqualTo("r7");
  }

  @Test
  void patternInvalidationScansEveryPageOfRedis() {
    MultiLayerCache<String> a = node(redisA, CacheStrategy.DEFAULT);
    MultiLayerCache<String> b = node(redisB, CacheStrategy.DEFAULT);
    for (int i = 0; i < 1200; i++) {
      a.put("restaurant:42:review:" + i, "review " + i);
    }
    b.get("restaurant:42:review:7", key -> "loaded");
    b.get("restaurant:43:review:7", key -> "r43");
    long before = b.stats().invalidationsReceived();

    assertThat(a.invalidatePattern("restaurant:42:*")).isEqualTo(1200);

    Eventually.await(
        "b hears the invalidation", WAIT, () -> b.stats().invalidationsReceived() == before + 1);
    assertThat(b.get("restaurant:42:review:7", key -> "reloaded")).isEqualTo("reloaded");
    assertThat(b.get("restaurant:43:review:7", key -> "x")).isEqualTo("r43");
  }

  @Test
  void killedBroadcastConnectionLeavesNoStaleL1() throws Exception {
    MultiLayerCache<String> a = node(redisA, CacheStrategy.DEFAULT);
    MultiLayerCache<String> b = node(redisB, CacheStrategy.DEFAULT);
    assertThat(b.get("menu:42", key -> "old menu")).isEqualTo("old menu");
    // An update whose broadcast b never hears: written straight into Redis.
    var silent =
        RedisLayer.create(
            admin, name, CacheCodec.utf8(), Compression.ZSTD, 1024, null, Clock.systemUTC());
    long now = System.currentTimeMillis();
    silent.put(
        "menu:42", new CacheEntry<>("new menu", now, now + 600_000, now + 900_000, Set.of(), 0));
    long reconnects = redisB.reconnects();

    admin.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(redisB.pubSubClientId()));

    Eventually.await("b reconnects", WAIT, () -> redisB.reconnects() > reconnects);
    Eventually.await("b saw the drop", WAIT, () -> b.stats().disconnects() >= 1);
    Eventually.await(
        "b serves the new value", WAIT, () -> "new menu".equals(b.get("menu:42", key -> "loaded")));
    // The channel works again after the reconnect.
    a.put("menu:42", "newest menu");
    Eventually.await(
        "b hears invalidations again",
        WAIT,
        () -> "newest menu".equals(b.get("menu:42", key -> "loaded")));
  }

  @Test
  void thousandConcurrentMissesAcrossTwoNodesLoadOnce() throws Exception {
    CacheStrategy locked = CacheStrategy.DEFAULT.withDistributedLock(true);
    MultiLayerCache<String> a = node(redisA, locked);
    MultiLayerCache<String> b = node(redisB, locked);
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch inLoad = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Loader<String> slow =
        key -> {
          loads.incrementAndGet();
          inLoad.countDown();
          release.await();
          return "report";
        };
    List<Future<String>> results = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      results.add(threads.submit(() -> a.get("daily-report", slow)));
      inLoad.await();
      for (int i = 0; i < 999; i++) {
        MultiLayerCache<String> n = i % 2 == 0 ? a : b;
        results.add(threads.submit(() -> n.get("daily-report", slow)));
      }
      release.countDown();
      for (Future<String> f : results) {
        assertThat(f.get()).isEqualTo("report");
      }
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void encryptedCompressedJsonValuesTravelBetweenNodes() {
    EncryptionKeys keys = EncryptionKeys.of(1, Map.of(1, new byte[32]));
    MultiLayerCache<Restaurant> a =
        MultiLayerCache.builder(name, Restaurant.class)
            .redis(redisA)
            .compression(Compression.ZSTD, 64)
            .encryption(keys)
            .build();
    MultiLayerCache<Restaurant> b =
        MultiLayerCache.builder(name, Restaurant.class)
            .redis(redisB)
            .compression(Compression.ZSTD, 64)
            .encryption(keys)
            .build();
    caches.add(a);
    caches.add(b);
    Restaurant r =
        new Restaurant(42, "Chez Zoom", List.of("ratatouille".repeat(20), "tarte tatin"));
    a.put("restaurant:42", r, "restaurant:42");

    assertThat(b.get("restaurant:42", key -> null)).isEqualTo(r);
    assertThat(b.stats().l2().hits()).isEqualTo(1);
    assertThat(b.stats().l2().errors()).isZero();
  }

  @Test
  void unreadableL2EntryIsAMissNotAFailure() {
    MultiLayerCache<String> b = node(redisB, CacheStrategy.DEFAULT);
    var layer =
        RedisLayer.create(
            admin, name, CacheCodec.utf8(), Compression.NONE, 0, null, Clock.systemUTC());
    admin.sync().set(layer.redisKey("k"), "garbage".getBytes());

    assertThat(b.get("k", key -> "loaded")).isEqualTo("loaded");
    assertThat(b.stats().l2().errors()).isEqualTo(1);
  }
}
