package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.config.ConfigException;
import com.yumzoom.ops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remediation actions run for real: allow-listed commands (no shell) and HTTP calls. */
class RemediationIT {

  @TempDir Path dataDir;
  TestReceiver receiver;
  MutableClock clock = new MutableClock(TestAlerts.T0);
  DeliveryStore store;
  DeliveryConfig config;
  final List<String> events = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    receiver = new TestReceiver();
    store = DeliveryStore.open(dataDir);
    config =
        DeliveryConfig.parse(
            """
            remediation:
              allowed_commands: [/bin/echo, /bin/sleep]
              actions:
                - name: say-hello
                  command: [/bin/echo, 'hello; rm -rf /']
                  cooldown: 10m
                - name: hang
                  command: [/bin/sleep, '30']
                  timeout: 200ms
                - name: flush-cache
                  http:
                    url: %s
                    method: POST
                    body: '{"scope":"all"}'
                    headers: {X-Token: t1}
            """
                .formatted(receiver.url("/flush")));
  }

  @AfterEach
  void tearDown() {
    store.close();
    receiver.close();
  }

  Remediations remediations() {
    return new Remediations(
        store,
        () -> config,
        clock,
        ChannelSender.defaultClient(Duration.ofSeconds(2)),
        (group, kind, text) -> {
          synchronized (events) {
            events.add(group + "|" + kind + "|" + text);
          }
        },
        Executors.newSingleThreadExecutor());
  }

  static Notification withRemediation(String action, String fp) {
    Alert a =
        new Alert(
            Alert.FIRING,
            Map.of("alertname", "Down", "severity", "critical", "remediation", action),
            Map.of(),
            TestAlerts.T0,
            null,
            "",
            fp);
    return new Notification(
        "r", Alert.FIRING, Map.of(), a.labels(), Map.of(), "", "g1", List.of(a), 0);
  }

  @Test
  void aCommandRunsWithoutAShellAndItsCooldownStopsALoop() {
    Remediations r = remediations();
    r.onNotification(withRemediation("say-hello", "fp1"), java.util.Set.of("fp1"));
    clock.advance(Duration.ofMinutes(9));
    r.onNotification(withRemediation("say-hello", "fp2"), java.util.Set.of("fp2"));
    r.close();

    // the argument reached echo verbatim: no shell interpreted the ';' (the run is asynchronous,
    // so the skip may be recorded first)
    assertThat(events)
        .containsExactlyInAnyOrder(
            "g1|remediation|remediation say-hello succeeded: exit 0: hello; rm -rf /",
            "g1|remediation|remediation say-hello skipped: cooling down (cooldown PT10M)");
    JsonNode runs = r.list(10);
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).path("ok").asBoolean()).isTrue();
    assertThat(runs.get(0).path("fingerprint").asText()).isEqualTo("fp1");

    // the cooldown survives a restart, and ends when it ends
    Remediations again = remediations();
    assertThat(again.trigger("say-hello", "fp3", "g1")).isFalse();
    clock.advance(Duration.ofMinutes(1));
    assertThat(again.trigger("say-hello", "fp3", "g1")).isTrue();
    again.close();
    assertThat(again.list(10)).hasSize(2);
  }

  @Test
  void aCommandThatHangsIsKilledAtItsTimeout() {
    Remediations r = remediations();
    long start = System.nanoTime();
    assertThat(r.trigger("hang", "fp1", "g1")).isTrue();
    r.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(events)
        .containsExactly("g1|remediation|remediation hang failed: timed out after PT0.2S; killed");
  }

  @Test
  void anHttpActionCallsItsEndpoint() {
    Remediations r = remediations();
    assertThat(r.trigger("flush-cache", "fp1", "g1")).isTrue();
    r.close();
    assertThat(receiver.requests).hasSize(1);
    TestReceiver.Request req = receiver.requests.getFirst();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.body()).isEqualTo("{\"scope\":\"all\"}");
    assertThat(req.header("x-token")).isEqualTo("t1");
    assertThat(events)
        .containsExactly(
            "g1|remediation|remediation flush-cache succeeded: HTTP 200: {\"status\":\"ok\"}");
  }

  @Test
  void unknownActionsAreRecordedAndCommandsOffTheAllowListAreRefusedAtLoad() {
    Remediations r = remediations();
    assertThat(r.trigger("nope", "fp1", "g1")).isFalse();
    r.close();
    assertThat(events)
        .containsExactly("g1|remediation|remediation nope is not configured; skipped");
    assertThatThrownBy(
            () ->
                DeliveryConfig.parse(
                    """
                    remediation:
                      allowed_commands: [/bin/echo]
                      actions:
                        - name: evil
                          command: [/bin/sh, -c, 'reboot']
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("remediation.actions[0].command")
        .hasMessageContaining("/bin/sh is not in remediation.allowed_commands");
  }
}
