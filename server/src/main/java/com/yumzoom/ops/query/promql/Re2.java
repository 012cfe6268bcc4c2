package com.yumzoom.ops.query.promql;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Compiles Go (RE2) regular expressions with java.util.regex. The syntaxes agree on what PromQL
 * users write, except named groups: Go spells them {@code (?P<name>)} and allows underscores in
 * names, Java neither; groups are renamed and the original names kept for template expansion.
 */
public record Re2(Pattern pattern, Map<String, String> groupNames) {

  /** Compiles {@code re} anchored at both ends, with '.' matching newlines, as Prometheus does. */
  public static Re2 anchored(String re) {
    Map<String, String> names = new HashMap<>();
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < re.length()) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length()) {
        sb.append(c).append(re.charAt(i + 1));
        i += 2;
        continue;
      }
      int nameStart = -1;
      if (re.startsWith("(?P<", i)) {
        nameStart = i + 4;
      } else if (re.startsWith("(?<", i)
          && i + 3 < re.length()
          && re.charAt(i + 3) != '='
          && re.charAt(i + 3) != '!') {
        nameStart = i + 3;
      }
      if (nameStart >= 0) {
        int close = re.indexOf('>', nameStart);
        if (close > 0) {
          String javaName = "g" + (names.size() + 1) + "x";
          names.put(re.substring(nameStart, close), javaName);
          sb.append("(?<").append(javaName).append('>');
          i = close + 1;
          continue;
        }
      }
      sb.append(c);
      i++;
    }
    return new Re2(Pattern.compile("^(?s:" + sb + ")$"), Map.copyOf(names));
  }
}
