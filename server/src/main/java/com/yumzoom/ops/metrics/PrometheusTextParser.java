package com.yumzoom.ops.metrics;

import com.yumzoom.ops.query.promql.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parses the Prometheus text exposition format 0.0.4, and OpenMetrics 1.0 text, into samples.
 *
 * <p>Design: a hand-written scanner per line, because the format is line oriented and its only
 * nesting is the label block. HELP and TYPE lines are checked and otherwise ignored (histogram and
 * summary samples keep their own names, {@code _bucket}, {@code _sum}, {@code _count}, as
 * Prometheus stores them); other comments are skipped. Every error names the 1-based line.
 *
 * <p>OpenMetrics differs in what a scraper must handle: timestamps are seconds (fractions allowed),
 * the text must end with {@code # EOF}, samples may carry an exemplar after {@code #} (skipped
 * here, as Prometheus does without the exemplar store), {@code # UNIT} lines exist, and counters,
 * histograms and summaries may expose {@code _created} samples, which are creation times, not
 * values, so they are dropped (see docs/metrics.md).
 */
public final class PrometheusTextParser {

  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final Set<String> OM_TYPES =
      Set.of(
          "counter",
          "gauge",
          "histogram",
          "gaugehistogram",
          "summary",
          "stateset",
          "info",
          "unknown");
  private static final Set<String> WITH_CREATED =
      Set.of("counter", "histogram", "gaugehistogram", "summary");

  private PrometheusTextParser() {}

  /** A format error; the message starts with "line N: ". */
  public static final class ParseException extends IllegalArgumentException {
    ParseException(int line, String message) {
      super("line " + line + ": " + message);
    }
  }

  /**
   * Parses {@code text}; samples without their own timestamp get {@code defaultTMs}.
   *
   * @throws ParseException on the first malformed line
   */
  public static List<Sample> parse(String text, long defaultTMs) {
    return parse(text, defaultTMs, false);
  }

  /**
   * Parses OpenMetrics text; samples without their own timestamp get {@code defaultTMs}.
   *
   * @throws ParseException on the first malformed line, or when {@code # EOF} is missing
   */
  public static List<Sample> parseOpenMetrics(String text, long defaultTMs) {
    return parse(text, defaultTMs, true);
  }

  /** What one parse has seen: metric family types, and whether {@code # EOF} came. */
  private static final class State {
    final boolean openMetrics;
    final java.util.Map<String, String> types = new java.util.HashMap<>();
    boolean eof;

    State(boolean openMetrics) {
      this.openMetrics = openMetrics;
    }
  }

  private static List<Sample> parse(String text, long defaultTMs, boolean openMetrics) {
    State state = new State(openMetrics);
    List<Sample> out = new ArrayList<>();
    int lineNo = 0;
    int pos = 0;
    while (pos < text.length()) {
      int end = text.indexOf('\n', pos);
      if (end < 0) {
        end = text.length();
      }
      lineNo++;
      String line = text.substring(pos, end);
      pos = end + 1;
      if (state.eof) {
        if (line.isEmpty() && pos >= text.length()) {
          break;
        }
        throw new ParseException(lineNo, "unexpected text after # EOF");
      }
      new LineParser(line, lineNo, state).parseInto(out, defaultTMs);
    }
    if (openMetrics && !state.eof) {
      throw new ParseException(lineNo, "OpenMetrics text does not end with # EOF");
    }
    return out;
  }

  private static final class LineParser {
    final String s;
    final int lineNo;
    final State state;
    int i;

    LineParser(String s, int lineNo, State state) {
      this.state = state;
      this.s = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      this.lineNo = lineNo;
    }

    ParseException error(String message) {
      return new ParseException(lineNo, message);
    }

    void skipBlanks() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    void parseInto(List<Sample> out, long defaultTMs) {
      skipBlanks();
      if (i == s.length()) {
        return;
      }
      if (s.charAt(i) == '#') {
        comment();
        return;
      }
      String name = name(true);
      if (name.isEmpty()) {
        throw error("expected a metric name, got \"" + s.substring(i) + "\"");
      }
      TreeMap<String, String> labels = new TreeMap<>();
      skipBlanks();
      if (i < s.length() && s.charAt(i) == '{') {
        i++;
        labels(labels);
      }
      labels.put(Labels.NAME, name);
      skipBlanks();
      String valueText = token();
      if (valueText.isEmpty()) {
        throw error("metric " + name + " has no value");
      }
      double value = parseValue(valueText);
      skipBlanks();
      long t = defaultTMs;
      if (state.openMetrics) {
        if (isCreated(name)) {
          return;
        }
        String tsText = i < s.length() && s.charAt(i) == '#' ? "" : token();
        if (!tsText.isEmpty()) {
          try {
            t = Math.round(Double.parseDouble(tsText) * 1000);
          } catch (NumberFormatException e) {
            throw error("invalid timestamp \"" + tsText + "\" (expected seconds)");
          }
          skipBlanks();
        }
        // an exemplar (" # {labels} value [ts]") may follow; it is not a sample
        if (i < s.length() && s.charAt(i) != '#') {
          throw error("unexpected text after the value: \"" + s.substring(i) + "\"");
        }
        out.add(new Sample(new Labels(labels), t, value));
        return;
      }
      String tsText = token();
      if (!tsText.isEmpty()) {
        try {
          t = Long.parseLong(tsText);
        } catch (NumberFormatException e) {
          throw error("invalid timestamp \"" + tsText + "\" (expected integer milliseconds)");
        }
        skipBlanks();
        if (i < s.length()) {
          throw error("unexpected text after the timestamp: \"" + s.substring(i) + "\"");
        }
      }
      out.add(new Sample(new Labels(labels), t, value));
    }

    boolean isCreated(String name) {
      if (!name.endsWith("_created")) {
        return false;
      }
      String family = name.substring(0, name.length() - "_created".length());
      return WITH_CREATED.contains(state.types.getOrDefault(family, ""));
    }

    void comment() {
      i++;
      skipBlanks();
      String keyword = token();
      if (state.openMetrics && keyword.equals("EOF")) {
        state.eof = true;
        return;
      }
      if (state.openMetrics && keyword.equals("UNIT")) {
        return;
      }
      if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
        return;
      }
      skipBlanks();
      String metric = name(true);
      if (metric.isEmpty()) {
        throw error(keyword + " line without a metric name");
      }
      if (keyword.equals("TYPE")) {
        skipBlanks();
        String type = token();
        if (!(state.openMetrics ? OM_TYPES : TYPES).contains(type)) {
          throw error("unknown metric type \"" + type + "\" for " + metric);
        }
        state.types.put(metric, type);
      }
    }

    String name(boolean colons) {
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || c == '_'
                || (colons && c == ':')
                || (i > start && c >= '0' && c <= '9');
        if (!ok) {
          break;
        }
        i++;
      }
      return s.substring(start, i);
    }

    String token() {
      int start = i;
      while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
        i++;
      }
      return s.substring(start, i);
    }

    void labels(TreeMap<String, String> labels) {
      while (true) {
        skipBlanks();
        if (i < s.length() && s.charAt(i) == '}') {
          i++;
          return;
        }
        String label = name(false);
        if (label.isEmpty()) {
          throw error("expected a label name at column " + (i + 1));
        }
        skipBlanks();
        if (i >= s.length() || s.charAt(i) != '=') {
          throw error("expected '=' after label name " + label);
        }
        i++;
        skipBlanks();
        if (i >= s.length() || s.charAt(i) != '"') {
          throw error("expected '\"' to open the value of label " + label);
        }
        i++;
        StringBuilder v = new StringBuilder();
        while (true) {
          if (i >= s.length()) {
            throw error("unterminated value of label " + label);
          }
          char c = s.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (i >= s.length()) {
              throw error("unterminated value of label " + label);
            }
            char e = s.charAt(i++);
            switch (e) {
              case '\\' -> v.append('\\');
              case '"' -> v.append('"');
              case 'n' -> v.append('\n');
              default -> throw error("invalid escape \\" + e + " in the value of label " + label);
            }
          } else {
            v.append(c);
          }
        }
        if (labels.put(label, v.toString()) != null) {
          throw error("duplicate label " + label);
        }
        skipBlanks();
        if (i < s.length() && s.charAt(i) == ',') {
          i++;
        } else if (i < s.length() && s.charAt(i) == '}') {
          i++;
          return;
        } else {
          throw error("expected ',' or '}' after the value of label " + label);
        }
      }
    }

    double parseValue(String text) {
      switch (text.toLowerCase(java.util.Locale.ROOT)) {
        case "nan":
          return Double.NaN;
        case "+inf", "inf":
          return Double.POSITIVE_INFINITY;
        case "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
      char last = text.charAt(text.length() - 1);
      if (!(Character.isDigit(last) || last == '.')) {
        throw error("invalid value \"" + text + "\"");
      }
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw error("invalid value \"" + text + "\"");
      }
    }
  }
}
