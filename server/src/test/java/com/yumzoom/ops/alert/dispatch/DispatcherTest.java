package com.yumzoom.ops.alert.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.alert.NotificationSink;
import com.yumzoom.ops.alert.rules.AlertsDatabase;
import com.yumzoom.ops.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherTest {

  /** Our own interface, so a recording fake is the real thing here. */
  static final class RecordingSink implements NotificationSink {
    final List<Notification> sent = new ArrayList<>();
    int failuresLeft;

    @Override
    public void send(Notification n) {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new IllegalStateException("outbox unavailable");
      }
      sent.add(n);
    }
  }

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final RecordingSink sink = new RecordingSink();
  private AlertsDatabase db;
  private DispatchStore store;
  private Dispatcher dispatcher;
  private Duration validity = Duration.ofHours(1);

  private static final String CONFIG =
      """
      route:
        receiver: team
        group_by: [alertname]
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 4h
        routes:
          - matchers: ['severity="critical"']
            receiver: pager
            continue: true
          - match_re: {service: "db|cache"}
            receiver: dba
            group_by: ['...']
            routes:
              - matchers: ['env!=prod']
                receiver: dev
          - matchers: ['quiet="true"']
            send_resolved: false
      receivers: [{name: team}, {name: pager}, {name: dba}, {name: dev}]
      inhibit_rules:
        - source_matchers: ['severity="critical"']
          target_matchers: ['severity="warning"']
          equal: [cluster]
      """;

  @BeforeEach
  void open() {
    db = AlertsDatabase.open(dir);
    dispatcher = newDispatcher(CONFIG, 100, 100);
  }

  private Dispatcher newDispatcher(String config, int perMinute, int burst) {
    store = new DispatchStore(db.connect(DispatchStore.SCHEMA, DispatchStore.STEPS));
    return new Dispatcher(
        DispatchConfig.parse(config.getBytes(StandardCharsets.UTF_8), r -> true),
        sink,
        store,
        clock,
        new Dispatcher.Settings(perMinute, burst, 1000, 100, Duration.ofSeconds(10), "http://ops"));
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  private DispatchAlert firing(Map<String, String> labels) {
    return alert(labels, Alert.FIRING, true);
  }

  private DispatchAlert alert(Map<String, String> labels, String status, boolean sendResolved) {
    Map<String, String> l = new TreeMap<>(labels);
    Instant now = clock.instant();
    return new DispatchAlert(
        new Alert(
            status,
            l,
            Map.of("summary", "s"),
            now,
            status.equals(Alert.RESOLVED) ? now : null,
            "http://ops/graph",
            Fingerprints.of(l)),
        now.plus(validity),
        null,
        sendResolved);
  }

  private void at(Duration sinceStart) {
    clock.set(Instant.parse("2026-11-22T10:00:00Z").plus(sinceStart));
    dispatcher.flushDue();
  }

  @Test
  void groupWaitGroupIntervalAndRepeatInterval() {
    dispatcher.put(List.of(firing(Map.of("alertname", "A", "instance", "1"))));
    at(Duration.ZERO);
    assertThat(sink.sent).isEmpty();
    at(Duration.ofSeconds(30));
    assertThat(sink.sent).hasSize(1);
    Notification n = sink.sent.getFirst();
    assertThat(n.receiver()).isEqualTo("team");
    assertThat(n.status()).isEqualTo("firing");
    assertThat(n.groupLabels()).isEqualTo(Map.of("alertname", "A"));
    assertThat(n.groupKey()).isEqualTo("{}:{alertname=\"A\"}");
    assertThat(n.commonLabels()).containsEntry("instance", "1");

    // a second alert of the group waits for group_interval, then both go out together
    clock.set(Instant.parse("2026-11-22T10:01:00Z"));
    dispatcher.put(
        List.of(
            firing(Map.of("alertname", "A", "instance", "1")),
            firing(Map.of("alertname", "A", "instance", "2"))));
    at(Duration.ofMinutes(5));
    assertThat(sink.sent).hasSize(1);
    at(Duration.ofSeconds(330));
    assertThat(sink.sent).hasSize(2);
    assertThat(sink.sent.getLast().alerts()).hasSize(2);
    assertThat(sink.sent.getLast().commonLabels()).doesNotContainKey("instance");

    // identical alerts again: deduplicated until repeat_interval
    for (int m = 10; m < 240; m += 5) {
      clock.set(Instant.parse("2026-11-22T10:00:00Z").plus(Duration.ofMinutes(m)));
      dispatcher.put(
          List.of(
              firing(Map.of("alertname", "A", "instance", "1")),
              firing(Map.of("alertname", "A", "instance", "2"))));
      dispatcher.flushDue();
    }
    assertThat(sink.sent).hasSize(2);
    clock.set(Instant.parse("2026-11-22T14:06:00Z"));
    dispatcher.put(
        List.of(
            firing(Map.of("alertname", "A", "instance", "1")),
            firing(Map.of("alertname", "A", "instance", "2"))));
    dispatcher.flushDue();
    assertThat(sink.sent).hasSize(3);
  }

  @Test
  void routingTreeWithContinueNestingAndInheritance() {
    dispatcher.put(
        List.of(
            firing(Map.of("alertname", "Crit", "severity", "critical")),
            firing(Map.of("alertname", "Db", "service", "db", "env", "prod")),
            firing(Map.of("alertname", "DbDev", "service", "db", "env", "dev")),
            firing(Map.of("alertname", "Plain")),
            firing(
                Map.of(
                    "alertname",
                    "Both",
                    "severity",
                    "critical",
                    "service",
                    "cache",
                    "env",
                    "prod"))));
    at(Duration.ofSeconds(30));
    Map<String, List<String>> byReceiver = new TreeMap<>();
    for (Notification n : sink.sent) {
      byReceiver
          .computeIfAbsent(n.receiver(), k -> new ArrayList<>())
          .add(n.alerts().getFirst().labels().get("alertname"));
    }
    assertThat(byReceiver)
        .containsEntry("pager", List.of("Crit", "Both"))
        .containsEntry("team", List.of("Plain"))
        .containsEntry("dba", List.of("Db", "Both"))
        .containsEntry("dev", List.of("DbDev"));
    // group_by '...' on the dba route: every label is a group label
    Notification db =
        sink.sent.stream().filter(n -> n.receiver().equals("dba")).findFirst().orElseThrow();
    assertThat(db.groupLabels()).containsEntry("env", "prod").containsEntry("service", "db");
  }

  @Test
  void resolvedNotificationsFollowRouteAndRule() {
    Map<String, String> a = Map.of("alertname", "A");
    Map<String, String> quiet = Map.of("alertname", "Q", "quiet", "true");
    Map<String, String> ruleSaysNo = Map.of("alertname", "N");
    dispatcher.put(List.of(firing(a), firing(quiet), alert(ruleSaysNo, Alert.FIRING, false)));
    at(Duration.ofSeconds(30));
    assertThat(sink.sent).hasSize(3);
    clock.set(Instant.parse("2026-11-22T10:02:00Z"));
    dispatcher.put(
        List.of(
            alert(a, Alert.RESOLVED, true),
            alert(quiet, Alert.RESOLVED, true),
            alert(ruleSaysNo, Alert.RESOLVED, false)));
    at(Duration.ofSeconds(330));
    assertThat(sink.sent).hasSize(4);
    Notification resolved = sink.sent.getLast();
    assertThat(resolved.status()).isEqualTo("resolved");
    assertThat(resolved.alerts().getFirst().labels()).containsEntry("alertname", "A");
    assertThat(resolved.alerts().getFirst().endsAt()).isNotNull();
    assertThat(dispatcher.status().get("groups")).isEqualTo(0);
  }

  @Test
  void anAlertNotRefreshedResolvesByItself() {
    validity = Duration.ofMinutes(4);
    dispatcher.put(List.of(firing(Map.of("alertname", "A"))));
    at(Duration.ofSeconds(30));
    // validUntil was start + 4m; no refresh arrives
    at(Duration.ofSeconds(330));
    assertThat(sink.sent).hasSize(2);
    assertThat(sink.sent.getLast().status()).isEqualTo("resolved");
    assertThat(sink.sent.getLast().alerts().getFirst().endsAt())
        .isEqualTo(Instant.parse("2026-11-22T10:04:00Z"));
  }

  @Test
  void silencesMuteUntilTheyExpire() {
    String id =
        dispatcher.putSilence(
            null,
            List.of(
                new Silence.Matcher("alertname", "A|B", true, true),
                new Silence.Matcher("env", "prod", false, false)),
            clock.instant(),
            clock.instant().plus(Duration.ofHours(1)),
            "alice",
            "maintenance");
    dispatcher.put(
        List.of(
            firing(Map.of("alertname", "A", "env", "dev")),
            firing(Map.of("alertname", "B", "env", "prod")),
            firing(Map.of("alertname", "C", "env", "dev"))));
    at(Duration.ofSeconds(30));
    assertThat(sink.sent)
        .extracting(n -> n.alerts().getFirst().labels().get("alertname"))
        .containsExactlyInAnyOrder("B", "C");
    assertThat(dispatcher.silence(id).state(clock.instant())).isEqualTo("active");
    assertThat(dispatcher.expireSilence(id)).isTrue();
    dispatcher.put(List.of(firing(Map.of("alertname", "A", "env", "dev"))));
    at(Duration.ofSeconds(330));
    assertThat(sink.sent.getLast().alerts().getFirst().labels()).containsEntry("alertname", "A");
    assertThat(dispatcher.silence(id).state(clock.instant())).isEqualTo("expired");
  }

  @Test
  void inhibitionMutesTargetsWithEqualLabels() {
    dispatcher.put(
        List.of(
            firing(Map.of("alertname", "ClusterDown", "severity", "critical", "cluster", "eu")),
            firing(Map.of("alertname", "Slow", "severity", "warning", "cluster", "eu")),
            firing(Map.of("alertname", "Slow2", "severity", "warning", "cluster", "us"))));
    at(Duration.ofSeconds(30));
    assertThat(sink.sent)
        .extracting(n -> n.alerts().getFirst().labels().get("alertname"))
        .contains("ClusterDown", "Slow2")
        .doesNotContain("Slow");
    List<Dispatcher.AlertView> views = dispatcher.alertViews();
    Dispatcher.AlertView slow =
        views.stream()
            .filter(v -> v.alert().labels().get("alertname").equals("Slow"))
            .findFirst()
            .orElseThrow();
    assertThat(slow.inhibitedBy()).hasSize(1);
  }

  @Test
  void aFailingSinkKeepsTheGroupDue() {
    sink.failuresLeft = 2;
    dispatcher.put(List.of(firing(Map.of("alertname", "A"))));
    at(Duration.ofSeconds(30));
    at(Duration.ofSeconds(40));
    assertThat(sink.sent).isEmpty();
    at(Duration.ofSeconds(50));
    assertThat(sink.sent).hasSize(1);
  }

  @Test
  void rateLimitDefersAndCounts() {
    store.close();
    dispatcher = newDispatcher(CONFIG, 1, 1);
    dispatcher.put(List.of(firing(Map.of("alertname", "A")), firing(Map.of("alertname", "B"))));
    at(Duration.ofSeconds(30));
    assertThat(sink.sent).hasSize(1);
    at(Duration.ofSeconds(40));
    assertThat(sink.sent).hasSize(1);
    at(Duration.ofSeconds(90));
    assertThat(sink.sent).hasSize(2);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> receivers =
        (Map<String, Map<String, Object>>) dispatcher.status().get("receivers");
    assertThat(receivers.get("team").get("rateLimited")).isEqualTo(2L);
  }

  @Test
  void aRestartDoesNotNotifyAgain() {
    dispatcher.put(List.of(firing(Map.of("alertname", "A"))));
    at(Duration.ofSeconds(30));
    assertThat(sink.sent).hasSize(1);
    store.close();
    dispatcher = newDispatcher(CONFIG, 100, 100);
    clock.set(Instant.parse("2026-11-22T10:10:00Z"));
    dispatcher.put(List.of(firing(Map.of("alertname", "A"))));
    at(Duration.ofMinutes(10));
    at(Duration.ofMinutes(11));
    assertThat(sink.sent).hasSize(1);
    // a new alert in the same group is news
    dispatcher.put(
        List.of(firing(Map.of("alertname", "A")), firing(Map.of("alertname", "A", "x", "y"))));
    at(Duration.ofMinutes(17));
    assertThat(sink.sent).hasSize(2);
  }

  @Test
  void defaultsWithoutAFile() {
    DispatchConfig d = DispatchConfig.defaults();
    assertThat(d.root().receiver()).isEqualTo("default");
    assertThat(d.root().groupWait()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void configErrorsNameTheField() {
    assertThatThrownBy(() -> parse("route: {receiver: x, group_wait: 3q}"))
        .hasMessageStartingWith("route.group_wait: not a valid duration");
    assertThatThrownBy(
            () ->
                parse(
                    "route: {receiver: x, routes: [{matchers: ['a=~\"(\"']}]}\nreceivers: [{name: x}]"))
        .hasMessageStartingWith("route.routes[0].matchers[0]: invalid regular expression");
    assertThatThrownBy(() -> parse("route: {receiver: nobody}\nreceivers: [{name: x}]"))
        .hasMessageContaining("undefined receiver \"nobody\"");
    assertThatThrownBy(() -> parse("route: {receiver: x, mute_time_intervals: [a]}"))
        .hasMessageStartingWith("route.mute_time_intervals: unknown or unsupported field");
    assertThatThrownBy(() -> parse("route: {receiver: x, group_by: ['...', a]}"))
        .hasMessageContaining("cannot have wildcard group_by");
  }

  private static DispatchConfig parse(String yaml) {
    return DispatchConfig.parse(yaml.getBytes(StandardCharsets.UTF_8), r -> true);
  }

  @Test
  void matcherSyntax() {
    assertThat(Matchers.parse("{a=\"b\", c=~\"d.*\"}")).hasSize(2);
    assertThat(Matchers.parse("env!=prod").getFirst().matches("dev")).isTrue();
    assertThat(Matchers.parse("env!~\"pr.*\"").getFirst().matches("prod")).isFalse();
    assertThat(Matchers.parse("a=\"x\\\"y\"").getFirst().value()).isEqualTo("x\"y");
  }
}
