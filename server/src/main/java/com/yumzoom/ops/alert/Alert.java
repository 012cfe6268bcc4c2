package com.yumzoom.ops.alert;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One alert as a notification carries it: the shape of an entry of Alertmanager's webhook payload,
 * so existing receivers understand it. The rule side produces these; the delivery side sends them.
 *
 * @param status {@code firing} or {@code resolved}
 * @param labels the alert's identity (rule labels + series labels + {@code alertname}, {@code
 *     severity})
 * @param annotations expanded templates (summary, description, runbook_url, links)
 * @param startsAt when the alert started firing
 * @param endsAt when it resolved, or {@code null} while firing
 * @param generatorUrl a link back to the rule's expression in our UI
 * @param fingerprint a stable hash of {@code labels}; the deduplication key (PagerDuty dedup_key)
 */
public record Alert(
    String status,
    Map<String, String> labels,
    Map<String, String> annotations,
    Instant startsAt,
    Instant endsAt,
    String generatorUrl,
    String fingerprint) {

  public static final String FIRING = "firing";
  public static final String RESOLVED = "resolved";

  public Alert {
    Objects.requireNonNull(status, "status");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  /** The {@code severity} label ({@code critical}, {@code warning}, {@code info}), or "". */
  public String severity() {
    return labels.getOrDefault("severity", "");
  }
}
