package com.yumzoom.ops.bench.cache;

import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.redis.RedisL2;
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
 * Cross-node invalidation latency on loopback: node A invalidates a key, the operation ends when
 * node B has applied it to its L1 (seen through B's received-invalidations counter). Sample mode
 * reports percentiles (p50, p99, p99.9).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InvalidationPropagationBenchmark {
  private BenchRedis redis;
  private RedisL2 redisA;
  private RedisL2 redisB;
  private MultiLayerCache<String> a;
  private MultiLayerCache<String> b;

  @Setup(Level.Trial)
  public void setUp() {
    redis = BenchRedis.start();
    redisA = RedisL2.standalone(redis.uri());
    redisB = RedisL2.standalone(redis.uri());
    a = MultiLayerCache.builder("prop", CacheCodec.utf8()).redis(redisA).build();
    b = MultiLayerCache.builder("prop", CacheCodec.utf8()).redis(redisB).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    a.close();
    b.close();
    redisA.close();
    redisB.close();
    redis.close();
  }

  @Benchmark
  public long invalidateAndObserveOnOtherNode() {
    long before = b.stats().invalidationsReceived();
    a.invalidate("restaurant:42");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long now;
    while ((now = b.stats().invalidationsReceived()) == before) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("invalidation not observed within 5 s");
      }
      Thread.onSpinWait();
    }
    return now;
  }
}
