package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escalation policies, acknowledgement and incidents driven by a manual clock: the test moves time,
 * calls the tick and the outbox by hand, and counts what the loopback receivers got.
 */
class EscalationIT {

  @TempDir Path dataDir;
  TestReceiver receiver;
  MutableClock clock = new MutableClock(TestAlerts.T0);
  AlertDelivery delivery;

  @BeforeEach
  void setUp() throws Exception {
    receiver = new TestReceiver();
    DeliveryConfig config =
        DeliveryConfig.parse(
            """
            receivers:
              - name: team
                escalation_policy: critical-oncall
                webhook_configs: [{url: '%s'}]
              - name: oncall
                webhook_configs: [{url: '%s'}]
              - name: lead
                webhook_configs: [{url: '%s'}]
            escalation_policies:
              - name: critical-oncall
                repeat: 2
                repeat_delay: 10m
                ack_timeout: 30m
                steps:
                  - delay: 0s
                    receivers: [oncall]
                  - delay: 5m
                    receivers: [lead]
            """
                .formatted(receiver.url("/team"), receiver.url("/oncall"), receiver.url("/lead")));
    delivery = TestDelivery.open(config, dataDir, clock);
  }

  @AfterEach
  void tearDown() {
    delivery.close();
    receiver.close();
  }

  /** Moves the clock, fires due steps, delivers what is due. */
  void advance(Duration d) {
    clock.advance(d);
    delivery.escalations().tick();
    delivery.outbox().deliverDue();
  }

  List<String> paths() {
    return receiver.requests.stream().map(TestReceiver.Request::path).toList();
  }

  @Test
  void aCriticalAlertWalksThePolicyStepByStepAndRepeats() {
    delivery.send(TestAlerts.critical("team"));
    delivery.outbox().deliverDue();
    assertThat(paths()).containsExactlyInAnyOrder("/team", "/oncall");

    advance(Duration.ofMinutes(5).minusSeconds(1));
    assertThat(paths()).hasSize(2);
    advance(Duration.ofSeconds(1));
    assertThat(paths()).hasSize(3).endsWith("/lead");
    advance(Duration.ofMinutes(10)); // round 2 after repeat_delay
    assertThat(paths()).hasSize(4).endsWith("/oncall");
    advance(Duration.ofMinutes(5));
    assertThat(paths()).hasSize(5).endsWith("/lead");
    advance(Duration.ofHours(2)); // repeat: 2 -> exhausted
    assertThat(paths()).hasSize(5);
    JsonNode esc = delivery.escalations().list("fp1", null).get(0);
    assertThat(esc.path("state").asText()).isEqualTo("exhausted");

    // a repeat notification of the same episode does not start the walk over
    delivery.send(TestAlerts.critical("team"));
    advance(Duration.ofHours(1));
    assertThat(paths()).hasSize(6).endsWith("/team");
    assertThat(delivery.escalations().list("fp1", null)).hasSize(1);
  }

  @Test
  void anAcknowledgementStopsTheWalkAndItsTimeoutRetriggers() {
    delivery.send(TestAlerts.critical("team"));
    delivery.outbox().deliverDue();
    clock.advance(Duration.ofMinutes(2));
    Escalations.Change c = delivery.acknowledge(List.of("fp1"), "alice");
    assertThat(c.fingerprints()).containsExactly("fp1");

    advance(Duration.ofMinutes(10));
    assertThat(paths()).containsExactlyInAnyOrder("/team", "/oncall");
    JsonNode alert = delivery.escalations().alert("fp1");
    assertThat(alert.path("acknowledged").asBoolean()).isTrue();
    assertThat(alert.path("acknowledgedBy").asText()).isEqualTo("alice");

    advance(Duration.ofMinutes(20)); // 30 minutes after the ack: still firing, so it re-triggers
    assertThat(paths()).hasSize(3).endsWith("/oncall");
    assertThat(delivery.escalations().alert("fp1").path("acknowledged").asBoolean()).isFalse();
    advance(Duration.ofMinutes(5));
    assertThat(paths()).hasSize(4).endsWith("/lead");
  }

  @Test
  void resolutionStopsTheWalkAndWarningsDoNotEscalate() {
    delivery.send(TestAlerts.critical("team"));
    delivery.send(
        TestAlerts.notification(
            "team",
            Alert.RESOLVED,
            TestAlerts.alert(Alert.RESOLVED, "HighErrorRate", "critical", "fp1")));
    delivery.send(
        TestAlerts.notification(
            "team", Alert.FIRING, TestAlerts.alert(Alert.FIRING, "Slow", "warning", "fp2")));
    delivery.outbox().deliverDue();
    advance(Duration.ofHours(1));
    // team: firing, resolved (webhooks send resolved by default), warning; oncall: step 1 only
    assertThat(paths()).containsExactlyInAnyOrder("/team", "/team", "/team", "/oncall");
    assertThat(delivery.escalations().list("fp1", null).get(0).path("state").asText())
        .isEqualTo("resolved");
    assertThat(delivery.escalations().list("fp2", null)).isEmpty();
  }

  @Test
  void aNotificationRoutedToAPolicyWalksItWithoutADeadLetter() {
    Notification n =
        TestAlerts.notification(
            "critical-oncall",
            Alert.FIRING,
            TestAlerts.alert(Alert.FIRING, "Down", "warning", "fp3"));
    assertThat(delivery.receiverExists().test("critical-oncall")).isTrue();
    assertThat(delivery.receiverExists().test("nobody")).isFalse();
    delivery.send(n);
    delivery.outbox().deliverDue();
    advance(Duration.ofMinutes(5));
    assertThat(paths()).containsExactly("/oncall", "/lead");
    assertThat(delivery.outbox().list("dead", null, 10)).isEmpty();
  }

  @Test
  void criticalAlertsOpenOneIncidentPerGroupWithATimeline() {
    delivery.send(TestAlerts.critical("team"));
    delivery.send(TestAlerts.critical("team")); // a repeat: same incident, no new alert event
    delivery.outbox().deliverDue();
    JsonNode list = delivery.incidents().list(null, 10);
    assertThat(list).hasSize(1);
    long id = list.get(0).path("id").asLong();
    assertThat(list.get(0).path("title").asText()).isEqualTo("HighErrorRate");
    assertThat(list.get(0).path("state").asText()).isEqualTo("triggered");

    clock.advance(Duration.ofMinutes(1));
    delivery.acknowledge(List.of("fp1"), "bob");
    assertThat(delivery.incidents().detail(id).path("state").asText()).isEqualTo("acknowledged");
    clock.advance(Duration.ofMinutes(1));
    delivery.send(
        TestAlerts.notification(
            "team",
            Alert.RESOLVED,
            TestAlerts.alert(Alert.RESOLVED, "HighErrorRate", "critical", "fp1")));
    delivery.outbox().deliverDue();

    JsonNode d = delivery.incidents().detail(id);
    assertThat(d.path("state").asText()).isEqualTo("resolved");
    assertThat(d.path("acknowledgedAt").asText()).isEqualTo("2026-11-22T10:01:00Z");
    assertThat(d.path("resolvedAt").asText()).isEqualTo("2026-11-22T10:02:00Z");
    List<String> kinds = d.path("timeline").findValuesAsText("kind");
    assertThat(kinds)
        .containsSubsequence(
            "opened",
            "alert_firing",
            "escalation",
            "notification_sent",
            "ack",
            "state",
            "alert_resolved",
            "state",
            "notification_sent");
    assertThat(kinds.stream().filter("alert_firing"::equals)).hasSize(1);
    String texts = d.path("timeline").findValuesAsText("text").toString();
    assertThat(texts)
        .contains("alert fp1 acknowledged by bob", "triggered -> acknowledged: by bob");

    // a new critical episode of the group opens a new incident
    clock.advance(Duration.ofMinutes(1));
    delivery.send(TestAlerts.critical("team"));
    assertThat(delivery.incidents().list("triggered", 10)).hasSize(1);
    assertThat(delivery.incidents().list(null, 10)).hasSize(2);
  }
}
