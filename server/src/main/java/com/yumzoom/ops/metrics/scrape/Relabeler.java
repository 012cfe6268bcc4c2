package com.yumzoom.ops.metrics.scrape;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Applies relabel rules the way Prometheus' {@code relabel.Process} does: rules run in order on a
 * mutable label set, {@code keep}/{@code drop} end processing with "dropped", and a replacement is
 * expanded like Go's {@code Regexp.Expand} ({@code $1}, {@code ${1}}, {@code $name}, {@code $$}).
 */
public final class Relabeler {

  private static final java.util.regex.Pattern LABEL_NAME =
      java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private Relabeler() {}

  /** The relabelled labels, or null when a rule dropped them; the input is not modified. */
  public static TreeMap<String, String> apply(
      Map<String, String> labels, List<RelabelConfig> rules) {
    TreeMap<String, String> m = new TreeMap<>(labels);
    for (RelabelConfig r : rules) {
      if (!applyOne(m, r)) {
        return null;
      }
    }
    m.values().removeIf(String::isEmpty);
    return m;
  }

  private static boolean applyOne(TreeMap<String, String> m, RelabelConfig r) {
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < r.sourceLabels().size(); i++) {
      if (i > 0) {
        joined.append(r.separator());
      }
      joined.append(m.getOrDefault(r.sourceLabels().get(i), ""));
    }
    String value = joined.toString();
    switch (r.action()) {
      case KEEP -> {
        return r.regex().matcher(value).matches();
      }
      case DROP -> {
        return !r.regex().matcher(value).matches();
      }
      case KEEPEQUAL -> {
        return value.equals(m.getOrDefault(r.targetLabel(), ""));
      }
      case DROPEQUAL -> {
        return !value.equals(m.getOrDefault(r.targetLabel(), ""));
      }
      case REPLACE -> {
        Matcher matcher = r.regex().matcher(value);
        if (!matcher.matches()) {
          return true;
        }
        String target = expand(r.targetLabel(), matcher, r.groupNames());
        if (!LABEL_NAME.matcher(target).matches()) {
          return true;
        }
        String replaced = expand(r.replacement(), matcher, r.groupNames());
        if (replaced.isEmpty()) {
          m.remove(target);
        } else {
          m.put(target, replaced);
        }
      }
      case LOWERCASE -> m.put(r.targetLabel(), value.toLowerCase(java.util.Locale.ROOT));
      case UPPERCASE -> m.put(r.targetLabel(), value.toUpperCase(java.util.Locale.ROOT));
      case HASHMOD -> m.put(r.targetLabel(), Long.toUnsignedString(hashMod(value, r.modulus())));
      case LABELMAP -> {
        TreeMap<String, String> added = new TreeMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
          Matcher matcher = r.regex().matcher(e.getKey());
          if (matcher.matches()) {
            added.put(expand(r.replacement(), matcher, r.groupNames()), e.getValue());
          }
        }
        m.putAll(added);
      }
      case LABELDROP -> m.keySet().removeIf(k -> r.regex().matcher(k).matches());
      case LABELKEEP -> m.keySet().removeIf(k -> !r.regex().matcher(k).matches());
    }
    return true;
  }

  /** Prometheus: the low 8 bytes of the MD5 of the value, big-endian, modulo {@code modulus}. */
  static long hashMod(String value, long modulus) {
    byte[] sum;
    try {
      sum = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JDK", e);
    }
    long h = 0;
    for (int i = 8; i < 16; i++) {
      h = (h << 8) | (sum[i] & 0xff);
    }
    return Long.remainderUnsigned(h, modulus);
  }

  /** Go's {@code Regexp.Expand}: $n, ${n}, $name, ${name} and $$; unknown groups expand to "". */
  static String expand(String template, Matcher m, Map<String, String> groupNames) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (next == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0) {
          out.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 2, close);
        end = close + 1;
      } else {
        int j = i + 1;
        while (j < template.length()
            && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
          j++;
        }
        name = template.substring(i + 1, j);
        end = j;
      }
      if (name.isEmpty()) {
        out.append(c);
        i++;
        continue;
      }
      out.append(group(m, groupNames.getOrDefault(name, name)));
      i = end;
    }
    return out.toString();
  }

  private static String group(Matcher m, String name) {
    String g;
    if (name.chars().allMatch(Character::isDigit)) {
      int n;
      try {
        n = Integer.parseInt(name);
      } catch (NumberFormatException e) {
        return "";
      }
      g = n <= m.groupCount() ? m.group(n) : null;
    } else {
      try {
        g = m.group(name);
      } catch (IllegalArgumentException e) {
        g = null;
      }
    }
    return g == null ? "" : g;
  }
}
