package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each channel sends, as pure functions of a notification (plus the links it carries), so the
 * formats are unit-tested without a network.
 */
final class Payloads {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Alertmanager writes this for "not resolved yet"; receivers parse it as a zero time. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  static final int SLACK_HEADER_MAX = 150;
  static final int SMS_MAX = 1600;

  /** Links a notification carries: where to look, and signed acknowledge link (or null). */
  record Links(String view, String acknowledge) {}

  private Payloads() {}

  /** Alertmanager's webhook payload, version 4; {@code maxAlerts} 0 means all. */
  static ObjectNode webhook(Notification n, int maxAlerts) {
    ObjectNode root = JSON.createObjectNode();
    List<Alert> alerts = n.alerts();
    int truncated = n.truncatedAlerts();
    if (maxAlerts > 0 && alerts.size() > maxAlerts) {
      truncated += alerts.size() - maxAlerts;
      alerts = alerts.subList(0, maxAlerts);
    }
    root.put("version", "4");
    root.put("groupKey", n.groupKey());
    root.put("truncatedAlerts", truncated);
    root.put("status", n.status());
    root.put("receiver", n.receiver());
    root.set("groupLabels", map(n.groupLabels()));
    root.set("commonLabels", map(n.commonLabels()));
    root.set("commonAnnotations", map(n.commonAnnotations()));
    root.put("externalURL", n.externalUrl() == null ? "" : n.externalUrl());
    ArrayNode list = root.putArray("alerts");
    for (Alert a : alerts) {
      ObjectNode o = list.addObject();
      o.put("status", a.status());
      o.set("labels", map(a.labels()));
      o.set("annotations", map(a.annotations()));
      o.put("startsAt", time(a.startsAt()));
      o.put("endsAt", a.endsAt() == null ? ZERO_TIME : time(a.endsAt()));
      o.put("generatorURL", a.generatorUrl() == null ? "" : a.generatorUrl());
      o.put("fingerprint", a.fingerprint());
    }
    return root;
  }

  /** {@code [FIRING:2] HighErrorRate (api critical)}: Alertmanager's default title. */
  static String title(Notification n) {
    long firing = n.alerts().stream().filter(a -> Alert.FIRING.equals(a.status())).count();
    StringBuilder sb = new StringBuilder("[").append(n.status().toUpperCase(java.util.Locale.ROOT));
    if (Alert.FIRING.equals(n.status())) {
      sb.append(':').append(firing);
    }
    sb.append("] ");
    String name = n.commonLabels().getOrDefault("alertname", n.groupLabels().get("alertname"));
    if (name == null && !n.alerts().isEmpty()) {
      name = n.alerts().getFirst().labels().getOrDefault("alertname", "alert");
    }
    sb.append(name == null ? "alert" : name);
    List<String> rest = new ArrayList<>();
    new TreeMap<>(n.groupLabels())
        .forEach(
            (k, v) -> {
              if (!k.equals("alertname")) {
                rest.add(v);
              }
            });
    if (!rest.isEmpty()) {
      sb.append(" (").append(String.join(" ", rest)).append(')');
    }
    return sb.toString();
  }

  static String severity(Notification n) {
    String s = n.commonLabels().get("severity");
    if (s == null) {
      s = n.alerts().stream().map(Alert::severity).filter(x -> !x.isEmpty()).findFirst().orElse("");
    }
    return s.isEmpty() ? "none" : s;
  }

  /** The alert's value, from the {@code value} annotation the rule side's templates fill. */
  static String value(Notification n) {
    String v = n.commonAnnotations().get("value");
    if (v == null && !n.alerts().isEmpty()) {
      v = n.alerts().getFirst().annotations().get("value");
    }
    return v == null ? "n/a" : v;
  }

  static String summary(Notification n) {
    String s = n.commonAnnotations().get("summary");
    if (s == null && !n.alerts().isEmpty()) {
      s = n.alerts().getFirst().annotations().get("summary");
    }
    if (s == null) {
      s = n.commonAnnotations().getOrDefault("description", "");
    }
    return s;
  }

  static Instant since(Notification n) {
    return n.alerts().stream().map(Alert::startsAt).min(Instant::compareTo).orElse(Instant.EPOCH);
  }

  /** Slack incoming webhook, Block Kit: header, fields, summary, View/Acknowledge buttons. */
  static ObjectNode slack(Notification n, String channel, Links links) {
    ObjectNode root = JSON.createObjectNode();
    String title = title(n);
    root.put("text", title);
    if (channel != null && !channel.isEmpty()) {
      root.put("channel", channel);
    }
    ArrayNode blocks = root.putArray("blocks");
    ObjectNode header = blocks.addObject().put("type", "header");
    header
        .putObject("text")
        .put("type", "plain_text")
        .put("text", cut(title, SLACK_HEADER_MAX))
        .put("emoji", true);
    ObjectNode fields = blocks.addObject().put("type", "section");
    ArrayNode f = fields.putArray("fields");
    f.addObject().put("type", "mrkdwn").put("text", "*Severity*\n" + severity(n));
    f.addObject().put("type", "mrkdwn").put("text", "*Value*\n" + value(n));
    Instant since = since(n);
    f.addObject()
        .put("type", "mrkdwn")
        .put(
            "text",
            "*Since*\n<!date^"
                + since.getEpochSecond()
                + "^{date_short_pretty} {time_secs}|"
                + time(since)
                + ">");
    f.addObject().put("type", "mrkdwn").put("text", "*Alerts*\n" + n.alerts().size());
    String summary = summary(n);
    if (!summary.isEmpty()) {
      blocks
          .addObject()
          .put("type", "section")
          .putObject("text")
          .put("type", "mrkdwn")
          .put("text", cut(summary, 3000));
    }
    ArrayNode buttons = blocks.addObject().put("type", "actions").putArray("elements");
    if (links.view() != null) {
      ObjectNode view = buttons.addObject().put("type", "button").put("action_id", "view");
      view.putObject("text").put("type", "plain_text").put("text", "View");
      view.put("url", links.view());
    }
    if (links.acknowledge() != null) {
      ObjectNode ack = buttons.addObject().put("type", "button").put("action_id", "acknowledge");
      ack.putObject("text").put("type", "plain_text").put("text", "Acknowledge");
      ack.put("url", links.acknowledge()).put("style", "danger");
    }
    if (buttons.isEmpty()) {
      blocks.remove(blocks.size() - 1);
    }
    return root;
  }

  /** One SMS: short, the essentials first, cut to {@value #SMS_MAX} characters. */
  static String sms(Notification n, Links links) {
    StringBuilder sb = new StringBuilder(title(n));
    sb.append(" sev=").append(severity(n)).append(" value=").append(value(n));
    String summary = summary(n);
    if (!summary.isEmpty()) {
      sb.append(" - ").append(summary);
    }
    if (links.acknowledge() != null) {
      sb.append(" Ack: ").append(links.acknowledge());
    }
    return cut(sb.toString(), SMS_MAX);
  }

  /** PagerDuty Events API v2 event; {@code action} is trigger, acknowledge or resolve. */
  static ObjectNode pagerDuty(
      Notification n, ChannelConfig.PagerDuty cfg, String action, Links links) {
    ObjectNode root = JSON.createObjectNode();
    root.put("routing_key", cfg.routingKey());
    root.put("event_action", action);
    root.put("dedup_key", dedupKey(n.groupKey()));
    if (action.equals("trigger")) {
      ObjectNode payload = root.putObject("payload");
      payload.put("summary", cut(title(n) + (summary(n).isEmpty() ? "" : " " + summary(n)), 1024));
      payload.put("source", n.commonLabels().getOrDefault("instance", "yumzoom-ops"));
      payload.put(
          "severity", pagerDutySeverity(cfg.severity().isEmpty() ? severity(n) : cfg.severity()));
      payload.put("timestamp", time(since(n)));
      String group = n.commonLabels().get("job");
      if (group != null) {
        payload.put("group", group);
      }
      ObjectNode details = payload.putObject("custom_details");
      details.put(
          "firing", n.alerts().stream().filter(a -> Alert.FIRING.equals(a.status())).count());
      details.put(
          "resolved", n.alerts().stream().filter(a -> Alert.RESOLVED.equals(a.status())).count());
      details.put("value", value(n));
      details.set("commonLabels", map(n.commonLabels()));
      details.set("commonAnnotations", map(n.commonAnnotations()));
      ArrayNode fps = details.putArray("fingerprints");
      n.alerts().forEach(a -> fps.add(a.fingerprint()));
      root.put("client", "YumZoom Ops");
      if (links.view() != null) {
        root.put("client_url", links.view());
      }
      ArrayNode l = root.putArray("links");
      if (links.view() != null) {
        l.addObject().put("href", links.view()).put("text", "View in YumZoom Ops");
      }
      if (links.acknowledge() != null) {
        l.addObject().put("href", links.acknowledge()).put("text", "Acknowledge");
      }
    }
    return root;
  }

  /** The group key, or its SHA-256 when it is longer than PagerDuty's 255-character limit. */
  static String dedupKey(String groupKey) {
    if (groupKey.length() <= 255) {
      return groupKey;
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(groupKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pagerDutySeverity(String s) {
    return switch (s) {
      case "critical", "error", "warning", "info" -> s;
      case "page" -> "critical";
      default -> "error";
    };
  }

  static String emailText(Notification n, Links links) {
    StringBuilder sb = new StringBuilder();
    sb.append(title(n)).append("\n\n");
    sb.append("Severity: ").append(severity(n)).append('\n');
    sb.append("Value: ").append(value(n)).append('\n');
    sb.append("Since: ").append(time(since(n))).append('\n');
    String summary = summary(n);
    if (!summary.isEmpty()) {
      sb.append('\n').append(summary).append('\n');
    }
    sb.append('\n');
    for (Alert a : n.alerts()) {
      sb.append("- [").append(a.status()).append("] ");
      sb.append(new TreeMap<>(a.labels())).append('\n');
      a.annotations()
          .forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v).append('\n'));
    }
    if (links.view() != null) {
      sb.append("\nView: ").append(links.view()).append('\n');
    }
    if (links.acknowledge() != null) {
      sb.append("Acknowledge: ").append(links.acknowledge()).append('\n');
    }
    return sb.toString();
  }

  static String emailHtml(Notification n, Links links) {
    StringBuilder sb =
        new StringBuilder("<!doctype html><html><body style=\"font-family:sans-serif\">");
    sb.append("<h2>").append(html(title(n))).append("</h2>");
    sb.append("<table><tr><th align=left>Severity</th><td>").append(html(severity(n)));
    sb.append("</td></tr><tr><th align=left>Value</th><td>").append(html(value(n)));
    sb.append("</td></tr><tr><th align=left>Since</th><td>").append(time(since(n)));
    sb.append("</td></tr></table>");
    String summary = summary(n);
    if (!summary.isEmpty()) {
      sb.append("<p>").append(html(summary)).append("</p>");
    }
    sb.append("<ul>");
    for (Alert a : n.alerts()) {
      sb.append("<li><b>").append(html(a.status())).append("</b> ");
      sb.append(html(new TreeMap<>(a.labels()).toString()));
      if (a.annotations().containsKey("description")) {
        sb.append("<br>").append(html(a.annotations().get("description")));
      }
      sb.append("</li>");
    }
    sb.append("</ul><p>");
    if (links.view() != null) {
      sb.append("<a href=\"").append(html(links.view())).append("\">View</a> ");
    }
    if (links.acknowledge() != null) {
      sb.append("<a href=\"").append(html(links.acknowledge())).append("\">Acknowledge</a>");
    }
    sb.append("</p></body></html>");
    return sb.toString();
  }

  static String html(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  static String time(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static ObjectNode map(Map<String, String> m) {
    ObjectNode o = JSON.createObjectNode();
    new TreeMap<>(m).forEach(o::put);
    return o;
  }

  static Notification fromJson(String json) {
    try {
      com.fasterxml.jackson.databind.JsonNode r = JSON.readTree(json);
      List<Alert> alerts = new ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode a : r.path("alerts")) {
        String ends = a.path("endsAt").asText(ZERO_TIME);
        alerts.add(
            new Alert(
                a.path("status").asText(),
                strings(a.path("labels")),
                strings(a.path("annotations")),
                Instant.parse(a.path("startsAt").asText()),
                ends.equals(ZERO_TIME) ? null : Instant.parse(ends),
                a.path("generatorURL").asText(""),
                a.path("fingerprint").asText()));
      }
      return new Notification(
          r.path("receiver").asText(),
          r.path("status").asText(),
          strings(r.path("groupLabels")),
          strings(r.path("commonLabels")),
          strings(r.path("commonAnnotations")),
          r.path("externalURL").asText(""),
          r.path("groupKey").asText(),
          alerts,
          r.path("truncatedAlerts").asInt(0));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("stored notification is not JSON: " + e.getMessage(), e);
    }
  }

  static Map<String, String> strings(com.fasterxml.jackson.databind.JsonNode node) {
    Map<String, String> m = new TreeMap<>();
    node.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }
}
