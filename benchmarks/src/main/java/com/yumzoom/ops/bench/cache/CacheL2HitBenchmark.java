package com.yumzoom.ops.bench.cache;

import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.redis.RedisL2;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * L2 hit (L2-only strategy, so every call is one Redis GET plus envelope decoding) next to a plain
 * Lettuce GET of the same value on its own connection, in the same run (target: within 1.2x). Both
 * decode the value to a String. Redis runs on loopback.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheL2HitBenchmark {
  private static final int KEYS = 1024;
  private static final String VALUE =
      "{\"id\":42,\"name\":\"Chez Zoom\",\"city\":\"Paris\",\"rating\":4.6,\"dishes\":"
          + "[\"ratatouille\",\"tarte tatin\",\"soupe a l'oignon\",\"cassoulet\"]}";

  private BenchRedis redis;
  private RedisL2 l2;
  private MultiLayerCache<String> cache;
  private RedisClient plainClient;
  private StatefulRedisConnection<String, String> plainConnection;
  private RedisCommands<String, String> plain;
  private final String[] keys = new String[KEYS];

  @Setup(Level.Trial)
  public void setUp() {
    redis = BenchRedis.start();
    l2 = RedisL2.standalone(redis.uri());
    cache =
        MultiLayerCache.builder("bench", CacheCodec.utf8())
            .strategy(CacheStrategy.L2_ONLY.withRefreshAhead(0))
            .compression(Compression.ZSTD, 1024)
            .redis(l2)
            .build();
    plainClient = RedisClient.create(redis.uri());
    plainConnection = plainClient.connect();
    plain = plainConnection.sync();
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "restaurant:" + i;
      cache.put(keys[i], VALUE);
      plain.set("plain:" + keys[i], VALUE);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
    l2.close();
    plainConnection.close();
    plainClient.shutdown();
    redis.close();
  }

  @State(Scope.Thread)
  public static class Cursor {
    int i;

    int next() {
      return (i = (i + 1) & (KEYS - 1));
    }
  }

  @Benchmark
  public String multiLayerL2Get(Cursor c) {
    return cache.get(keys[c.next()], key -> VALUE);
  }

  @Benchmark
  public String lettuceGet(Cursor c) {
    return plain.get("plain:" + keys[c.next()]);
  }
}
