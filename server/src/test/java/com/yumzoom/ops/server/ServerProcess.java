package com.yumzoom.ops.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real `yumzoom serve` in a child JVM, for the tests that kill it (kill -9, SIGTERM). */
final class ServerProcess {
  private ServerProcess() {}

  /**
   * Starts the server on {@code port} (every listener) with its data and log in {@code dataDir}.
   */
  static Process start(Path dataDir, int port) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx512m",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            "com.yumzoom.ops.cli.YumzoomCommand",
            "serve",
            "--data-dir",
            dataDir.toString(),
            "--http-port",
            Integer.toString(port),
            "--otlp-grpc-port",
            Integer.toString(port),
            "--otlp-http-port",
            Integer.toString(port),
            "--set",
            "server.host=127.0.0.1");
    pb.redirectErrorStream(true);
    pb.redirectOutput(dataDir.resolve("server.log").toFile());
    return pb.start();
  }

  /** Waits (at most 60 s) until the server answers /health/ready. */
  static void awaitReady(HttpClient http, int port, Process server) throws Exception {
    URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && server.isAlive()) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100); // waiting for another process to start, not timing our own logic
    }
    throw new AssertionError("server did not become ready; alive=" + server.isAlive());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
