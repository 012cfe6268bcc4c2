package com.yumzoom.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.duckdb.DuckDbStorage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "2xx means durable", proven against a real server process: spans acknowledged before a {@code
 * kill -9} (or a SIGTERM) are all in the store when it is opened again.
 */
class DurabilityIT {

  private static final int SPANS_PER_TRACE = 20;
  private static final int SENDERS = 4;

  @TempDir Path dataDir;

  @Test
  void acknowledgedSpansSurviveKillMinus9() throws Exception {
    List<TraceId> acked = sendUntilKilled(true);
    assertAllStored(acked);
  }

  @Test
  void sigtermDrainsEverythingAcknowledged() throws Exception {
    List<TraceId> acked = sendUntilKilled(false);
    assertAllStored(acked);
  }

  private List<TraceId> sendUntilKilled(boolean forcibly) throws Exception {
    int port = ServerProcess.freePort();
    Process server = ServerProcess.start(dataDir, port);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + port + "/v1/traces");
    ServerProcess.awaitReady(http, port, server);

    Queue<TraceId> acked = new ConcurrentLinkedQueue<>();
    AtomicLong next = new AtomicLong(1);
    CountDownLatch enoughAcked = new CountDownLatch(50);
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int s = 0; s < SENDERS; s++) {
      senders.execute(
          () -> {
            // Bounded: stops at the deadline, after 2,000 requests, or when the server is gone.
            for (int i = 0; i < 500 && System.nanoTime() < deadline; i++) {
              TraceId id = new TraceId(0x5EED, next.getAndIncrement());
              byte[] body =
                  OtlpRequests.trace(
                          id,
                          "durability",
                          SPANS_PER_TRACE,
                          System.currentTimeMillis() * 1_000_000L)
                      .toByteArray();
              try {
                HttpResponse<Void> response =
                    http.send(
                        HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/x-protobuf")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                  acked.add(id);
                  enoughAcked.countDown();
                }
              } catch (IOException e) {
                if (!server.isAlive()) {
                  return;
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          });
    }
    assertThat(enoughAcked.await(60, TimeUnit.SECONDS)).as("50 requests acknowledged").isTrue();
    if (forcibly) {
      server.destroyForcibly(); // SIGKILL: no shutdown hook runs
    } else {
      server.destroy(); // SIGTERM: the shutdown hook drains
    }
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    senders.shutdown();
    assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    if (!forcibly) {
      assertThat(server.exitValue()).as("clean exit after SIGTERM").isIn(0, 143);
    }
    return new ArrayList<>(acked);
  }

  private void assertAllStored(List<TraceId> acked) {
    assertThat(acked).hasSizeGreaterThanOrEqualTo(50);
    try (DuckDbStorage storage = DuckDbStorage.open(dataDir)) {
      SpanStore store = storage.spanStore();
      List<TraceId> missing = new ArrayList<>();
      for (TraceId id : acked) {
        if (store.trace(id).size() != SPANS_PER_TRACE) {
          missing.add(id);
        }
      }
      assertThat(missing).as("acknowledged traces missing after restart").isEmpty();
    }
  }
}
