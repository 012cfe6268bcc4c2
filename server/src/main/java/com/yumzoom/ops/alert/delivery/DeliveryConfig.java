package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.yumzoom.ops.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delivery side of the alerting file (Alertmanager's format): {@code global:} defaults, {@code
 * receivers:}, and our {@code escalation_policies:} and {@code remediation:} sections. The rule
 * side reads {@code route:} and {@code inhibit_rules:} from the same file; those are ignored here.
 *
 * <p>Every problem is reported as a {@link ConfigException} naming the path in the file ({@code
 * receivers[2].webhook_configs[0].url}), so a bad file fails the start instead of a delivery.
 */
public final class DeliveryConfig {

  /** The receiver used when no alerting file is configured: it logs and records. */
  public static final String DEFAULT_RECEIVER = "default";

  static final URI DEFAULT_PAGERDUTY_URL = URI.create("https://events.pagerduty.com/v2/enqueue");
  static final URI DEFAULT_TWILIO_URL = URI.create("https://api.twilio.com");

  /** A named receiver: its channels and, optionally, the escalation policy its alerts walk. */
  record Receiver(String name, List<ChannelConfig> channels, String escalationPolicy) {
    Receiver {
      channels = List.copyOf(channels);
    }
  }

  /** One step of an escalation policy: after {@code delay}, notify {@code receivers}. */
  record Step(Duration delay, List<String> receivers) {
    Step {
      receivers = List.copyOf(receivers);
    }
  }

  /**
   * Ordered steps walked until the alert is acknowledged or resolved.
   *
   * @param repeat how many times the whole step list runs (1: once)
   * @param repeatDelay the wait after the last step before the next round starts at step 0
   * @param ackTimeout after an acknowledgement, the walk restarts if the alert still fires this
   *     long after it (zero: never)
   */
  record EscalationPolicy(
      String name, List<Step> steps, int repeat, Duration repeatDelay, Duration ackTimeout) {
    EscalationPolicy {
      steps = List.copyOf(steps);
    }
  }

  /**
   * A remediation action an alert names with {@code remediation=<name>}: an HTTP call or a command
   * (argv, no shell) whose program is on the allow-list.
   */
  record RemediationAction(
      String name,
      List<String> command,
      URI httpUrl,
      String httpMethod,
      String httpBody,
      Map<String, String> httpHeaders,
      Duration timeout,
      Duration cooldown) {
    RemediationAction {
      command = command == null ? List.of() : List.copyOf(command);
      httpHeaders = Map.copyOf(httpHeaders);
    }

    boolean isHttp() {
      return httpUrl != null;
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DeliveryConfig.class);
  private static final Set<String> SUPPORTED =
      Set.of(
          "email_configs", "slack_configs", "sms_configs", "webhook_configs", "pagerduty_configs");
  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

  private final Map<String, Receiver> receivers;
  private final Map<String, EscalationPolicy> policies;
  private final Map<String, RemediationAction> actions;

  DeliveryConfig(
      Map<String, Receiver> receivers,
      Map<String, EscalationPolicy> policies,
      Map<String, RemediationAction> actions) {
    this.receivers = Map.copyOf(receivers);
    this.policies = Map.copyOf(policies);
    this.actions = Map.copyOf(actions);
  }

  /** One receiver, {@value #DEFAULT_RECEIVER}, that only logs: what runs without a file. */
  public static DeliveryConfig defaults() {
    return new DeliveryConfig(
        Map.of(
            DEFAULT_RECEIVER,
            new Receiver(DEFAULT_RECEIVER, List.of(new ChannelConfig.Log(true)), null)),
        Map.of(),
        Map.of());
  }

  /** Reads {@code file}, or {@link #defaults()} when {@code file} is null. */
  public static DeliveryConfig load(Path file) {
    if (file == null) {
      return defaults();
    }
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException("alerting.config-file", "cannot read " + file + ": " + e);
    }
    return parse(root);
  }

  static DeliveryConfig parse(String yaml) {
    try {
      return parse(YAML.readTree(yaml));
    } catch (IOException e) {
      throw new ConfigException("alerting.config-file", "not YAML: " + e.getMessage());
    }
  }

  static DeliveryConfig parse(JsonNode root) {
    if (root == null || root.isNull() || root.isMissingNode()) {
      return defaults();
    }
    if (!root.isObject()) {
      throw new ConfigException("alerting.config-file", "must hold a YAML mapping");
    }
    JsonNode global = root.path("global");
    Map<String, Receiver> receivers = new LinkedHashMap<>();
    JsonNode list = root.path("receivers");
    for (int i = 0; i < list.size(); i++) {
      Receiver r = receiver("receivers[" + i + "]", list.get(i), global);
      if (receivers.putIfAbsent(r.name(), r) != null) {
        throw new ConfigException("receivers[" + i + "].name", "duplicate receiver " + r.name());
      }
    }
    if (receivers.isEmpty()) {
      receivers.putAll(defaults().receivers);
    }
    Map<String, EscalationPolicy> policies = new LinkedHashMap<>();
    JsonNode pl = root.path("escalation_policies");
    for (int i = 0; i < pl.size(); i++) {
      EscalationPolicy p = policy("escalation_policies[" + i + "]", pl.get(i), receivers);
      if (receivers.containsKey(p.name()) || policies.putIfAbsent(p.name(), p) != null) {
        throw new ConfigException(
            "escalation_policies[" + i + "].name",
            "duplicate name " + p.name() + " (receivers and policies share one namespace)");
      }
    }
    for (Receiver r : receivers.values()) {
      if (r.escalationPolicy() != null && !policies.containsKey(r.escalationPolicy())) {
        throw new ConfigException(
            "receivers." + r.name() + ".escalation_policy",
            "unknown escalation policy " + r.escalationPolicy());
      }
    }
    Map<String, RemediationAction> actions = remediation(root.path("remediation"));
    return new DeliveryConfig(receivers, policies, actions);
  }

  Map<String, Receiver> receivers() {
    return receivers;
  }

  Map<String, EscalationPolicy> policies() {
    return policies;
  }

  Map<String, RemediationAction> actions() {
    return actions;
  }

  /**
   * For the rule side: whether a route may name {@code name}: a receiver or an escalation policy (a
   * notification routed to a policy walks it).
   */
  public Predicate<String> receiverExists() {
    return name -> receivers.containsKey(name) || policies.containsKey(name);
  }

  private static Receiver receiver(String path, JsonNode node, JsonNode global) {
    String name = required(path + ".name", node.path("name"));
    List<ChannelConfig> channels = new ArrayList<>();
    JsonNode emails = node.path("email_configs");
    for (int i = 0; i < emails.size(); i++) {
      channels.add(email(path + ".email_configs[" + i + "]", emails.get(i), global));
    }
    JsonNode slacks = node.path("slack_configs");
    for (int i = 0; i < slacks.size(); i++) {
      String p = path + ".slack_configs[" + i + "]";
      JsonNode c = slacks.get(i);
      channels.add(
          new ChannelConfig.Slack(
              uri(p + ".api_url", c.path("api_url"), global.path("slack_api_url")),
              c.path("channel").asText(""),
              c.path("send_resolved").asBoolean(false)));
    }
    JsonNode smses = node.path("sms_configs");
    for (int i = 0; i < smses.size(); i++) {
      String p = path + ".sms_configs[" + i + "]";
      JsonNode c = smses.get(i);
      Set<String> severities = new LinkedHashSet<>();
      c.path("severities").forEach(s -> severities.add(s.asText()));
      if (severities.isEmpty()) {
        severities.add("critical");
      }
      JsonNode to = c.path("to");
      List<String> numbers = new ArrayList<>();
      if (to.isArray()) {
        to.forEach(n -> numbers.add(n.asText()));
      } else if (!to.asText("").isBlank()) {
        numbers.add(to.asText());
      }
      if (numbers.isEmpty()) {
        throw new ConfigException(p + ".to", "at least one phone number is required");
      }
      URI base =
          c.has("base_url") ? uri(p + ".base_url", c.path("base_url"), null) : DEFAULT_TWILIO_URL;
      for (String number : numbers) {
        channels.add(
            new ChannelConfig.Sms(
                base,
                required(p + ".account_sid", c.path("account_sid")),
                required(p + ".auth_token", c.path("auth_token")),
                required(p + ".from", c.path("from")),
                number,
                severities,
                c.path("send_resolved").asBoolean(false)));
      }
    }
    JsonNode hooks = node.path("webhook_configs");
    for (int i = 0; i < hooks.size(); i++) {
      String p = path + ".webhook_configs[" + i + "]";
      JsonNode c = hooks.get(i);
      int maxAlerts = c.path("max_alerts").asInt(0);
      if (maxAlerts < 0) {
        throw new ConfigException(p + ".max_alerts", "must not be negative");
      }
      String secret = c.path("hmac_secret").asText("");
      channels.add(
          new ChannelConfig.Webhook(
              uri(p + ".url", c.path("url"), null),
              secret.isEmpty() ? null : secret,
              maxAlerts,
              c.path("send_resolved").asBoolean(true)));
    }
    JsonNode pds = node.path("pagerduty_configs");
    for (int i = 0; i < pds.size(); i++) {
      String p = path + ".pagerduty_configs[" + i + "]";
      JsonNode c = pds.get(i);
      URI url =
          c.has("url") || global.has("pagerduty_url")
              ? uri(p + ".url", c.path("url"), global.path("pagerduty_url"))
              : DEFAULT_PAGERDUTY_URL;
      String key = required(p + ".routing_key", c.path("routing_key"));
      if (key.length() != 32) {
        throw new ConfigException(p + ".routing_key", "must be 32 characters (an integration key)");
      }
      channels.add(
          new ChannelConfig.PagerDuty(
              url, key, c.path("severity").asText(""), c.path("send_resolved").asBoolean(true)));
    }
    node.fieldNames()
        .forEachRemaining(
            field -> {
              if (field.endsWith("_configs") && !SUPPORTED.contains(field)) {
                LOG.warn("{}.{}: channel kind not supported by YumZoom Ops; ignored", path, field);
              }
            });
    if (node.path("log").asBoolean(false) || channels.isEmpty()) {
      // a receiver without channels (Alertmanager's "blackhole") still leaves a record
      channels.add(new ChannelConfig.Log(true));
    }
    String policy = node.path("escalation_policy").asText("");
    return new Receiver(name, channels, policy.isEmpty() ? null : policy);
  }

  private static ChannelConfig.Email email(String p, JsonNode c, JsonNode g) {
    String smarthost = text(c.path("smarthost"), g.path("smtp_smarthost"));
    if (smarthost == null) {
      throw new ConfigException(p + ".smarthost", "is required (host:port)");
    }
    int colon = smarthost.lastIndexOf(':');
    if (colon <= 0) {
      throw new ConfigException(p + ".smarthost", "must be host:port, got " + smarthost);
    }
    int port;
    try {
      port = Integer.parseInt(smarthost.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(p + ".smarthost", "port is not a number: " + smarthost);
    }
    String to = required(p + ".to", c.path("to"));
    List<String> recipients = new ArrayList<>();
    for (String a : to.split(",")) {
      if (!a.isBlank()) {
        recipients.add(a.trim());
      }
    }
    String from = text(c.path("from"), g.path("smtp_from"));
    if (from == null) {
      throw new ConfigException(p + ".from", "is required");
    }
    JsonNode tls = c.has("require_tls") ? c.path("require_tls") : g.path("smtp_require_tls");
    return new ChannelConfig.Email(
        recipients,
        from,
        smarthost.substring(0, colon),
        port,
        text(c.path("auth_username"), g.path("smtp_auth_username")),
        text(c.path("auth_password"), g.path("smtp_auth_password")),
        tls.asBoolean(true),
        c.path("send_resolved").asBoolean(false));
  }

  private static EscalationPolicy policy(
      String path, JsonNode node, Map<String, Receiver> receivers) {
    String name = required(path + ".name", node.path("name"));
    List<Step> steps = new ArrayList<>();
    JsonNode sl = node.path("steps");
    for (int i = 0; i < sl.size(); i++) {
      String p = path + ".steps[" + i + "]";
      JsonNode s = sl.get(i);
      List<String> names = new ArrayList<>();
      s.path("receivers").forEach(r -> names.add(r.asText()));
      if (names.isEmpty()) {
        throw new ConfigException(p + ".receivers", "at least one receiver is required");
      }
      for (String r : names) {
        if (!receivers.containsKey(r)) {
          throw new ConfigException(p + ".receivers", "unknown receiver " + r);
        }
      }
      steps.add(new Step(duration(p + ".delay", s.path("delay").asText("0s")), names));
    }
    if (steps.isEmpty()) {
      throw new ConfigException(path + ".steps", "at least one step is required");
    }
    int repeat = node.path("repeat").asInt(1);
    if (repeat < 1 || repeat > 100) {
      throw new ConfigException(path + ".repeat", "must be between 1 and 100, got " + repeat);
    }
    return new EscalationPolicy(
        name,
        steps,
        repeat,
        duration(path + ".repeat_delay", node.path("repeat_delay").asText("5m")),
        duration(path + ".ack_timeout", node.path("ack_timeout").asText("0s")));
  }

  private static Map<String, RemediationAction> remediation(JsonNode node) {
    Map<String, RemediationAction> actions = new LinkedHashMap<>();
    if (node.isMissingNode() || node.isNull()) {
      return actions;
    }
    Set<String> allowed = new LinkedHashSet<>();
    node.path("allowed_commands").forEach(c -> allowed.add(c.asText()));
    JsonNode list = node.path("actions");
    for (int i = 0; i < list.size(); i++) {
      String p = "remediation.actions[" + i + "]";
      JsonNode a = list.get(i);
      String name = required(p + ".name", a.path("name"));
      Duration timeout = duration(p + ".timeout", a.path("timeout").asText("30s"));
      Duration cooldown = duration(p + ".cooldown", a.path("cooldown").asText("10m"));
      if (timeout.isZero()) {
        throw new ConfigException(p + ".timeout", "must be positive");
      }
      RemediationAction action;
      if (a.has("command")) {
        List<String> argv = new ArrayList<>();
        a.path("command").forEach(c -> argv.add(c.asText()));
        if (argv.isEmpty()) {
          throw new ConfigException(p + ".command", "must be a non-empty list (argv, no shell)");
        }
        if (!allowed.contains(argv.getFirst())) {
          throw new ConfigException(
              p + ".command", argv.getFirst() + " is not in remediation.allowed_commands");
        }
        action = new RemediationAction(name, argv, null, null, null, Map.of(), timeout, cooldown);
      } else if (a.has("http")) {
        JsonNode h = a.path("http");
        Map<String, String> headers = new LinkedHashMap<>();
        h.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        action =
            new RemediationAction(
                name,
                null,
                uri(p + ".http.url", h.path("url"), null),
                h.path("method").asText("POST").toUpperCase(java.util.Locale.ROOT),
                h.path("body").asText(""),
                headers,
                timeout,
                cooldown);
      } else {
        throw new ConfigException(p, "needs either command or http");
      }
      if (actions.putIfAbsent(name, action) != null) {
        throw new ConfigException(p + ".name", "duplicate action " + name);
      }
    }
    return actions;
  }

  private static String required(String path, JsonNode node) {
    String v = node.asText("");
    if (node.isMissingNode() || node.isNull() || v.isBlank()) {
      throw new ConfigException(path, "is required");
    }
    return v;
  }

  private static String text(JsonNode primary, JsonNode fallback) {
    if (!primary.isMissingNode() && !primary.isNull() && !primary.asText("").isEmpty()) {
      return primary.asText();
    }
    if (fallback != null && !fallback.isMissingNode() && !fallback.asText("").isEmpty()) {
      return fallback.asText();
    }
    return null;
  }

  private static URI uri(String path, JsonNode node, JsonNode fallback) {
    String v = text(node, fallback);
    if (v == null) {
      throw new ConfigException(path, "is required");
    }
    try {
      URI u = URI.create(v);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        throw new ConfigException(path, "must be an http or https URL, got " + v);
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, "not a URL: " + v);
    }
  }

  /** Prometheus/Go-style durations: {@code 0s}, {@code 90s}, {@code 1h30m}, {@code 250ms}. */
  static Duration duration(String path, String text) {
    String t = text.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = GO_DURATION.matcher(t);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < t.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new ConfigException(path, "not a duration like 30s, 5m or 1h30m: " + text);
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
              });
      at = m.end();
    }
    if (t.isEmpty()) {
      throw new ConfigException(path, "is empty");
    }
    return total;
  }
}
