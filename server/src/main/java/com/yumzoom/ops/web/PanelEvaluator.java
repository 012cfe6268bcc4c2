package com.yumzoom.ops.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a dashboard's panels over a time window with the PromQL engine, one JSON result per
 * panel. Every panel is a range query; gauges, stats and tables show the last point, so one shape
 * serves all widget types and the browser needs no second request.
 *
 * <p>Results are columnar ({@code t: [ms...], v: [value...]}, missing points as null) because the
 * browser's charts read them that way and it is about half the size of Prometheus' pairs.
 */
final class PanelEvaluator {

  /** Points per series; a dashboard panel is at most a few hundred pixels wide. */
  static final int MAX_POINTS = 600;

  static final int MAX_SERIES_PER_TARGET = 200;
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

  private final PromqlEngine engine;
  private final ObjectMapper json;

  PanelEvaluator(PromqlEngine engine, ObjectMapper json) {
    this.engine = engine;
    this.json = json;
  }

  /** Step for a window: whole seconds, at least 1 s, at most {@link #MAX_POINTS} points. */
  static long stepMillis(long startMs, long endMs) {
    long span = Math.max(1, endMs - startMs);
    long step = (span + MAX_POINTS - 1) / MAX_POINTS;
    return Math.max(1_000, ((step + 999) / 1_000) * 1_000);
  }

  /**
   * Replaces {@code $name} and {@code ${name}}; unknown variables and built-ins stay as written.
   */
  static String substitute(String expr, Map<String, String> vars, long stepMs) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder(expr.length() + 16);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = vars.get(name);
      if (value == null && name.equals("__interval")) {
        value = (stepMs / 1000) + "s";
      } else if (value == null && name.equals("__rate_interval")) {
        value = Math.max(60, 4 * stepMs / 1000) + "s";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  ObjectNode evaluate(JsonNode panel, Map<String, String> vars, long startMs, long endMs) {
    long step = stepMillis(startMs, endMs);
    long alignedStart = Math.floorDiv(startMs, step) * step;
    // rounded up, so the newest sample (scraped within the current step) is always included
    long alignedEnd = Math.ceilDiv(endMs, step) * step;
    ObjectNode out = json.createObjectNode();
    out.put("panel", panel.path("id").asText());
    out.put("step", step);
    ArrayNode series = out.putArray("series");
    ArrayNode errors = out.putArray("errors");
    JsonNode targets = panel.path("targets");
    for (int i = 0; i < targets.size(); i++) {
      String expr = substitute(targets.get(i).path("expr").asText(), vars, step);
      try {
        Values.Matrix m = engine.range(PromqlEngine.parse(expr), alignedStart, alignedEnd, step);
        List<Values.Series> sorted = new ArrayList<>(m.series());
        sorted.sort((a, b) -> a.labels().compareTo(b.labels()));
        int n = 0;
        for (Values.Series s : sorted) {
          if (n++ == MAX_SERIES_PER_TARGET) {
            ObjectNode e = errors.addObject();
            e.put("target", i);
            e.put(
                "message",
                "showing the first "
                    + MAX_SERIES_PER_TARGET
                    + " of "
                    + sorted.size()
                    + " series (limit "
                    + MAX_SERIES_PER_TARGET
                    + ")");
            break;
          }
          series.add(series(i, s));
        }
      } catch (RuntimeException e) {
        ObjectNode err = errors.addObject();
        err.put("target", i);
        err.put("message", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      }
    }
    return out;
  }

  private ObjectNode series(int target, Values.Series s) {
    ObjectNode node = json.createObjectNode();
    node.put("target", target);
    ObjectNode labels = node.putObject("labels");
    s.labels().map().forEach(labels::put);
    ArrayNode t = node.putArray("t");
    ArrayNode v = node.putArray("v");
    for (Values.Point p : s.points()) {
      t.add(p.t());
      if (Double.isFinite(p.value())) {
        v.add(p.value());
      } else {
        v.addNull();
      }
    }
    return node;
  }
}
