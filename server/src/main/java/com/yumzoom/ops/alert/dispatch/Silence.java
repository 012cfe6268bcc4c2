package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.query.promql.LabelMatcher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A silence as Alertmanager's API v2 describes it: alerts whose labels satisfy every matcher are
 * muted between {@code startsAt} and {@code endsAt}.
 */
record Silence(
    String id,
    List<Matcher> matchers,
    Instant startsAt,
    Instant endsAt,
    String createdBy,
    String comment,
    Instant updatedAt) {

  /** One matcher in API v2 form; {@code isEqual} false negates it. */
  record Matcher(String name, String value, boolean isRegex, boolean isEqual) {
    LabelMatcher toLabelMatcher() {
      LabelMatcher.Op op =
          isRegex
              ? (isEqual ? LabelMatcher.Op.RE : LabelMatcher.Op.NRE)
              : (isEqual ? LabelMatcher.Op.EQ : LabelMatcher.Op.NEQ);
      return LabelMatcher.of(name, op, value);
    }
  }

  Silence {
    Objects.requireNonNull(id, "id");
    matchers = List.copyOf(matchers);
  }

  static com.fasterxml.jackson.databind.node.ArrayNode matchersToJson(List<Matcher> matchers) {
    var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    for (Matcher m : matchers) {
      var o = out.addObject();
      o.put("name", m.name());
      o.put("value", m.value());
      o.put("isRegex", m.isRegex());
      o.put("isEqual", m.isEqual());
    }
    return out;
  }

  static List<Matcher> matchersFromJson(com.fasterxml.jackson.databind.JsonNode array) {
    List<Matcher> out = new java.util.ArrayList<>();
    for (var m : array) {
      out.add(
          new Matcher(
              m.path("name").asText(),
              m.path("value").asText(),
              m.path("isRegex").asBoolean(false),
              m.path("isEqual").asBoolean(true)));
    }
    return out;
  }

  String state(Instant now) {
    if (now.isBefore(startsAt)) {
      return "pending";
    }
    if (!now.isBefore(endsAt)) {
      return "expired";
    }
    return "active";
  }

  boolean mutes(Map<String, String> labels, Instant now, List<LabelMatcher> compiled) {
    return "active".equals(state(now)) && Matchers.matches(compiled, labels);
  }
}
