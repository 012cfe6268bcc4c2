package com.yumzoom.ops.alert.delivery;

import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Notifications as the rule side produces them. */
final class TestAlerts {

  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private TestAlerts() {}

  static Alert alert(String status, String name, String severity, String fingerprint) {
    return new Alert(
        status,
        Map.of("alertname", name, "severity", severity, "service", "api"),
        Map.of("summary", name + " on api", "value", "0.12"),
        T0,
        status.equals(Alert.RESOLVED) ? T0.plusSeconds(300) : null,
        "http://yz.local/alerts?rule=" + name,
        fingerprint);
  }

  static Notification notification(String receiver, String status, Alert... alerts) {
    Alert first = alerts[0];
    return new Notification(
        receiver,
        status,
        Map.of("alertname", first.labels().get("alertname")),
        first.labels(),
        Map.of("summary", first.annotations().get("summary")),
        "http://yz.local",
        "{}/{severity=\""
            + first.severity()
            + "\"}:{alertname=\""
            + first.labels().get("alertname")
            + "\"}",
        List.of(alerts),
        0);
  }

  static Notification withReceiver(Notification n, String receiver) {
    return new Notification(
        receiver,
        n.status(),
        n.groupLabels(),
        n.commonLabels(),
        n.commonAnnotations(),
        n.externalUrl(),
        n.groupKey(),
        n.alerts(),
        n.truncatedAlerts());
  }

  static Notification critical(String receiver) {
    return notification(
        receiver, Alert.FIRING, alert(Alert.FIRING, "HighErrorRate", "critical", "fp1"));
  }
}
