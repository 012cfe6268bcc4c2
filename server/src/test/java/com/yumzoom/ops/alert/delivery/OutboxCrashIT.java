package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a delivering process with SIGKILL mid-way and reopens its data directory: every
 * notification the sink accepted reaches the receiver, and only the attempts in flight at the kill
 * (at most one per worker) can arrive twice.
 */
class OutboxCrashIT {

  static final int TOTAL = 40;
  static final int WORKERS = 2; // TestDelivery.settings()

  static DeliveryConfig config(String url) {
    return DeliveryConfig.parse(
        """
        receivers:
          - name: hook
            webhook_configs: [{url: '%s'}]
        """
            .formatted(url));
  }

  @Test
  void acceptedNotificationsSurviveKillNine(@TempDir Path dir) throws Exception {
    try (TestReceiver receiver = new TestReceiver()) {
      receiver.delayMillis = 40;
      String java = ProcessHandle.current().info().command().orElse("java");
      Process child =
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Child.class.getName(),
                  dir.toString(),
                  receiver.url("/hook"))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      boolean queued = false;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while (!queued && (line = out.readLine()) != null) {
          queued = line.equals("queued " + TOTAL);
        }
        receiver.awaitRequests(5, Duration.ofSeconds(60));
      } finally {
        child.destroyForcibly(); // SIGKILL: no shutdown hook, attempts in flight
        child.waitFor();
      }
      assertThat(queued).as("the child accepted every notification").isTrue();
      int beforeKill = receiver.requests.size();
      assertThat(beforeKill).isBetween(5, TOTAL - 5);

      receiver.delayMillis = 0;
      AlertDelivery reopened =
          TestDelivery.open(config(receiver.url("/hook")), dir, Clock.systemUTC());
      try {
        reopened.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (distinctKeys(receiver) < TOTAL && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        while (reopened.outbox().pending() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      } finally {
        reopened.close();
      }
      Map<String, Long> perKey = counts(receiver);
      assertThat(perKey.keySet())
          .isEqualTo(
              IntStream.range(0, TOTAL).mapToObj(i -> "group-" + i).collect(Collectors.toSet()));
      long repeated = perKey.values().stream().filter(c -> c > 1).count();
      assertThat(repeated)
          .as("only attempts in flight at the kill repeat")
          .isLessThanOrEqualTo(WORKERS);
      assertThat(perKey.values()).allMatch(c -> c <= 2);
    }
  }

  static long distinctKeys(TestReceiver receiver) {
    return counts(receiver).size();
  }

  static Map<String, Long> counts(TestReceiver receiver) {
    return receiver.requests.stream()
        .map(r -> OutboxIT.readTree(r.body()).path("groupKey").asText())
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  /** The process that is killed: accepts TOTAL notifications, then delivers slowly. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      AlertDelivery delivery =
          TestDelivery.open(config(args[1]), Path.of(args[0]), Clock.systemUTC());
      for (int i = 0; i < TOTAL; i++) {
        delivery.send(TestAlerts.withReceiver(OutboxIT.numbered(i), "hook"));
      }
      System.out.println("queued " + TOTAL);
      System.out.flush();
      delivery.start();
      Thread.sleep(120_000); // bounded: the parent kills it long before
      delivery.close();
    }
  }
}
