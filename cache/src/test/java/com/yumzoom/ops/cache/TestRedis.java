package com.yumzoom.ops.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/** A real redis-server (the binary embedded-redis ships) on a free loopback port. */
public final class TestRedis implements AutoCloseable {
  private final int port;
  private RedisServer server;

  private TestRedis(int port) {
    this.port = port;
  }

  public static TestRedis start() {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestRedis r = new TestRedis(port);
    r.startServer();
    return r;
  }

  private void startServer() {
    try {
      server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Stops the server; clients see their connections drop. */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a fresh (empty) server on the same port. */
  public void restart() {
    startServer();
  }

  @Override
  public void close() {
    stop();
  }
}
