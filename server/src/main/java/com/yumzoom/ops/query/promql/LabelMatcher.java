package com.yumzoom.ops.query.promql;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher. Regular expressions are fully anchored, as Prometheus does ({@code
 * ^(?s:re)$}), and a missing label matches as the empty string.
 */
public record LabelMatcher(String name, Op op, String value, Pattern pattern) {

  /** Matcher operators. */
  public enum Op {
    EQ("="),
    NEQ("!="),
    RE("=~"),
    NRE("!~");

    final String text;

    Op(String text) {
      this.text = text;
    }
  }

  public static LabelMatcher of(String name, Op op, String value) {
    Pattern p = null;
    if (op == Op.RE || op == Op.NRE) {
      try {
        p = Re2.anchored(value).pattern();
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid regular expression " + value + ": " + e.getDescription());
      }
    }
    return new LabelMatcher(name, op, value, p);
  }

  public boolean matches(String v) {
    String s = v == null ? "" : v;
    return switch (op) {
      case EQ -> s.equals(value);
      case NEQ -> !s.equals(value);
      case RE -> pattern.matcher(s).matches();
      case NRE -> !pattern.matcher(s).matches();
    };
  }

  @Override
  public String toString() {
    return name + op.text + '"' + value + '"';
  }
}
