package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.query.promql.LabelMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Alertmanager's matcher syntax ({@code matchers: ['severity="critical"', 'team=~"db|web"',
 * 'env!=dev']}, optionally several in one string, optionally in braces). Values may be quoted (Go
 * escapes) or bare. Regular expressions are fully anchored, as in Alertmanager.
 */
final class Matchers {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private Matchers() {}

  /**
   * Parses one matcher string into one or more matchers.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static List<LabelMatcher> parse(String input) {
    String s = input.trim();
    if (s.startsWith("{")) {
      if (!s.endsWith("}")) {
        throw new IllegalArgumentException("missing closing '}' in " + input);
      }
      s = s.substring(1, s.length() - 1).trim();
    }
    List<LabelMatcher> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
        i++;
      }
      if (i >= s.length()) {
        break;
      }
      int nameStart = i;
      while (i < s.length()
          && "=!~".indexOf(s.charAt(i)) < 0
          && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String name = s.substring(nameStart, i);
      if (name.startsWith("\"") && name.endsWith("\"") && name.length() >= 2) {
        name = name.substring(1, name.length() - 1);
      }
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      LabelMatcher.Op op;
      if (s.startsWith("=~", i)) {
        op = LabelMatcher.Op.RE;
        i += 2;
      } else if (s.startsWith("!~", i)) {
        op = LabelMatcher.Op.NRE;
        i += 2;
      } else if (s.startsWith("!=", i)) {
        op = LabelMatcher.Op.NEQ;
        i += 2;
      } else if (s.startsWith("=", i)) {
        op = LabelMatcher.Op.EQ;
        i += 1;
      } else {
        throw new IllegalArgumentException(
            "bad matcher format: " + input + " (expected name, one of = != =~ !~, value)");
      }
      if (name.isEmpty() || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("invalid label name \"" + name + "\" in " + input);
      }
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '"') {
        i++;
        boolean closed = false;
        while (i < s.length()) {
          char c = s.charAt(i);
          if (c == '\\' && i + 1 < s.length()) {
            char e = s.charAt(i + 1);
            value.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            i += 2;
          } else if (c == '"') {
            closed = true;
            i++;
            break;
          } else {
            value.append(c);
            i++;
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("unterminated quoted value in " + input);
        }
      } else {
        int start = i;
        while (i < s.length() && s.charAt(i) != ',') {
          i++;
        }
        value.append(s.substring(start, i).trim());
      }
      out.add(LabelMatcher.of(name, op, value.toString()));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no matcher in \"" + input + "\"");
    }
    return out;
  }

  static boolean matches(List<LabelMatcher> matchers, Map<String, String> labels) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels.get(m.name()))) {
        return false;
      }
    }
    return true;
  }

  /** {@code {a="b", c=~"d"}} as Alertmanager prints a matcher list (route keys). */
  static String format(List<LabelMatcher> matchers) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < matchers.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(matchers.get(i));
    }
    return sb.append('}').toString();
  }
}
