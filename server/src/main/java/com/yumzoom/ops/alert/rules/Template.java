package com.yumzoom.ops.alert.rules;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The subset of Go's text/template that Prometheus rule annotations use in practice: actions {@code
 * {{ pipeline }}} (with {@code {{-}} / {@code -}}} trimming) whose operands are {@code $value},
 * {@code $labels}, {@code $labels.name}, {@code .Value}, {@code .Labels.name}, {@code
 * $externalURL}, string and number literals, and whose commands are Prometheus' template functions
 * ({@code humanize}, {@code humanize1024}, {@code humanizePercentage}, {@code humanizeDuration},
 * {@code printf}, {@code toUpper}, {@code toLower}, {@code title}, {@code urlquery}) plus ours that
 * link into the product: {@code tracesURL}, {@code errorsURL}, {@code dashboardURL "uid"}.
 *
 * <p>Why not all of text/template: control structures ({@code if}, {@code range}) would need a
 * second interpreter; a template using them is refused at validation with the field named, never
 * rendered wrongly. Numbers print as Go's {@code %v} prints a float64 ({@code 1e+06}), so output
 * matches Prometheus for the same rule.
 */
final class Template {

  /** What a template sees: the sample value, the alert's labels and the server's external URL. */
  record Context(double value, Map<String, String> labels, String externalUrl) {}

  private sealed interface Node permits Text, Action {}

  private record Text(String text) implements Node {}

  private record Action(List<List<String>> commands) implements Node {}

  private final List<Node> nodes;

  private Template(List<Node> nodes) {
    this.nodes = nodes;
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException describing the first problem
   */
  static Template parse(String text) {
    List<Node> nodes = new ArrayList<>();
    int i = 0;
    StringBuilder pending = new StringBuilder();
    while (i < text.length()) {
      int open = text.indexOf("{{", i);
      if (open < 0) {
        pending.append(text, i, text.length());
        break;
      }
      pending.append(text, i, open);
      int start = open + 2;
      if (start < text.length() && text.charAt(start) == '-') {
        trimTrailing(pending);
        start++;
      }
      int close = findClose(text, start);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed action: \"{{\" without \"}}\"");
      }
      int end = close;
      boolean trimAfter = false;
      if (end > start && text.charAt(end - 1) == '-') {
        trimAfter = true;
        end--;
      }
      if (!pending.isEmpty()) {
        nodes.add(new Text(pending.toString()));
        pending.setLength(0);
      }
      nodes.add(parseAction(text.substring(start, end).trim()));
      i = close + 2;
      if (trimAfter) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
          i++;
        }
      }
    }
    if (!pending.isEmpty()) {
      nodes.add(new Text(pending.toString()));
    }
    return new Template(List.copyOf(nodes));
  }

  private static int findClose(String text, int from) {
    boolean quoted = false;
    for (int i = from; i < text.length() - 1; i++) {
      char c = text.charAt(i);
      if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (!quoted && c == '}' && text.charAt(i + 1) == '}') {
        return i;
      }
    }
    return -1;
  }

  private static void trimTrailing(StringBuilder sb) {
    int n = sb.length();
    while (n > 0 && Character.isWhitespace(sb.charAt(n - 1))) {
      n--;
    }
    sb.setLength(n);
  }

  private static Action parseAction(String body) {
    if (body.isEmpty()) {
      throw new IllegalArgumentException("empty action {{ }}");
    }
    if (body.startsWith("/*")) {
      return new Action(List.of());
    }
    List<List<String>> commands = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '|') {
        if (current.isEmpty()) {
          throw new IllegalArgumentException("missing command before '|' in {{ " + body + " }}");
        }
        commands.add(current);
        current = new ArrayList<>();
        i++;
      } else if (c == '"' || c == '`') {
        int j = i + 1;
        StringBuilder s = new StringBuilder("\"");
        while (j < body.length() && body.charAt(j) != c) {
          if (c == '"' && body.charAt(j) == '\\' && j + 1 < body.length()) {
            char e = body.charAt(j + 1);
            s.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            j += 2;
          } else {
            s.append(body.charAt(j++));
          }
        }
        if (j >= body.length()) {
          throw new IllegalArgumentException("unterminated string in {{ " + body + " }}");
        }
        current.add(s.toString());
        i = j + 1;
      } else {
        int j = i;
        while (j < body.length()
            && !Character.isWhitespace(body.charAt(j))
            && body.charAt(j) != '|') {
          j++;
        }
        current.add(body.substring(i, j));
        i = j;
      }
    }
    if (current.isEmpty()) {
      throw new IllegalArgumentException("missing command after '|' in {{ " + body + " }}");
    }
    commands.add(current);
    for (List<String> command : commands) {
      String head = command.getFirst();
      if (isOperand(head)) {
        if (command.size() > 1) {
          throw new IllegalArgumentException(
              "can't give argument to non-function " + head + " in {{ " + body + " }}");
        }
        checkOperand(head);
      } else if (!FUNCTIONS.contains(head)) {
        throw new IllegalArgumentException(
            "function \"" + head + "\" not defined (supported: " + FUNCTIONS + ")");
      } else {
        for (String arg : command.subList(1, command.size())) {
          checkOperand(arg);
        }
      }
    }
    return new Action(List.copyOf(commands));
  }

  private static final List<String> FUNCTIONS =
      List.of(
          "humanize",
          "humanize1024",
          "humanizePercentage",
          "humanizeDuration",
          "printf",
          "toUpper",
          "toLower",
          "title",
          "urlquery",
          "tracesURL",
          "errorsURL",
          "dashboardURL");

  private static boolean isOperand(String token) {
    char c = token.charAt(0);
    return c == '$' || c == '.' || c == '"' || c == '-' || Character.isDigit(c);
  }

  private static void checkOperand(String token) {
    char c = token.charAt(0);
    if (c == '"') {
      return;
    }
    if (c == '-' || Character.isDigit(c)) {
      try {
        Double.parseDouble(token);
        return;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad number syntax: " + token);
      }
    }
    if (token.equals("$value")
        || token.equals(".Value")
        || token.equals("$labels")
        || token.equals(".Labels")
        || token.equals("$externalURL")
        || token.equals(".ExternalURL")
        || token.startsWith("$labels.")
        || token.startsWith(".Labels.")) {
      return;
    }
    throw new IllegalArgumentException(
        "undefined variable or field \""
            + token
            + "\" (use $value, $labels.<name>, $externalURL, .Value or .Labels.<name>)");
  }

  /** Renders; a failing function yields Prometheus' {@code <error expanding template: ...>}. */
  String render(Context ctx) {
    StringBuilder out = new StringBuilder();
    try {
      for (Node node : nodes) {
        switch (node) {
          case Text t -> out.append(t.text());
          case Action a -> {
            if (!a.commands().isEmpty()) {
              out.append(print(evalPipeline(a.commands(), ctx)));
            }
          }
        }
      }
    } catch (RuntimeException e) {
      return "<error expanding template: " + e.getMessage() + ">";
    }
    return out.toString();
  }

  private static Object evalPipeline(List<List<String>> commands, Context ctx) {
    Object previous = null;
    boolean first = true;
    for (List<String> command : commands) {
      String head = command.getFirst();
      if (isOperand(head)) {
        previous = operand(head, ctx);
      } else {
        List<Object> args = new ArrayList<>();
        for (String a : command.subList(1, command.size())) {
          args.add(operand(a, ctx));
        }
        if (!first) {
          args.add(previous);
        }
        previous = call(head, args, ctx);
      }
      first = false;
    }
    return previous;
  }

  private static Object operand(String token, Context ctx) {
    char c = token.charAt(0);
    if (c == '"') {
      return token.substring(1);
    }
    if (c == '-' || Character.isDigit(c)) {
      return Double.parseDouble(token);
    }
    return switch (token) {
      case "$value", ".Value" -> ctx.value();
      case "$labels", ".Labels" -> ctx.labels();
      case "$externalURL", ".ExternalURL" -> ctx.externalUrl();
      default -> {
        String name = token.substring(token.indexOf('.', 1) + 1);
        yield ctx.labels().getOrDefault(name, "");
      }
    };
  }

  private static Object call(String fn, List<Object> args, Context ctx) {
    return switch (fn) {
      case "humanize" -> humanize(number(fn, args));
      case "humanize1024" -> humanize1024(number(fn, args));
      case "humanizePercentage" -> formatG(number(fn, args) * 100, 4) + "%";
      case "humanizeDuration" -> humanizeDuration(number(fn, args));
      case "toUpper" -> string(fn, args).toUpperCase(Locale.ROOT);
      case "toLower" -> string(fn, args).toLowerCase(Locale.ROOT);
      case "title" -> title(string(fn, args));
      case "urlquery" -> URLEncoder.encode(string(fn, args), StandardCharsets.UTF_8);
      case "printf" -> printf(args);
      case "tracesURL" -> ctx.externalUrl() + "/traces?service=" + encodedService(ctx);
      case "errorsURL" -> ctx.externalUrl() + "/errors?service=" + encodedService(ctx);
      case "dashboardURL" ->
          ctx.externalUrl()
              + "/dashboards/"
              + URLEncoder.encode(string(fn, args), StandardCharsets.UTF_8)
              + "?service="
              + encodedService(ctx);
      default -> throw new IllegalArgumentException("function \"" + fn + "\" not defined");
    };
  }

  private static String encodedService(Context ctx) {
    String service = ctx.labels().getOrDefault("service_name", "");
    if (service.isEmpty()) {
      service = ctx.labels().getOrDefault("service", ctx.labels().getOrDefault("job", ""));
    }
    return URLEncoder.encode(service, StandardCharsets.UTF_8);
  }

  private static double number(String fn, List<Object> args) {
    if (args.size() != 1) {
      throw new IllegalArgumentException(fn + " takes one argument, got " + args.size());
    }
    Object a = args.getFirst();
    if (a instanceof Double d) {
      return d;
    }
    try {
      return Double.parseDouble(String.valueOf(a));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(fn + ": cannot convert \"" + a + "\" to a number");
    }
  }

  private static String string(String fn, List<Object> args) {
    if (args.size() != 1) {
      throw new IllegalArgumentException(fn + " takes one argument, got " + args.size());
    }
    return print(args.getFirst());
  }

  private static String printf(List<Object> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("printf needs a format");
    }
    String format = print(args.getFirst()).replace("%v", "%s");
    Object[] rest = new Object[args.size() - 1];
    for (int i = 1; i < args.size(); i++) {
      Object a = args.get(i);
      boolean integral = a instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d);
      rest[i - 1] = integral && format.contains("%d") ? ((Double) a).longValue() : a;
    }
    try {
      return String.format(Locale.ROOT, format, rest);
    } catch (IllegalFormatException e) {
      throw new IllegalArgumentException("printf " + format + ": " + e.getMessage());
    }
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean start = true;
    for (char c : s.toCharArray()) {
      sb.append(start ? Character.toTitleCase(c) : c);
      start = !Character.isLetterOrDigit(c);
    }
    return sb.toString();
  }

  private static String print(Object o) {
    return switch (o) {
      case null -> "<no value>";
      case Double d -> formatV(d);
      case Map<?, ?> m -> {
        StringBuilder sb = new StringBuilder("map[");
        boolean first = true;
        for (var e : new java.util.TreeMap<>(m).entrySet()) {
          if (!first) {
            sb.append(' ');
          }
          first = false;
          sb.append(e.getKey()).append(':').append(e.getValue());
        }
        yield sb.append(']').toString();
      }
      default -> o.toString();
    };
  }

  // ---- Prometheus' humanize functions and Go's float formatting

  static String humanize(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return formatG(v, 4);
    }
    if (Math.abs(v) >= 1) {
      String[] prefixes = {"", "k", "M", "G", "T", "P", "E", "Z", "Y"};
      int i = 0;
      while (Math.abs(v) >= 1000 && i < prefixes.length - 1) {
        v /= 1000;
        i++;
      }
      return formatG(v, 4) + prefixes[i];
    }
    String[] prefixes = {"", "m", "u", "n", "p", "f", "a", "z", "y"};
    int i = 0;
    while (Math.abs(v) < 1 && i < prefixes.length - 1) {
      v *= 1000;
      i++;
    }
    return formatG(v, 4) + prefixes[i];
  }

  static String humanize1024(double v) {
    if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) {
      return formatG(v, 4);
    }
    String[] prefixes = {"", "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
    int i = 0;
    while (Math.abs(v) >= 1024 && i < prefixes.length - 1) {
      v /= 1024;
      i++;
    }
    return formatG(v, 4) + prefixes[i];
  }

  static String humanizeDuration(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return formatG(v, 4);
    }
    if (v == 0) {
      return "0s";
    }
    if (Math.abs(v) >= 1) {
      String sign = v < 0 ? "-" : "";
      double a = Math.abs(v);
      long seconds = (long) a % 60;
      long minutes = (long) (a / 60) % 60;
      long hours = (long) (a / 3600) % 24;
      long days = (long) (a / 86400);
      if (days != 0) {
        return String.format(Locale.ROOT, "%s%dd %dh %dm %ds", sign, days, hours, minutes, seconds);
      }
      if (hours != 0) {
        return String.format(Locale.ROOT, "%s%dh %dm %ds", sign, hours, minutes, seconds);
      }
      if (minutes != 0) {
        return String.format(Locale.ROOT, "%s%dm %ds", sign, minutes, seconds);
      }
      return sign + formatG(a, 4) + "s";
    }
    String[] prefixes = {"m", "u", "n", "p", "f", "a", "z", "y"};
    int i = 0;
    double a = v;
    while (Math.abs(a) < 1 && i < prefixes.length - 1) {
      a *= 1000;
      i++;
    }
    return formatG(a, 4) + prefixes[Math.max(0, i - 1)] + "s";
  }

  /** Go's {@code %.<precision>g}. */
  static String formatG(double v, int precision) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    return goG(d, precision);
  }

  /** Go's {@code %v} for a float64: shortest digits, exponent form from 1e6 or below 1e-4. */
  static String formatV(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      return formatG(v, 4);
    }
    return goG(new BigDecimal(Double.toString(v)), 6);
  }

  private static String goG(BigDecimal d, int exponentLimit) {
    d = d.stripTrailingZeros();
    int exp = d.precision() - d.scale() - 1;
    if (exp < -4 || exp >= exponentLimit) {
      String digits = d.unscaledValue().abs().toString();
      StringBuilder sb = new StringBuilder();
      if (d.signum() < 0) {
        sb.append('-');
      }
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int ae = Math.abs(exp);
      if (ae < 10) {
        sb.append('0');
      }
      return sb.append(ae).toString();
    }
    return d.toPlainString();
  }
}
