package com.yumzoom.ops.query.promql;

import java.util.ArrayList;
import java.util.List;

/** Splits PromQL text into tokens; numbers and durations are told apart by a trailing unit. */
final class Lexer {
  enum Kind {
    IDENT,
    NUMBER,
    DURATION,
    STRING,
    OP,
    EOF
  }

  record Token(Kind kind, String text, int pos, double number, long durationMs) {
    boolean is(String s) {
      return (kind == Kind.OP || kind == Kind.IDENT) && text.equals(s);
    }

    @Override
    public String toString() {
      return kind == Kind.EOF ? "end of input" : '"' + text + '"';
    }
  }

  private static final String[] OPS = {
    "!=", "=~", "!~", "==", "<=", ">=", "(", ")", "{", "}", "[", "]", ",", ":", "=", "<", ">", "+",
    "-", "*", "/", "%", "^", "@"
  };

  /** Words matched case-insensitively: operators, modifiers and every aggregation name. */
  private static final java.util.Set<String> KEYWORDS =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of(
                  "and",
                  "or",
                  "unless",
                  "by",
                  "without",
                  "on",
                  "ignoring",
                  "group_left",
                  "group_right",
                  "bool",
                  "offset",
                  "atan2"),
              Parser.AGGREGATIONS.stream())
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  static List<Token> lex(String in) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = in.length();
    int brackets = 0;
    while (i < n) {
      char c = in.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '#') {
        while (i < n && in.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      int start = i;
      if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(in.charAt(i + 1)))) {
        // Duration: digits followed by a unit letter (possibly several groups, 1h30m).
        int j = i;
        while (j < n && Character.isDigit(in.charAt(j))) {
          j++;
        }
        if (j > i && j < n && isUnitStart(in, j)) {
          long total = 0;
          int k = i;
          while (k < n && Character.isDigit(in.charAt(k))) {
            int d = k;
            while (k < n && Character.isDigit(in.charAt(k))) {
              k++;
            }
            long num = Long.parseLong(in.substring(d, k));
            int u = unitLength(in, k);
            if (u == 0) {
              throw PromqlException.parse("bad duration " + in.substring(i, k), i);
            }
            total += num * unitMs(in.substring(k, k + u));
            k += u;
          }
          out.add(new Token(Kind.DURATION, in.substring(i, k), start, 0, total));
          i = k;
          continue;
        }
        j = i;
        if (c == '0' && j + 1 < n && (in.charAt(j + 1) == 'x' || in.charAt(j + 1) == 'X')) {
          j += 2;
          while (j < n && Character.digit(in.charAt(j), 16) >= 0) {
            j++;
          }
          out.add(
              new Token(
                  Kind.NUMBER,
                  in.substring(i, j),
                  start,
                  Long.parseLong(in.substring(i + 2, j), 16),
                  0));
          i = j;
          continue;
        }
        while (j < n && (Character.isDigit(in.charAt(j)) || in.charAt(j) == '.')) {
          j++;
        }
        if (j < n && (in.charAt(j) == 'e' || in.charAt(j) == 'E')) {
          int k = j + 1;
          if (k < n && (in.charAt(k) == '+' || in.charAt(k) == '-')) {
            k++;
          }
          if (k < n && Character.isDigit(in.charAt(k))) {
            j = k;
            while (j < n && Character.isDigit(in.charAt(j))) {
              j++;
            }
          }
        }
        String text = in.substring(i, j);
        double v;
        try {
          v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw PromqlException.parse("bad number \"" + text + "\"", i);
        }
        out.add(new Token(Kind.NUMBER, text, start, v, 0));
        i = j;
        continue;
      }
      if (c == '[') {
        brackets++;
      } else if (c == ']') {
        brackets--;
      }
      if (Character.isLetter(c) || c == '_' || (c == ':' && brackets == 0)) {
        int j = i;
        while (j < n
            && (Character.isLetterOrDigit(in.charAt(j))
                || in.charAt(j) == '_'
                || in.charAt(j) == ':')) {
          j++;
        }
        String text = in.substring(i, j);
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf")) {
          out.add(new Token(Kind.NUMBER, text, start, Double.POSITIVE_INFINITY, 0));
        } else if (lower.equals("nan")) {
          out.add(new Token(Kind.NUMBER, text, start, Double.NaN, 0));
        } else {
          // Keywords and aggregation operators are case-insensitive, as in Prometheus.
          String t = KEYWORDS.contains(lower) ? lower : text;
          out.add(new Token(Kind.IDENT, t, start, 0, 0));
        }
        i = j;
        continue;
      }
      if (c == '"' || c == '\'' || c == '`') {
        StringBuilder sb = new StringBuilder();
        int j = i + 1;
        while (true) {
          if (j >= n) {
            throw PromqlException.parse("unterminated quoted string", start);
          }
          char d = in.charAt(j);
          if (d == c) {
            j++;
            break;
          }
          if (d == '\\' && c != '`') {
            j++;
            if (j >= n) {
              throw PromqlException.parse("unterminated quoted string", start);
            }
            char e = in.charAt(j);
            switch (e) {
              case 'n' -> sb.append('\n');
              case 't' -> sb.append('\t');
              case 'r' -> sb.append('\r');
              case 'a' -> sb.append('\u0007');
              case 'b' -> sb.append('\b');
              case 'f' -> sb.append('\f');
              case 'v' -> sb.append('\u000b');
              case '\\', '"', '\'', '`' -> sb.append(e);
              case 'x' -> {
                sb.append((char) Integer.parseInt(in.substring(j + 1, j + 3), 16));
                j += 2;
              }
              case 'u' -> {
                sb.append((char) Integer.parseInt(in.substring(j + 1, j + 5), 16));
                j += 4;
              }
              case 'U' -> {
                sb.appendCodePoint(Integer.parseInt(in.substring(j + 1, j + 9), 16));
                j += 8;
              }
              default -> {
                if (e >= '0' && e <= '7') {
                  sb.append((char) Integer.parseInt(in.substring(j, j + 3), 8));
                  j += 2;
                } else {
                  throw PromqlException.parse("unknown escape sequence \\" + e, j - 1);
                }
              }
            }
            j++;
            continue;
          }
          sb.append(d);
          j++;
        }
        out.add(new Token(Kind.STRING, sb.toString(), start, 0, 0));
        i = j;
        continue;
      }
      boolean found = false;
      for (String op : OPS) {
        if (in.startsWith(op, i)) {
          out.add(new Token(Kind.OP, op, start, 0, 0));
          i += op.length();
          found = true;
          break;
        }
      }
      if (!found) {
        throw PromqlException.parse("unexpected character \"" + c + "\"", i);
      }
    }
    out.add(new Token(Kind.EOF, "", n, 0, 0));
    return out;
  }

  private static boolean isUnitStart(String in, int j) {
    return unitLength(in, j) > 0;
  }

  private static int unitLength(String in, int j) {
    if (j >= in.length()) {
      return 0;
    }
    int len = in.startsWith("ms", j) ? 2 : "smhdwy".indexOf(in.charAt(j)) >= 0 ? 1 : 0;
    // A unit must not run into an identifier (e.g. "5min" is not a duration).
    if (len > 0 && j + len < in.length()) {
      char next = in.charAt(j + len);
      if (Character.isLetter(next) || next == '_') {
        return 0;
      }
    }
    return len;
  }

  private static long unitMs(String unit) {
    return switch (unit) {
      case "ms" -> 1;
      case "s" -> 1000;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      case "d" -> 86_400_000;
      case "w" -> 7 * 86_400_000L;
      case "y" -> 365 * 86_400_000L;
      default -> throw new IllegalArgumentException(unit);
    };
  }

  /** Parses a standalone duration such as {@code 1h30m} or a plain number of seconds. */
  static long parseDuration(String s) {
    List<Token> t = lex(s.trim());
    if (t.size() == 2 && t.get(0).kind() == Kind.DURATION) {
      return t.get(0).durationMs();
    }
    if (t.size() == 2 && t.get(0).kind() == Kind.NUMBER) {
      return Math.round(t.get(0).number() * 1000);
    }
    throw new IllegalArgumentException("bad duration " + s);
  }
}
