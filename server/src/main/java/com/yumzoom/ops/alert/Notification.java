package com.yumzoom.ops.alert;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One notification for one receiver about one alert group: what the dispatcher (routing, grouping,
 * silences, inhibition) hands to delivery. Shaped like Alertmanager's webhook payload (version 4).
 *
 * @param receiver the receiver name from the routing configuration
 * @param status {@code firing} when any alert in the group fires, else {@code resolved}
 * @param groupKey identifies the group across notifications (route path + group labels)
 * @param truncatedAlerts how many alerts were left out of {@code alerts} by a size limit
 */
public record Notification(
    String receiver,
    String status,
    Map<String, String> groupLabels,
    Map<String, String> commonLabels,
    Map<String, String> commonAnnotations,
    String externalUrl,
    String groupKey,
    List<Alert> alerts,
    int truncatedAlerts) {

  public Notification {
    Objects.requireNonNull(receiver, "receiver");
    Objects.requireNonNull(status, "status");
    groupLabels = Map.copyOf(groupLabels);
    commonLabels = Map.copyOf(commonLabels);
    commonAnnotations = Map.copyOf(commonAnnotations);
    Objects.requireNonNull(groupKey, "groupKey");
    alerts = List.copyOf(alerts);
  }
}
