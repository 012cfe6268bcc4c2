package com.yumzoom.ops.bench.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * The Redis a benchmark talks to: {@code -Dyz.redis=redis://host:port} if given, else a real
 * redis-server from embedded-redis on a free loopback port.
 */
final class BenchRedis implements AutoCloseable {
  private final String uri;
  private final RedisServer server;

  private BenchRedis(String uri, RedisServer server) {
    this.uri = uri;
    this.server = server;
  }

  static BenchRedis start() {
    String given = System.getProperty("yz.redis");
    if (given != null && !given.isBlank()) {
      return new BenchRedis(given, null);
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = s.getLocalPort();
      s.close();
      RedisServer server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
      return new BenchRedis("redis://127.0.0.1:" + port, server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String uri() {
    return uri;
  }

  @Override
  public void close() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
