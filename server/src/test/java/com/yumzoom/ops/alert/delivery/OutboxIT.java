package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted outbox with a real DuckDB file and a real webhook receiver on loopback: retries
 * with backoff, dead letters, every attempt visible, and a restart that resumes pending deliveries.
 */
class OutboxIT {

  @TempDir Path dataDir;
  TestReceiver receiver;
  MutableClock clock = new MutableClock(TestAlerts.T0);
  DeliveryConfig config;
  DeliveryStore store;
  Outbox outbox;
  final AtomicInteger listenerCalls = new AtomicInteger();
  Outbox.Listener listener = (id, n, channel, outcome, dead) -> listenerCalls.incrementAndGet();

  static final RetryPolicy RETRY =
      new RetryPolicy(4, Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofMinutes(1));

  /** Always 0.5: backoff = 3/4 of nominal. */
  static final RandomGenerator HALF = () -> Long.MIN_VALUE;

  @BeforeEach
  void setUp() throws Exception {
    receiver = new TestReceiver();
    config =
        DeliveryConfig.parse(
            """
            receivers:
              - name: hook
                webhook_configs:
                  - url: %s
                    hmac_secret: s
            """
                .formatted(receiver.url("/hook")));
    open(100);
  }

  void open(int maxPending) {
    store = DeliveryStore.open(dataDir);
    Supplier<DeliveryConfig> cfg = () -> config;
    ChannelSender sender =
        new ChannelSender(
            ChannelSender.defaultClient(Duration.ofSeconds(2)),
            Duration.ofSeconds(5),
            new LinkSigner(new byte[32]),
            "",
            Duration.ofDays(1),
            clock);
    outbox =
        new Outbox(store, sender, cfg, RETRY, clock, HALF, System::nanoTime, maxPending, listener);
  }

  void reopen() {
    outbox.close();
    store.close();
    open(100);
  }

  @AfterEach
  void tearDown() {
    outbox.close();
    store.close();
    receiver.close();
  }

  @Test
  void backoffIsExponentialWithEqualJitterAndCapped() {
    assertThat(RETRY.backoff(1, 0.0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(RETRY.backoff(1, 0.999999))
        .isBetween(Duration.ofMillis(9_990), Duration.ofSeconds(10));
    assertThat(RETRY.backoff(2, 0.5)).isEqualTo(Duration.ofSeconds(15));
    assertThat(RETRY.backoff(3, 0.0)).isEqualTo(Duration.ofSeconds(20));
    assertThat(RETRY.backoff(4, 0.0)).isEqualTo(Duration.ofSeconds(30)); // capped at 1m
    assertThat(RETRY.backoff(500, 1.0)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void retriesWithBackoffThenDelivers() throws Exception {
    receiver.respond(503, 502);
    long id = outbox.enqueue(TestAlerts.critical("hook"), "hook");

    assertThat(outbox.deliverDue()).isEqualTo(1);
    assertThat(outbox.deliverDue()).as("not due before the backoff").isZero();
    clock.advance(Duration.ofMillis(7_499));
    assertThat(outbox.deliverDue()).isZero();
    clock.advance(Duration.ofMillis(1)); // 0.75 x 10 s
    assertThat(outbox.deliverDue()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(15)); // 0.75 x 20 s
    assertThat(outbox.deliverDue()).isEqualTo(1);

    assertThat(receiver.requests).hasSize(3);
    assertThat(outbox.pending()).isZero();
    ObjectNode detail = outbox.detail(id);
    JsonNode d = detail.path("deliveries").get(0);
    assertThat(d.path("state").asText()).isEqualTo("delivered");
    assertThat(d.path("attempts").asInt()).isEqualTo(3);
    JsonNode log = d.path("attemptLog");
    assertThat(log).hasSize(3);
    assertThat(log.get(0).path("statusCode").asInt()).isEqualTo(503);
    assertThat(log.get(0).path("result").asText()).isEqualTo("retry");
    assertThat(log.get(0).path("at").asText()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(log.get(1).path("statusCode").asInt()).isEqualTo(502);
    assertThat(log.get(1).path("at").asText()).isEqualTo("2026-11-22T10:00:07.500Z");
    assertThat(log.get(2).path("statusCode").asInt()).isEqualTo(200);
    assertThat(log.get(2).path("result").asText()).isEqualTo("delivered");
    assertThat(log.get(2).path("latencyMs").asDouble()).isPositive();
    assertThat(detail.path("payload").path("groupKey").asText())
        .isEqualTo(TestAlerts.critical("hook").groupKey());
    assertThat(listenerCalls).hasValue(3);
  }

  @Test
  void deadLettersAfterTheLastAttempt() {
    receiver.respond(500, 500, 500, 500, 500);
    long id = outbox.enqueue(TestAlerts.critical("hook"), "hook");
    for (int i = 0; i < 10; i++) {
      outbox.deliverDue();
      clock.advance(Duration.ofMinutes(1));
    }
    assertThat(receiver.requests).hasSize(4);
    JsonNode d = outbox.detail(id).path("deliveries").get(0);
    assertThat(d.path("state").asText()).isEqualTo("dead");
    assertThat(d.path("lastError").asText())
        .isEqualTo("HTTP 500: {\"error\":\"no\"} (gave up after 4 attempts)");
    assertThat(outbox.list("dead", null, 10)).hasSize(1);
    assertThat(outbox.list("pending", null, 10)).isEmpty();
    assertThat(outbox.deadLettered()).isEqualTo(1);
  }

  @Test
  void aClientErrorIsDeadAtOnceAndAnUnknownReceiverIsRecordedDead() {
    receiver.respond(400);
    long id = outbox.enqueue(TestAlerts.critical("hook"), "hook");
    outbox.deliverDue();
    assertThat(outbox.detail(id).path("deliveries").get(0).path("state").asText())
        .isEqualTo("dead");

    long unknown = outbox.enqueue(TestAlerts.critical("nobody"), "nobody");
    JsonNode d = outbox.detail(unknown).path("deliveries").get(0);
    assertThat(d.path("state").asText()).isEqualTo("dead");
    assertThat(d.path("lastError").asText()).isEqualTo("unknown receiver nobody");
  }

  @Test
  void maxAgeDeadLettersOldDeliveries() {
    receiver.respond(500, 500, 500);
    RetryPolicy shortLived =
        new RetryPolicy(100, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(1));
    outbox.close();
    outbox =
        new Outbox(
            store,
            senderFor(),
            () -> config,
            shortLived,
            clock,
            HALF,
            System::nanoTime,
            100,
            listener);
    long id = outbox.enqueue(TestAlerts.critical("hook"), "hook");
    for (int i = 0; i < 5; i++) {
      outbox.deliverDue();
      clock.advance(Duration.ofSeconds(20));
    }
    JsonNode d = outbox.detail(id).path("deliveries").get(0);
    assertThat(d.path("state").asText()).isEqualTo("dead");
    assertThat(d.path("lastError").asText()).endsWith("(gave up: older than PT30S)");
  }

  ChannelSender senderFor() {
    return new ChannelSender(
        ChannelSender.defaultClient(Duration.ofSeconds(2)),
        Duration.ofSeconds(5),
        new LinkSigner(new byte[32]),
        "",
        Duration.ofDays(1),
        clock);
  }

  @Test
  void theOutboxIsBounded() {
    outbox.close();
    store.close();
    open(2);
    outbox.enqueue(TestAlerts.critical("hook"), "hook");
    outbox.enqueue(TestAlerts.critical("hook"), "hook");
    assertThatThrownBy(() -> outbox.enqueue(TestAlerts.critical("hook"), "hook"))
        .isInstanceOf(Outbox.FullException.class)
        .hasMessage("outbox full: 2 deliveries pending (limit 2)");
    outbox.deliverDue();
    outbox.enqueue(TestAlerts.critical("hook"), "hook");
  }

  @Test
  void aRestartResumesAPendingRetryAndTheReceiverGetsTheSamePayload() throws Exception {
    receiver.respond(503);
    Notification n = TestAlerts.critical("hook");
    long id = outbox.enqueue(n, "hook");
    outbox.deliverDue();

    reopen();
    assertThat(outbox.pending()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(10));
    assertThat(outbox.deliverDue()).isEqualTo(1);
    assertThat(outbox.deliverDue()).isZero();

    assertThat(receiver.requests).hasSize(2);
    String expected = Payloads.JSON.writeValueAsString(Payloads.webhook(n, 0));
    assertThat(receiver.requests.get(0).body()).isEqualTo(expected);
    assertThat(receiver.requests.get(1).body()).isEqualTo(expected);
    assertThat(outbox.detail(id).path("deliveries").get(0).path("attempts").asInt()).isEqualTo(2);
  }

  @Test
  void stoppingTheWorkersMidWayLosesAndRepeatsNothing() throws Exception {
    int total = 30;
    for (int i = 0; i < total; i++) {
      outbox.enqueue(numbered(i), "hook");
    }
    receiver.delayMillis = 30;
    outbox.start(2, Duration.ofMillis(50));
    receiver.awaitRequests(5, Duration.ofSeconds(20));
    reopen(); // stops mid-way: attempts in flight finish and are recorded, the rest stay pending
    int beforeRestart = receiver.requests.size();
    assertThat(beforeRestart).isBetween(5, total - 10);
    assertThat(outbox.pending()).isEqualTo(total - beforeRestart);
    receiver.delayMillis = 0;

    outbox.start(2, Duration.ofMillis(50));
    receiver.awaitRequests(total, Duration.ofSeconds(30));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (outbox.pending() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    List<String> keys =
        receiver.requests.stream().map(r -> readTree(r.body()).path("groupKey").asText()).toList();
    assertThat(keys).hasSize(total).doesNotHaveDuplicates();
    Set<String> expected =
        java.util.stream.IntStream.range(0, total)
            .mapToObj(i -> numbered(i).groupKey())
            .collect(Collectors.toSet());
    assertThat(Set.copyOf(keys)).isEqualTo(expected);
    assertThat(outbox.pending()).isZero();
    assertThat(outbox.list("delivered", null, 100)).hasSize(total);
  }

  @Test
  void workersSurviveAListenerThatThrows() throws Exception {
    outbox.close();
    Outbox.Listener bad =
        (id, n, channel, outcome, dead) -> {
          throw new IllegalStateException("boom");
        };
    outbox =
        new Outbox(
            store, senderFor(), () -> config, RETRY, clock, HALF, System::nanoTime, 100, bad);
    outbox.start(1, Duration.ofMillis(50));
    outbox.enqueue(numbered(1), "hook");
    outbox.enqueue(numbered(2), "hook");
    receiver.awaitRequests(2, Duration.ofSeconds(20));
    assertThat(receiver.requests).hasSize(2);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (outbox.workerErrors() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(outbox.workerErrors()).isEqualTo(2);
  }

  static Notification numbered(int i) {
    Notification n = TestAlerts.critical("hook");
    return new Notification(
        n.receiver(),
        n.status(),
        n.groupLabels(),
        n.commonLabels(),
        n.commonAnnotations(),
        n.externalUrl(),
        "group-" + i,
        List.of(TestAlerts.alert(Alert.FIRING, "HighErrorRate", "critical", "fp-" + i)),
        0);
  }

  static JsonNode readTree(String s) {
    try {
      return Payloads.JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
