package com.yumzoom.ops.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a dashboard document before it is stored: shape, types and every limit, with messages that
 * name the field path and the limit ({@code panels[3].targets[0].expr: longer than 4096 characters
 * (limit 4096)}). Unknown fields are kept, so a newer UI can add options.
 */
final class DashboardValidation {

  static final int MAX_TITLE = 200;
  static final int MAX_PANELS = 48;
  static final int MAX_TARGETS = 8;
  static final int MAX_EXPR = 4096;
  static final int MAX_VARIABLES = 10;
  static final int MAX_TAGS = 20;
  static final int MAX_THRESHOLDS = 10;
  static final int MAX_BODY_BYTES = 256 * 1024;
  static final Set<String> PANEL_TYPES =
      Set.of("line", "area", "bar", "stacked", "gauge", "stat", "heatmap", "table");
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,31}");
  private static final Pattern PANEL_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** A dashboard that breaks a rule; the message is the 400 answer's {@code message}. */
  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private DashboardValidation() {}

  static ObjectNode validate(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new Invalid("dashboard: must be a JSON object");
    }
    ObjectNode d = (ObjectNode) node;
    text(d, "title", "title", 1, MAX_TITLE, true);
    JsonNode tags = d.get("tags");
    if (tags != null && !tags.isNull()) {
      array(tags, "tags", MAX_TAGS);
      for (int i = 0; i < tags.size(); i++) {
        if (!tags.get(i).isTextual() || tags.get(i).asText().length() > 64) {
          throw new Invalid(
              "tags[" + i + "]: must be a string of at most 64 characters (limit 64)");
        }
      }
    }
    JsonNode time = d.get("time");
    if (time != null && !time.isNull()) {
      if (!time.isObject()) {
        throw new Invalid("time: must be an object with from and to");
      }
      text(time, "from", "time.from", 1, 64, false);
      text(time, "to", "time.to", 1, 64, false);
    }
    text(d, "refresh", "refresh", 0, 16, false);
    JsonNode vars = d.get("variables");
    Set<String> names = new HashSet<>();
    if (vars != null && !vars.isNull()) {
      array(vars, "variables", MAX_VARIABLES);
      for (int i = 0; i < vars.size(); i++) {
        String at = "variables[" + i + "]";
        JsonNode v = vars.get(i);
        if (!v.isObject()) {
          throw new Invalid(at + ": must be an object");
        }
        String name = text(v, "name", at + ".name", 1, 32, true);
        if (!VARIABLE_NAME.matcher(name).matches()) {
          throw new Invalid(at + ".name: must match [A-Za-z_][A-Za-z0-9_]* (limit 32 characters)");
        }
        if (!names.add(name)) {
          throw new Invalid(at + ".name: duplicate variable " + name);
        }
        text(v, "label", at + ".label", 1, 64, true);
        text(v, "metric", at + ".metric", 0, 256, false);
      }
    }
    JsonNode panels = d.get("panels");
    if (panels == null || panels.isNull()) {
      d.putArray("panels");
      return d;
    }
    array(panels, "panels", MAX_PANELS);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < panels.size(); i++) {
      panel(panels.get(i), "panels[" + i + "]", ids);
    }
    return d;
  }

  private static void panel(JsonNode p, String at, Set<String> ids) {
    if (!p.isObject()) {
      throw new Invalid(at + ": must be an object");
    }
    String id = text(p, "id", at + ".id", 1, 64, true);
    if (!PANEL_ID.matcher(id).matches()) {
      throw new Invalid(at + ".id: must match [A-Za-z0-9_-]+ (limit 64 characters)");
    }
    if (!ids.add(id)) {
      throw new Invalid(at + ".id: duplicate panel id " + id);
    }
    text(p, "title", at + ".title", 0, MAX_TITLE, false);
    String type = text(p, "type", at + ".type", 1, 16, true);
    if (!PANEL_TYPES.contains(type)) {
      throw new Invalid(at + ".type: must be one of " + PANEL_TYPES.stream().sorted().toList());
    }
    text(p, "unit", at + ".unit", 0, 16, false);
    integer(p, "w", at + ".w", 1, 24);
    integer(p, "h", at + ".h", 1, 20);
    for (String f : new String[] {"min", "max"}) {
      JsonNode n = p.get(f);
      if (n != null && !n.isNull() && !n.isNumber()) {
        throw new Invalid(at + "." + f + ": must be a number");
      }
    }
    JsonNode thresholds = p.get("thresholds");
    if (thresholds != null && !thresholds.isNull()) {
      array(thresholds, at + ".thresholds", MAX_THRESHOLDS);
      for (int i = 0; i < thresholds.size(); i++) {
        JsonNode t = thresholds.get(i);
        String tat = at + ".thresholds[" + i + "]";
        if (!t.isObject() || !t.path("value").isNumber()) {
          throw new Invalid(tat + ".value: must be a number");
        }
        text(t, "color", tat + ".color", 1, 32, true);
      }
    }
    JsonNode targets = p.get("targets");
    if (targets == null || !targets.isArray() || targets.isEmpty()) {
      throw new Invalid(
          at + ".targets: at least one query is required (limit " + MAX_TARGETS + ")");
    }
    array(targets, at + ".targets", MAX_TARGETS);
    for (int i = 0; i < targets.size(); i++) {
      String tat = at + ".targets[" + i + "]";
      JsonNode t = targets.get(i);
      if (!t.isObject()) {
        throw new Invalid(tat + ": must be an object");
      }
      text(t, "expr", tat + ".expr", 1, MAX_EXPR, true);
      text(t, "legend", tat + ".legend", 0, MAX_TITLE, false);
    }
  }

  private static void array(JsonNode n, String at, int max) {
    if (!n.isArray()) {
      throw new Invalid(at + ": must be an array");
    }
    if (n.size() > max) {
      throw new Invalid(at + ": more than " + max + " entries (limit " + max + ")");
    }
  }

  private static String text(
      JsonNode parent, String field, String at, int min, int max, boolean required) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new Invalid(at + ": required");
      }
      return "";
    }
    if (!n.isTextual()) {
      throw new Invalid(at + ": must be a string");
    }
    String s = n.asText();
    if (s.length() < min) {
      throw new Invalid(at + ": must not be empty");
    }
    if (s.length() > max) {
      throw new Invalid(at + ": longer than " + max + " characters (limit " + max + ")");
    }
    return s;
  }

  private static void integer(JsonNode parent, String field, String at, int min, int max) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
      throw new Invalid(
          at + ": must be an integer from " + min + " to " + max + " (limit " + max + ")");
    }
  }
}
