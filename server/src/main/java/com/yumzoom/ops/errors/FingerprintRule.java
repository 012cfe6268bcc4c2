package com.yumzoom.ops.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A custom grouping rule, in the spirit of Sentry's fingerprint rules: when every matcher matches
 * an event, its fingerprint is computed from {@link #fingerprint()} instead of the default
 * components. A value {@code {{ default }}} stands for the default components, so a rule can split
 * a group further (extend) instead of replacing the default (override). Other values are literals;
 * {@code {{ type }}} and {@code {{ message }}} stand for the type and normalised message of the
 * exception that defines the group.
 *
 * <p>Text form, one rule per line: {@code matcher:value [matcher:value...] -> value[, value...]}
 * with matchers {@code type}, {@code message}, {@code function} and {@code tags.KEY}; values are
 * globs ({@code *}, {@code ?}), or regular expressions between slashes ({@code /deadlock|lock
 * wait/}), and may be double quoted to contain spaces.
 *
 * @param matchers all must match; at least one
 * @param fingerprint components; at least one
 */
public record FingerprintRule(List<Matcher> matchers, List<String> fingerprint) {

  static final String DEFAULT = "{{ default }}";
  static final int MAX_PARTS = 32;

  public FingerprintRule {
    if (matchers == null || matchers.isEmpty()) {
      throw new IllegalArgumentException("fingerprint rule must have at least one matcher");
    }
    if (matchers.size() > MAX_PARTS) {
      throw new IllegalArgumentException(
          "fingerprint rule has more than " + MAX_PARTS + " matchers");
    }
    if (fingerprint == null || fingerprint.isEmpty()) {
      throw new IllegalArgumentException("fingerprint rule must have at least one component");
    }
    if (fingerprint.size() > MAX_PARTS) {
      throw new IllegalArgumentException(
          "fingerprint rule has more than " + MAX_PARTS + " components");
    }
    for (String part : fingerprint) {
      if (part == null || part.isBlank()) {
        throw new IllegalArgumentException("fingerprint rule component must not be blank");
      }
    }
    matchers = List.copyOf(matchers);
    fingerprint = List.copyOf(fingerprint);
  }

  /** What a rule is matched against; built once per event by the grouping algorithm. */
  record Subject(
      List<String> types, String message, List<String> inAppFunctions, Map<String, String> tags) {}

  /** One condition of a rule. */
  public sealed interface Matcher {
    boolean matches(Subject subject);
  }

  /** Matches the type of any exception of the chain (glob or regex, case-sensitive). */
  public record TypeMatcher(Pattern pattern) implements Matcher {
    @Override
    public boolean matches(Subject s) {
      for (String t : s.types()) {
        if (pattern.matcher(t).matches()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Matches the raw message of the exception that defines the group (glob or regex,
   * case-insensitive).
   */
  public record MessageMatcher(Pattern pattern) implements Matcher {
    @Override
    public boolean matches(Subject s) {
      return pattern.matcher(s.message()).matches();
    }
  }

  /**
   * Matches when any normalised in-app frame of the exception that defines the group matches:
   * {@code module.function} for Java ({@code com.acme.Orders.place}), {@code path:function} for
   * JavaScript and Python ({@code /srv/app/orders.py:place}).
   */
  public record FunctionMatcher(Pattern pattern) implements Matcher {
    @Override
    public boolean matches(Subject s) {
      for (String f : s.inAppFunctions()) {
        if (pattern.matcher(f).matches()) {
          return true;
        }
      }
      return false;
    }
  }

  /** Matches the value of one tag; absent tags never match. */
  public record TagMatcher(String key, Pattern pattern) implements Matcher {
    @Override
    public boolean matches(Subject s) {
      String value = s.tags().get(key);
      return value != null && pattern.matcher(value).matches();
    }
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static FingerprintRule parse(String line) {
    if (line == null) {
      throw new IllegalArgumentException("fingerprint rule must not be null");
    }
    int arrow = line.indexOf("->");
    if (arrow < 0) {
      throw new IllegalArgumentException("fingerprint rule needs '->': " + line);
    }
    List<Matcher> matchers = new ArrayList<>();
    for (String token : tokens(line.substring(0, arrow))) {
      int colon = token.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("fingerprint rule matcher needs 'name:value': " + token);
      }
      String name = token.substring(0, colon);
      String value = unquote(token.substring(colon + 1));
      matchers.add(
          switch (name) {
            case "type" -> new TypeMatcher(pattern(value, false));
            case "message" -> new MessageMatcher(pattern(value, true));
            case "function" -> new FunctionMatcher(pattern(value, false));
            default -> {
              if (name.startsWith("tags.") && name.length() > 5) {
                yield new TagMatcher(name.substring(5), pattern(value, false));
              }
              throw new IllegalArgumentException("fingerprint rule matcher unknown: " + name);
            }
          });
    }
    List<String> parts = new ArrayList<>();
    for (String part : line.substring(arrow + 2).split(",")) {
      String p = unquote(part.strip());
      parts.add(p.replaceAll("\\{\\{\\s*(\\w+)\\s*}}", "{{ $1 }}"));
    }
    return new FingerprintRule(matchers, parts);
  }

  private static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        cur.append(c);
      } else if (Character.isWhitespace(c) && !quoted) {
        if (!cur.isEmpty()) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("fingerprint rule has an unclosed quote: " + s.strip());
    }
    if (!cur.isEmpty()) {
      out.add(cur.toString());
    }
    return out;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }

  /** A glob ({@code *}, {@code ?}) or, between slashes, a regular expression. */
  static Pattern pattern(String value, boolean ignoreCase) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("fingerprint rule matcher value must not be empty");
    }
    int flags = ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.DOTALL : Pattern.DOTALL;
    if (value.length() >= 2 && value.startsWith("/") && value.endsWith("/")) {
      String regex = value.substring(1, value.length() - 1);
      try {
        return Pattern.compile(".*(?:" + regex + ").*", flags);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "fingerprint rule regex invalid: " + e.getDescription(), e);
      }
    }
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '*' || c == '?') {
        if (!literal.isEmpty()) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (!literal.isEmpty()) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), flags);
  }
}
