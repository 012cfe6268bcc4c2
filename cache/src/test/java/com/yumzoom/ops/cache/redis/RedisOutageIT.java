package com.yumzoom.ops.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.Eventually;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.TestRedis;
import com.yumzoom.ops.cache.codec.CacheCodec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Redis stops and comes back: callers never fail, and no node keeps what it cached while deaf. */
class RedisOutageIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void outageDegradesToL1AndLoaderThenRecoversWithoutStaleL1() {
    try (TestRedis server = TestRedis.start();
        RedisL2 redisA = RedisL2.standalone(server.uri());
        RedisL2 redisB = RedisL2.standalone(server.uri());
        MultiLayerCache<String> a =
            MultiLayerCache.builder("outage", CacheCodec.utf8()).redis(redisA).build();
        MultiLayerCache<String> b =
            MultiLayerCache.builder("outage", CacheCodec.utf8()).redis(redisB).build()) {
      AtomicInteger loads = new AtomicInteger();
      assertThat(b.get("menu:42", key -> "v" + loads.incrementAndGet())).isEqualTo("v1");

      server.stop();
      Eventually.await("b notices the outage", WAIT, () -> b.stats().disconnects() >= 1);
      Eventually.await("b's commands fail", WAIT, () -> !answers(redisB));
      long reconnects = redisB.reconnects();
      long reconnectsA = redisA.reconnects();

      // Degraded: Redis errors are counted, the loader answers, L1 serves repeats.
      assertThat(b.get("menu:42", key -> "v" + loads.incrementAndGet())).isEqualTo("v2");
      assertThat(b.get("menu:42", key -> "v" + loads.incrementAndGet())).isEqualTo("v2");
      assertThat(b.stats().l2().errors()).isGreaterThanOrEqualTo(1);

      server.restart();
      Eventually.await("b reconnects", WAIT, () -> redisB.reconnects() > reconnects);
      // A write made while its own node is still disconnected is lost (the loader stays the
      // source of truth), so wait for a too before checking that invalidations flow again.
      Eventually.await(
          "a reconnects", WAIT, () -> redisA.reconnects() > reconnectsA && answers(redisA));

      // What b cached while deaf is gone: the next read goes past L1.
      Eventually.await(
          "b reloads after the reconnect",
          WAIT,
          () -> !b.get("menu:42", key -> "v" + loads.incrementAndGet()).equals("v2"));
      // And invalidations flow again, both ways.
      a.put("menu:42", "from a");
      Eventually.await(
          "b hears a again", WAIT, () -> "from a".equals(b.get("menu:42", key -> "loaded")));
      b.put("menu:42", "from b");
      Eventually.await(
          "a hears b again", WAIT, () -> "from b".equals(a.get("menu:42", key -> "loaded")));
      assertThat(b.strategy()).isEqualTo(CacheStrategy.DEFAULT);
    }
  }

  private static boolean answers(RedisL2 redis) {
    try {
      redis.sync().ping();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
