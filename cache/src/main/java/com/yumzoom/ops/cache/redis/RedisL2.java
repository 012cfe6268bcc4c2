package com.yumzoom.ops.cache.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections one node uses for L2: a command connection (standalone or cluster) and a
 * pub/sub connection for invalidations. Several caches may share one {@code RedisL2}; each uses its
 * own key prefix and channel.
 *
 * <p>Failure policy: commands are rejected at once while disconnected (instead of queueing until
 * memory runs out) and time out after {@code commandTimeout}, so a Redis outage costs a caller one
 * fast failure, counted, and the cache falls back to L1 and the loader. Reconnects use a short
 * exponential backoff (10 ms to 1 s) so nodes come back quickly after Redis restarts.
 *
 * <p>When the pub/sub connection drops, listeners hear {@code disconnected} at once; when it is
 * back, this class subscribes every channel again itself (not trusting that Lettuce's own
 * resubscription has finished) and only then tells listeners {@code resubscribed}.
 */
public final class RedisL2 implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisL2.class);
  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final AbstractRedisClient client;
  private final ClientResources resources;
  private final StatefulConnection<String, byte[]> connection;
  private final RedisClusterCommands<String, byte[]> sync;
  private final RedisClusterAsyncCommands<String, byte[]> async;
  private final StatefulRedisPubSubConnection<String, byte[]> pubsub;
  private final Duration commandTimeout;
  private final Map<String, List<Consumer<byte[]>>> channels = new ConcurrentHashMap<>();
  private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService resubscriber =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("yzc-resubscribe").factory());
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean resubscribePending = new AtomicBoolean();
  private final LongAdder reconnects = new LongAdder();

  /** What a cache hears about the broadcast channel. */
  interface ConnectionListener {
    void disconnected();

    void resubscribed();
  }

  private RedisL2(
      AbstractRedisClient client,
      ClientResources resources,
      StatefulConnection<String, byte[]> connection,
      RedisClusterCommands<String, byte[]> sync,
      RedisClusterAsyncCommands<String, byte[]> async,
      StatefulRedisPubSubConnection<String, byte[]> pubsub,
      Duration commandTimeout) {
    this.client = client;
    this.resources = resources;
    this.connection = connection;
    this.sync = sync;
    this.async = async;
    this.pubsub = pubsub;
    this.commandTimeout = commandTimeout;
    pubsub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, byte[] message) {
            List<Consumer<byte[]>> ls = channels.get(channel);
            if (ls != null) {
              for (Consumer<byte[]> l : ls) {
                try {
                  l.accept(message);
                } catch (RuntimeException e) {
                  log.warn("cache invalidation listener failed on {}", channel, e);
                }
              }
            }
          }
        });
    if (pubsub instanceof RedisChannelHandler<?, ?> handler) {
      handler.addListener(
          new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
              if (!closed.get()) {
                connectionListeners.forEach(RedisL2::safeDisconnected);
              }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
              if (!closed.get()) {
                reconnects.increment();
                // Coalesced: a reconnect storm queues at most one pending round.
                if (resubscribePending.compareAndSet(false, true)) {
                  resubscriber.execute(RedisL2.this::resubscribe);
                }
              }
            }
          });
    }
  }

  /** A standalone Redis at {@code redis://host:port[/db]} with a 500 ms command timeout. */
  public static RedisL2 standalone(String uri) {
    return standalone(RedisURI.create(uri), Duration.ofMillis(500));
  }

  public static RedisL2 standalone(RedisURI uri, Duration commandTimeout) {
    ClientResources resources = resources();
    RedisClient client = RedisClient.create(resources, withTimeout(uri, commandTimeout));
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
            .build());
    try {
      var conn = client.connect(CODEC);
      var ps = client.connectPubSub(CODEC);
      return new RedisL2(client, resources, conn, conn.sync(), conn.async(), ps, commandTimeout);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      resources.shutdown(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * A Redis Cluster reached through any of the seed URIs. Keys spread over slots; pattern
   * invalidation scans every master; invalidations are published cluster-wide.
   */
  public static RedisL2 cluster(List<RedisURI> seeds, Duration commandTimeout) {
    ClientResources resources = resources();
    RedisClusterClient client =
        RedisClusterClient.create(
            resources, seeds.stream().map(u -> withTimeout(u, commandTimeout)).toList());
    client.setOptions(
        ClusterClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
            .build());
    try {
      var conn = client.connect(CODEC);
      var ps = client.connectPubSub(CODEC);
      return new RedisL2(client, resources, conn, conn.sync(), conn.async(), ps, commandTimeout);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      resources.shutdown(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** A copy of the URI whose synchronous calls also give up after the command timeout. */
  private static RedisURI withTimeout(RedisURI uri, Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("redis.commandTimeout must be positive");
    }
    return RedisURI.builder(uri).withTimeout(timeout).build();
  }

  private static ClientResources resources() {
    return ClientResources.builder()
        .reconnectDelay(
            () ->
                Delay.exponential(
                    Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .build();
  }

  RedisClusterCommands<String, byte[]> sync() {
    return sync;
  }

  RedisClusterAsyncCommands<String, byte[]> async() {
    return async;
  }

  Duration commandTimeout() {
    return commandTimeout;
  }

  /** Times the broadcast connection came back after a drop (and the first connect). */
  public long reconnects() {
    return reconnects.sum();
  }

  /** The id Redis gives the pub/sub connection (for CLIENT KILL in tests and operations). */
  public long pubSubClientId() {
    return pubsub.sync().clientId();
  }

  void subscribe(String channel, Consumer<byte[]> listener, ConnectionListener connectionListener) {
    channels.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
    connectionListeners.add(connectionListener);
    pubsub.sync().subscribe(channel);
  }

  void unsubscribe(
      String channel, Consumer<byte[]> listener, ConnectionListener connectionListener) {
    connectionListeners.remove(connectionListener);
    List<Consumer<byte[]>> ls = channels.get(channel);
    if (ls == null) {
      return;
    }
    ls.remove(listener);
    if (ls.isEmpty() && channels.remove(channel, ls) && !closed.get()) {
      try {
        pubsub.sync().unsubscribe(channel);
      } catch (RuntimeException e) {
        log.debug("unsubscribe of {} failed", channel, e);
      }
    }
  }

  void publish(String channel, byte[] message) {
    sync.publish(channel, message);
  }

  private void resubscribe() {
    resubscribePending.set(false);
    // Bounded: if Redis drops again meanwhile, the next connect event schedules another round.
    for (int attempt = 0; attempt < 50 && !closed.get(); attempt++) {
      try {
        if (!channels.isEmpty()) {
          pubsub.sync().subscribe(channels.keySet().toArray(String[]::new));
        }
        connectionListeners.forEach(RedisL2::safeResubscribed);
        return;
      } catch (RuntimeException e) {
        log.debug("resubscribe attempt {} failed", attempt, e);
        if (!pubsub.isOpen()) {
          return;
        }
        try {
          Thread.sleep(20L * (attempt + 1));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void safeDisconnected(ConnectionListener l) {
    try {
      l.disconnected();
    } catch (RuntimeException e) {
      log.warn("cache disconnect listener failed", e);
    }
  }

  private static void safeResubscribed(ConnectionListener l) {
    try {
      l.resubscribed();
    } catch (RuntimeException e) {
      log.warn("cache resubscribe listener failed", e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    resubscriber.shutdownNow();
    try {
      pubsub.close();
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
