package com.yumzoom.ops.alert.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.yumzoom.ops.alert.dispatch.PromDuration;
import com.yumzoom.ops.query.promql.Ast;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.PromqlException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads and validates rule groups: Prometheus rule files as they are ({@code groups: [{name,
 * interval, labels, rules: [{alert|record, expr, for, keep_firing_for, labels, annotations}]}]}),
 * plus our alerting-rule extensions {@code receiver}, {@code remediation}, {@code send_resolved}.
 *
 * <p>Everything is checked before anything is applied: the expression parses and has an instant
 * vector or scalar type, durations parse, names are unique in their group, label names are valid,
 * templates parse, the severity is one of ours and a referenced receiver exists. Unknown fields are
 * refused (as Prometheus does), so a typo is an error instead of a silently ignored setting. Every
 * message starts with the field's path ({@code groups[0].rules[2].for}).
 */
final class RuleParser {

  static final int MAX_RULES_PER_GROUP = 10_000;
  static final int MAX_GROUPS_PER_FILE = 1_000;
  static final int MAX_EXPR_LENGTH = 65_536;
  static final int MAX_NAME_LENGTH = 256;
  static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> GROUP_FIELDS =
      Set.of("name", "interval", "rules", "labels", "limit", "query_offset");
  private static final Set<String> RULE_FIELDS =
      Set.of(
          "alert",
          "record",
          "expr",
          "for",
          "keep_firing_for",
          "labels",
          "annotations",
          "receiver",
          "remediation",
          "send_resolved");

  private final Predicate<String> receiverExists;

  RuleParser(Predicate<String> receiverExists) {
    this.receiverExists = receiverExists;
  }

  /** A rule file: {@code groups: [...]}. */
  List<GroupSpec> parseFile(byte[] bytes, String source) {
    JsonNode root = read(bytes, "");
    if (root == null || root.isNull() || root.isMissingNode()) {
      return List.of();
    }
    if (!root.isObject()) {
      throw new RuleValidationException("(root)", "must be a mapping with a 'groups' list");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("groups")) {
        throw new RuleValidationException(f, "unknown field (expected 'groups')");
      }
    }
    JsonNode groups = root.path("groups");
    if (groups.isMissingNode() || groups.isNull()) {
      return List.of();
    }
    if (!groups.isArray()) {
      throw new RuleValidationException("groups", "must be a list");
    }
    if (groups.size() > MAX_GROUPS_PER_FILE) {
      throw new RuleValidationException(
          "groups", "too many groups (limit " + MAX_GROUPS_PER_FILE + ")");
    }
    List<GroupSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < groups.size(); i++) {
      String path = "groups[" + i + "]";
      GroupSpec g = group(groups.get(i), path + ".", null, source);
      if (!names.add(g.name())) {
        throw new RuleValidationException(
            path + ".name", "group name \"" + g.name() + "\" is repeated in the same file");
      }
      out.add(g);
    }
    return out;
  }

  /** One group sent to the API; {@code name} comes from the URL and may be repeated in the body. */
  GroupSpec parseGroup(byte[] bytes, String name) {
    checkName("group", name);
    JsonNode root = read(bytes, "");
    if (root == null || !root.isObject()) {
      throw new RuleValidationException("(body)", "must be a rule group mapping with 'rules'");
    }
    return group(root, "", name, GroupSpec.API_SOURCE);
  }

  /** One rule sent to the API. */
  RuleSpec parseRule(byte[] bytes, Map<String, String> groupLabels) {
    JsonNode root = read(bytes, "");
    if (root == null || !root.isObject()) {
      throw new RuleValidationException(
          "(body)", "must be a rule mapping with 'alert' or 'record'");
    }
    return rule(root, "", groupLabels);
  }

  private static JsonNode read(byte[] bytes, String path) {
    int i = 0;
    while (i < bytes.length && Character.isWhitespace(bytes[i])) {
      i++;
    }
    boolean json = i < bytes.length && (bytes[i] == '{' || bytes[i] == '[');
    try {
      return (json ? JSON : YAML).readTree(bytes);
    } catch (IOException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().get();
      throw new RuleValidationException(
          path.isEmpty() ? "(body)" : path, "not valid " + (json ? "JSON" : "YAML") + ": " + msg);
    }
  }

  private GroupSpec group(JsonNode node, String p, String expectedName, String source) {
    if (!node.isObject()) {
      throw new RuleValidationException(p.isEmpty() ? "(group)" : strip(p), "must be a mapping");
    }
    unknownFields(node, p, GROUP_FIELDS);
    String name = text(node, p, "name");
    if (expectedName != null) {
      if (name != null && !name.equals(expectedName)) {
        throw new RuleValidationException(
            p + "name",
            "\"" + name + "\" differs from the group in the URL \"" + expectedName + "\"");
      }
      name = expectedName;
    }
    if (name == null || name.isBlank()) {
      throw new RuleValidationException(p + "name", "is required");
    }
    checkName(p + "name", name);
    Duration interval = null;
    String intervalText = text(node, p, "interval");
    if (intervalText != null) {
      interval = duration(p + "interval", intervalText);
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new RuleValidationException(
            p + "interval", "must be at least 1s, got " + intervalText + " (limit 1s)");
      }
    }
    text(node, p, "query_offset");
    Map<String, String> groupLabels = map(node, p, "labels", true);
    JsonNode rules = node.path("rules");
    if (rules.isMissingNode() || rules.isNull()) {
      throw new RuleValidationException(p + "rules", "is required");
    }
    if (!rules.isArray()) {
      throw new RuleValidationException(p + "rules", "must be a list");
    }
    if (rules.size() > MAX_RULES_PER_GROUP) {
      throw new RuleValidationException(
          p + "rules", "too many rules (limit " + MAX_RULES_PER_GROUP + ")");
    }
    List<RuleSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      String rp = p + "rules[" + i + "].";
      RuleSpec r = rule(rules.get(i), rp, groupLabels);
      if (!names.add(r.name())) {
        throw new RuleValidationException(
            rp + (r.isAlerting() ? "alert" : "record"),
            "rule name \"" + r.name() + "\" is repeated in group \"" + name + "\"");
      }
      out.add(r);
    }
    return new GroupSpec(name, interval, out, source);
  }

  RuleSpec rule(JsonNode node, String p, Map<String, String> groupLabels) {
    if (!node.isObject()) {
      throw new RuleValidationException(p.isEmpty() ? "(rule)" : strip(p), "must be a mapping");
    }
    unknownFields(node, p, RULE_FIELDS);
    String alert = text(node, p, "alert");
    String record = text(node, p, "record");
    if ((alert == null) == (record == null)) {
      throw new RuleValidationException(
          p + "alert", "exactly one of 'alert' and 'record' must be set");
    }
    String expr = text(node, p, "expr");
    if (expr == null || expr.isBlank()) {
      throw new RuleValidationException(p + "expr", "is required");
    }
    if (expr.length() > MAX_EXPR_LENGTH) {
      throw new RuleValidationException(
          p + "expr",
          "longer than " + MAX_EXPR_LENGTH + " characters (limit " + MAX_EXPR_LENGTH + ")");
    }
    try {
      Ast.Type type = Ast.typeOf(PromqlEngine.parse(expr));
      if (type != Ast.Type.VECTOR && type != Ast.Type.SCALAR) {
        throw new RuleValidationException(
            p + "expr", "must be an instant vector or scalar expression, got " + type);
      }
    } catch (PromqlException e) {
      throw new RuleValidationException(p + "expr", "does not parse: " + e.getMessage());
    }
    Map<String, String> labels = new TreeMap<>(groupLabels);
    labels.putAll(map(node, p, "labels", true));
    for (Map.Entry<String, String> l : labels.entrySet()) {
      if (l.getKey().startsWith("__")) {
        throw new RuleValidationException(
            p + "labels." + l.getKey(), "names starting with __ are reserved");
      }
      template(p + "labels." + l.getKey(), l.getValue());
    }
    String severity = labels.get("severity");
    if (severity != null && !severity.contains("{{") && !SEVERITIES.contains(severity)) {
      throw new RuleValidationException(
          p + "labels.severity",
          "must be one of critical, warning, info; got \"" + severity + "\"");
    }
    if (record != null) {
      if (!METRIC_NAME.matcher(record).matches()) {
        throw new RuleValidationException(p + "record", "invalid metric name \"" + record + "\"");
      }
      for (String f : List.of("for", "keep_firing_for", "annotations", "receiver", "remediation")) {
        if (node.has(f)) {
          throw new RuleValidationException(p + f, "is only allowed for alerting rules");
        }
      }
      if (node.has("send_resolved")) {
        throw new RuleValidationException(
            p + "send_resolved", "is only allowed for alerting rules");
      }
      return new RuleSpec(
          null, record, expr, Duration.ZERO, Duration.ZERO, labels, Map.of(), null, null, false);
    }
    checkName(p + "alert", alert);
    Duration forDuration = durationOrZero(node, p, "for");
    Duration keepFiringFor = durationOrZero(node, p, "keep_firing_for");
    Map<String, String> annotations = new TreeMap<>(map(node, p, "annotations", false));
    for (Map.Entry<String, String> a : annotations.entrySet()) {
      template(p + "annotations." + a.getKey(), a.getValue());
    }
    String receiver = text(node, p, "receiver");
    if (receiver != null && !receiverExists.test(receiver)) {
      throw new RuleValidationException(
          p + "receiver", "receiver \"" + receiver + "\" does not exist");
    }
    String remediation = text(node, p, "remediation");
    if (remediation != null) {
      checkName(p + "remediation", remediation);
    }
    boolean sendResolved = true;
    JsonNode sr = node.path("send_resolved");
    if (!sr.isMissingNode() && !sr.isNull()) {
      if (!sr.isBoolean()) {
        throw new RuleValidationException(p + "send_resolved", "must be true or false");
      }
      sendResolved = sr.booleanValue();
    }
    return new RuleSpec(
        alert,
        null,
        expr,
        forDuration,
        keepFiringFor,
        labels,
        annotations,
        receiver,
        remediation,
        sendResolved);
  }

  /** Our canonical JSON of a group: what the API returns and what is persisted for API groups. */
  static ObjectNode toJson(GroupSpec g) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", g.name());
    if (g.interval() != null) {
      o.put("interval", PromDuration.format(g.interval()));
    }
    ArrayNode rules = o.putArray("rules");
    for (RuleSpec r : g.rules()) {
      rules.add(toJson(r));
    }
    return o;
  }

  static ObjectNode toJson(RuleSpec r) {
    ObjectNode o = JSON.createObjectNode();
    if (r.isAlerting()) {
      o.put("alert", r.alert());
    } else {
      o.put("record", r.record());
    }
    o.put("expr", r.expr());
    if (r.isAlerting()) {
      if (!r.forDuration().isZero()) {
        o.put("for", PromDuration.format(r.forDuration()));
      }
      if (!r.keepFiringFor().isZero()) {
        o.put("keep_firing_for", PromDuration.format(r.keepFiringFor()));
      }
    }
    if (!r.labels().isEmpty()) {
      ObjectNode l = o.putObject("labels");
      new TreeMap<>(r.labels()).forEach(l::put);
    }
    if (!r.annotations().isEmpty()) {
      ObjectNode a = o.putObject("annotations");
      new TreeMap<>(r.annotations()).forEach(a::put);
    }
    if (r.receiver() != null) {
      o.put("receiver", r.receiver());
    }
    if (r.remediation() != null) {
      o.put("remediation", r.remediation());
    }
    if (r.isAlerting() && !r.sendResolved()) {
      o.put("send_resolved", false);
    }
    return o;
  }

  static byte[] toBytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkName(String field, String name) {
    if (name == null || name.isBlank()) {
      throw new RuleValidationException(field, "must not be empty");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new RuleValidationException(
          field, "longer than " + MAX_NAME_LENGTH + " characters (limit " + MAX_NAME_LENGTH + ")");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i)) || name.charAt(i) == '/') {
        throw new RuleValidationException(field, "must not contain '/' or control characters");
      }
    }
  }

  private static void template(String field, String text) {
    try {
      Template.parse(text);
    } catch (IllegalArgumentException e) {
      throw new RuleValidationException(field, "template: " + e.getMessage());
    }
  }

  private static void unknownFields(JsonNode node, String p, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new RuleValidationException(
            p + f, "unknown field (known: " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }

  private static String text(JsonNode node, String p, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new RuleValidationException(p + field, "must be a single value");
    }
    return v.asText();
  }

  private static Duration durationOrZero(JsonNode node, String p, String field) {
    String t = text(node, p, field);
    return t == null ? Duration.ZERO : duration(p + field, t);
  }

  private static Duration duration(String field, String text) {
    try {
      return PromDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new RuleValidationException(field, e.getMessage());
    }
  }

  private static Map<String, String> map(JsonNode node, String p, String field, boolean names) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new RuleValidationException(p + field, "must be a mapping of names to strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (names && !LABEL_NAME.matcher(e.getKey()).matches()) {
        throw new RuleValidationException(
            p + field + "." + e.getKey(), "invalid label name \"" + e.getKey() + "\"");
      }
      if (!e.getValue().isValueNode()) {
        throw new RuleValidationException(p + field + "." + e.getKey(), "must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private static String strip(String p) {
    return p.endsWith(".") ? p.substring(0, p.length() - 1) : p;
  }
}
