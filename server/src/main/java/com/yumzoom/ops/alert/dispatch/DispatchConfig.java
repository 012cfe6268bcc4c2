package com.yumzoom.ops.alert.dispatch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.yumzoom.ops.query.promql.LabelMatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The parts of an Alertmanager configuration file the dispatcher uses: {@code route}, {@code
 * inhibit_rules}, the names in {@code receivers} and {@code global.resolve_timeout}. Other
 * top-level sections (receiver settings, templates, time intervals) belong to the delivery side or
 * are not supported and are ignored here; unknown fields inside a route are refused.
 *
 * @param receivers names listed under {@code receivers}
 * @param resolveTimeout how long an alert without an end time stays firing without refresh
 */
public record DispatchConfig(
    Route root, List<InhibitRule> inhibitRules, List<String> receivers, Duration resolveTimeout) {

  /** Receiver of the default route when there is no configuration file. */
  public static final String DEFAULT_RECEIVER = "default";

  static final Duration AM_GROUP_WAIT = Duration.ofSeconds(30);
  static final Duration AM_GROUP_INTERVAL = Duration.ofMinutes(5);
  static final Duration AM_REPEAT_INTERVAL = Duration.ofHours(4);
  static final int MAX_ROUTES = 10_000;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> ROUTE_FIELDS =
      Set.of(
          "receiver",
          "group_by",
          "group_wait",
          "group_interval",
          "repeat_interval",
          "continue",
          "matchers",
          "match",
          "match_re",
          "routes",
          "send_resolved");

  public DispatchConfig {
    inhibitRules = List.copyOf(inhibitRules);
    receivers = List.copyOf(receivers);
  }

  /**
   * Without a file: everything to {@code default}, grouped by alert name, first notification after
   * 10 s (so a burst of related alerts arrives as one), updates at most every minute, reminders
   * every 4 hours.
   */
  public static DispatchConfig defaults() {
    Route root =
        new Route(
            "{}",
            List.of(),
            DEFAULT_RECEIVER,
            Set.of("alertname"),
            Duration.ofSeconds(10),
            Duration.ofMinutes(1),
            Duration.ofHours(4),
            false,
            true,
            List.of());
    return new DispatchConfig(root, List.of(), List.of(DEFAULT_RECEIVER), Duration.ofMinutes(5));
  }

  /** Reads {@code file}, or the defaults when it is null. */
  public static DispatchConfig load(Path file, Predicate<String> receiverExists) {
    if (file == null) {
      return defaults();
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DispatchConfigException(file.toString(), "cannot read: " + e.getMessage());
    }
    try {
      return parse(bytes, receiverExists);
    } catch (DispatchConfigException e) {
      throw new DispatchConfigException(file.toString(), e.getMessage());
    }
  }

  /**
   * Parses and validates a configuration.
   *
   * @throws DispatchConfigException naming the field
   */
  public static DispatchConfig parse(byte[] yaml, Predicate<String> receiverExists) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().get();
      throw new DispatchConfigException("(file)", "not valid YAML: " + m);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return defaults();
    }
    if (!root.isObject()) {
      throw new DispatchConfigException("(file)", "must be a mapping");
    }
    List<String> receivers = new ArrayList<>();
    JsonNode rs = root.path("receivers");
    if (!rs.isMissingNode() && !rs.isNull()) {
      if (!rs.isArray()) {
        throw new DispatchConfigException("receivers", "must be a list");
      }
      for (int i = 0; i < rs.size(); i++) {
        String name = rs.get(i).path("name").asText("");
        if (name.isEmpty()) {
          throw new DispatchConfigException("receivers[" + i + "].name", "is required");
        }
        if (receivers.contains(name)) {
          throw new DispatchConfigException(
              "receivers[" + i + "].name", "receiver \"" + name + "\" is defined twice");
        }
        receivers.add(name);
      }
    }
    Duration resolveTimeout = Duration.ofMinutes(5);
    JsonNode global = root.path("global");
    if (global.has("resolve_timeout")) {
      resolveTimeout = duration("global.resolve_timeout", global.get("resolve_timeout").asText());
    }
    JsonNode routeNode = root.path("route");
    if (routeNode.isMissingNode() || routeNode.isNull()) {
      throw new DispatchConfigException("route", "is required (the root route)");
    }
    Defaults inherited =
        new Defaults(null, Set.of(), AM_GROUP_WAIT, AM_GROUP_INTERVAL, AM_REPEAT_INTERVAL, true);
    int[] count = {0};
    Route rootRoute = route(routeNode, "route", null, inherited, 0, count);
    if (rootRoute.receiver() == null) {
      throw new DispatchConfigException("route.receiver", "the root route must name a receiver");
    }
    if (!rootRoute.matchers().isEmpty()) {
      throw new DispatchConfigException("route", "the root route must not have any matchers");
    }
    List<String> used = new ArrayList<>();
    rootRoute.receivers(used);
    for (String r : new LinkedHashSet<>(used)) {
      if (!receivers.isEmpty() && !receivers.contains(r)) {
        throw new DispatchConfigException(
            "route",
            "undefined receiver \"" + r + "\" used in route (receivers: " + receivers + ")");
      }
      if (!receiverExists.test(r)) {
        throw new DispatchConfigException("route", "receiver \"" + r + "\" does not exist");
      }
    }
    List<InhibitRule> inhibit = new ArrayList<>();
    JsonNode ir = root.path("inhibit_rules");
    if (!ir.isMissingNode() && !ir.isNull()) {
      if (!ir.isArray()) {
        throw new DispatchConfigException("inhibit_rules", "must be a list");
      }
      for (int i = 0; i < ir.size(); i++) {
        String p = "inhibit_rules[" + i + "]";
        JsonNode n = ir.get(i);
        List<LabelMatcher> source =
            matchers(n, p, "source_matchers", "source_match", "source_match_re");
        List<LabelMatcher> target =
            matchers(n, p, "target_matchers", "target_match", "target_match_re");
        List<String> equal = new ArrayList<>();
        JsonNode eq = n.path("equal");
        if (eq.isArray()) {
          eq.forEach(e -> equal.add(e.asText()));
        } else if (!eq.isMissingNode() && !eq.isNull()) {
          throw new DispatchConfigException(p + ".equal", "must be a list of label names");
        }
        inhibit.add(new InhibitRule(source, target, equal));
      }
    }
    if (receivers.isEmpty()) {
      receivers.addAll(new LinkedHashSet<>(used));
    }
    return new DispatchConfig(rootRoute, inhibit, receivers, resolveTimeout);
  }

  private record Defaults(
      String receiver,
      Set<String> groupBy,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval,
      boolean sendResolved) {}

  private static Route route(
      JsonNode n, String p, String parentKey, Defaults d, int index, int[] count) {
    if (!n.isObject()) {
      throw new DispatchConfigException(p, "must be a mapping");
    }
    if (++count[0] > MAX_ROUTES) {
      throw new DispatchConfigException(p, "too many routes (limit " + MAX_ROUTES + ")");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ROUTE_FIELDS.contains(f)) {
        throw new DispatchConfigException(
            p + "." + f,
            "unknown or unsupported field (known: " + new TreeSet<>(ROUTE_FIELDS) + ")");
      }
    }
    String receiver = n.has("receiver") ? n.get("receiver").asText() : d.receiver();
    Set<String> groupBy = d.groupBy();
    if (n.has("group_by")) {
      JsonNode gb = n.get("group_by");
      if (!gb.isArray()) {
        throw new DispatchConfigException(p + ".group_by", "must be a list of label names");
      }
      Set<String> names = new LinkedHashSet<>();
      boolean all = false;
      for (int i = 0; i < gb.size(); i++) {
        String name = gb.get(i).asText();
        if (name.equals("...")) {
          all = true;
        } else if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
          throw new DispatchConfigException(
              p + ".group_by[" + i + "]", "invalid label name \"" + name + "\"");
        } else {
          names.add(name);
        }
      }
      if (all && !names.isEmpty()) {
        throw new DispatchConfigException(
            p + ".group_by",
            "cannot have wildcard group_by (`...`) and other labels at the same time");
      }
      groupBy = all ? null : Set.copyOf(names);
    }
    Duration groupWait = optDuration(n, p, "group_wait", d.groupWait());
    Duration groupInterval = optDuration(n, p, "group_interval", d.groupInterval());
    Duration repeatInterval = optDuration(n, p, "repeat_interval", d.repeatInterval());
    if (groupInterval.isZero()) {
      throw new DispatchConfigException(p + ".group_interval", "cannot be zero");
    }
    if (repeatInterval.isZero()) {
      throw new DispatchConfigException(p + ".repeat_interval", "cannot be zero");
    }
    boolean sendResolved = d.sendResolved();
    if (n.has("send_resolved")) {
      if (!n.get("send_resolved").isBoolean()) {
        throw new DispatchConfigException(p + ".send_resolved", "must be true or false");
      }
      sendResolved = n.get("send_resolved").booleanValue();
    }
    boolean cont = false;
    if (n.has("continue")) {
      if (!n.get("continue").isBoolean()) {
        throw new DispatchConfigException(p + ".continue", "must be true or false");
      }
      cont = n.get("continue").booleanValue();
    }
    List<LabelMatcher> matchers = matchers(n, p, "matchers", "match", "match_re");
    String key =
        parentKey == null
            ? Matchers.format(matchers)
            : parentKey + "/" + Matchers.format(matchers) + "/" + index;
    Defaults mine =
        new Defaults(receiver, groupBy, groupWait, groupInterval, repeatInterval, sendResolved);
    List<Route> children = new ArrayList<>();
    JsonNode routes = n.path("routes");
    if (!routes.isMissingNode() && !routes.isNull()) {
      if (!routes.isArray()) {
        throw new DispatchConfigException(p + ".routes", "must be a list");
      }
      for (int i = 0; i < routes.size(); i++) {
        children.add(route(routes.get(i), p + ".routes[" + i + "]", key, mine, i, count));
      }
    }
    if (receiver == null || receiver.isEmpty()) {
      if (parentKey == null) {
        throw new DispatchConfigException(p + ".receiver", "the root route must name a receiver");
      }
    }
    return new Route(
        key,
        matchers,
        receiver,
        groupBy,
        groupWait,
        groupInterval,
        repeatInterval,
        cont,
        sendResolved,
        children);
  }

  private static List<LabelMatcher> matchers(
      JsonNode n, String p, String listField, String matchField, String matchReField) {
    List<LabelMatcher> out = new ArrayList<>();
    JsonNode list = n.path(listField);
    if (!list.isMissingNode() && !list.isNull()) {
      if (!list.isArray()) {
        throw new DispatchConfigException(p + "." + listField, "must be a list of matcher strings");
      }
      for (int i = 0; i < list.size(); i++) {
        try {
          out.addAll(Matchers.parse(list.get(i).asText()));
        } catch (IllegalArgumentException e) {
          throw new DispatchConfigException(p + "." + listField + "[" + i + "]", e.getMessage());
        }
      }
    }
    for (String f : List.of(matchField, matchReField)) {
      JsonNode m = n.path(f);
      if (m.isMissingNode() || m.isNull()) {
        continue;
      }
      if (!m.isObject()) {
        throw new DispatchConfigException(
            p + "." + f, "must be a mapping of label names to values");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        try {
          out.add(
              LabelMatcher.of(
                  e.getKey(),
                  f.equals(matchField) ? LabelMatcher.Op.EQ : LabelMatcher.Op.RE,
                  e.getValue().asText()));
        } catch (IllegalArgumentException ex) {
          throw new DispatchConfigException(p + "." + f + "." + e.getKey(), ex.getMessage());
        }
      }
    }
    return out;
  }

  private static Duration optDuration(JsonNode n, String p, String field, Duration dflt) {
    return n.has(field) ? duration(p + "." + field, n.get(field).asText()) : dflt;
  }

  private static Duration duration(String field, String text) {
    try {
      return PromDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new DispatchConfigException(field, e.getMessage());
    }
  }
}
