package com.yumzoom.ops.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.Eventually;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisShardedCluster;

/** The same cache on a real three-master Redis Cluster: keys, tags and patterns span slots. */
class RedisClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static RedisShardedCluster cluster;
  private static RedisL2 redisA;
  private static RedisL2 redisB;

  @BeforeAll
  static void start() throws IOException {
    List<Integer> ports = new ArrayList<>();
    List<ServerSocket> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      held.add(s);
      ports.add(s.getLocalPort());
    }
    for (ServerSocket s : held) {
      s.close();
    }
    cluster =
        RedisShardedCluster.newRedisCluster()
            .serverPorts(ports) // before the shards, which take their ports from it
            .shard("a", 0)
            .shard("b", 0)
            .shard("c", 0)
            .initializationTimeout(Duration.ofSeconds(20))
            .build();
    cluster.start();
    List<RedisURI> seeds = ports.stream().map(p -> RedisURI.create("127.0.0.1", p)).toList();
    redisA = RedisL2.cluster(seeds, Duration.ofSeconds(1));
    redisB = RedisL2.cluster(seeds, Duration.ofSeconds(1));
    // The cluster reports itself started before every master serves its slots everywhere.
    Eventually.await(
        "every master serves writes and reads", Duration.ofSeconds(20), RedisClusterIT::serving);
  }

  private static boolean serving() {
    try {
      for (int i = 0; i < 64; i++) {
        byte[] v = {(byte) i};
        redisA.sync().set("probe:" + i, v);
        byte[] back = redisB.sync().get("probe:" + i);
        if (back == null || back[0] != v[0]) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (redisA != null) {
      redisA.close();
    }
    if (redisB != null) {
      redisB.close();
    }
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Test
  void invalidationsSpanSlotsAndReachTheOtherNode() {
    try (MultiLayerCache<String> a =
            MultiLayerCache.builder("cl", CacheCodec.utf8()).redis(redisA).build();
        MultiLayerCache<String> b =
            MultiLayerCache.builder("cl", CacheCodec.utf8()).redis(redisB).build()) {
      for (int i = 0; i < 300; i++) {
        a.put("restaurant:42:review:" + i, "review " + i, "restaurant:42");
      }
      a.put("restaurant:7", "r7", "restaurant:7");
      AtomicInteger loads = new AtomicInteger();
      assertThat(b.get("restaurant:42:review:5", k -> "loaded" + loads.incrementAndGet()))
          .isEqualTo("review 5");
      assertThat(loads).hasValue(0);
      // One multi-get whose keys live on different slots (and nodes) of the cluster.
      List<String> many = new ArrayList<>();
      for (int i = 200; i < 260; i++) {
        many.add("restaurant:42:review:" + i);
      }
      assertThat(
              b.getAll(
                  many,
                  keys -> {
                    loads.addAndGet(keys.size());
                    return Map.of();
                  }))
          .hasSize(60)
          .containsEntry("restaurant:42:review:233", "review 233");
      assertThat(loads).hasValue(0);

      assertThat(a.invalidatePattern("restaurant:42:review:1*")).isEqualTo(111);
      assertThat(a.invalidateTag("restaurant:42")).isEqualTo(189);
      // 301 puts, one pattern, one tag.
      Eventually.await("b hears all", WAIT, () -> b.stats().invalidationsReceived() == 303);

      assertThat(b.get("restaurant:42:review:5", k -> "reloaded")).isEqualTo("reloaded");
      assertThat(b.get("restaurant:7", k -> "x")).isEqualTo("r7");
      assertThat(b.stats().l2().errors()).isZero();
      assertThat(a.stats().l2().errors()).isZero();
      assertThat(a.strategy()).isEqualTo(CacheStrategy.DEFAULT);
    }
  }
}
