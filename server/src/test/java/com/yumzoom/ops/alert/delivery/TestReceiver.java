package com.yumzoom.ops.alert.delivery;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP receiver on loopback (the JDK's server): records every request and answers with the
 * statuses queued in {@link #respond}, then 200.
 */
final class TestReceiver implements AutoCloseable {

  record Request(String method, String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  private final HttpServer server;
  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Deque<Integer> statuses = new ArrayDeque<>();

  /** How long each answer takes: a slow receiver. */
  volatile long delayMillis;

  TestReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            Map<String, String> headers = new TreeMap<>();
            exchange
                .getRequestHeaders()
                .forEach(
                    (k, v) ->
                        headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (delayMillis > 0) {
              try {
                Thread.sleep(delayMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            int status;
            synchronized (statuses) {
              status = statuses.isEmpty() ? 200 : statuses.poll();
            }
            requests.add(
                new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    headers,
                    body));
            byte[] answer =
                (status < 300 ? "{\"status\":\"ok\"}" : "{\"error\":\"no\"}").getBytes();
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  /** The next requests are answered with these statuses, in order. */
  void respond(Integer... codes) {
    synchronized (statuses) {
      statuses.addAll(List.of(codes));
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Waits (bounded) until {@code n} requests arrived. */
  void awaitRequests(int n, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (requests.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
