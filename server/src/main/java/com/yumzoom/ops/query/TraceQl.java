package com.yumzoom.ops.query;

import com.yumzoom.ops.query.SearchFilter.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The subset of TraceQL that Grafana's Tempo search builder emits: one spanset of conditions joined
 * by {@code &&}, such as
 *
 * <pre>{resource.service.name="api" && name=~"GET /a|GET /b" && span.http.method="GET"
 *  && duration>100ms && status=error}</pre>
 *
 * <p>Supported: {@code {}}; string equality and {@code =~} with literal alternatives ({@code
 * "a|b"}) on {@code name}, {@code resource.*}, {@code span.*} and unscoped {@code .*} attributes,
 * {@code rootServiceName} and {@code rootName}; {@code = > >= < <=} on {@code duration} and {@code
 * traceDuration} (and their {@code span:}/{@code trace:} spellings); {@code status=error}.
 * Everything else (other operators, {@code ||}, parentheses, pipelines, aggregates, other
 * intrinsics and scopes, real regular expressions) is refused with a message naming the construct,
 * rather than silently answering a different question.
 *
 * <p>A hand-written lexer and recursive-descent parser: the grammar is a dozen tokens and one
 * production, and error messages can then name exactly what was not understood.
 */
final class TraceQl {

  private static final String PARAM = "q";

  /** Intrinsics TraceQL knows but this subset cannot evaluate, for a precise refusal. */
  private static final Set<String> UNSUPPORTED_INTRINSICS =
      Set.of(
          "kind",
          "span:kind",
          "statusMessage",
          "span:statusMessage",
          "span:id",
          "span:parentID",
          "trace:id",
          "parent",
          "childCount",
          "nestedSetLeft",
          "nestedSetRight",
          "nestedSetParent",
          "event:name",
          "event:timeSinceStart",
          "link:spanID",
          "link:traceID",
          "instrumentation:name",
          "instrumentation:version");

  private enum Kind {
    LBRACE,
    RBRACE,
    LPAREN,
    RPAREN,
    AND,
    OR,
    PIPE,
    OP,
    STRING,
    WORD,
    EOF
  }

  private record Token(Kind kind, String text, int position) {
    String describe() {
      return switch (kind) {
        case EOF -> "end of query";
        case STRING -> "string \"" + text + "\"";
        default -> "'" + text + "'";
      };
    }
  }

  private final String query;
  private final List<Token> tokens;
  private final SearchFilter.Builder builder;
  private int next;

  private TraceQl(String query, SearchFilter.Builder builder) {
    this.query = query;
    this.tokens = lex(query);
    this.builder = builder;
  }

  /**
   * Adds the conditions of {@code query} to {@code builder}.
   *
   * @throws BadRequestException naming parameter {@code q} and the construct not understood
   */
  static void parseInto(String query, SearchFilter.Builder builder) {
    new TraceQl(query, builder).parse();
  }

  private void parse() {
    if (peek().kind == Kind.EOF) {
      return;
    }
    expect(Kind.LBRACE, "a query starts with '{'");
    if (peek().kind == Kind.RBRACE) {
      take();
    } else {
      while (true) {
        condition();
        Token t = take();
        if (t.kind == Kind.AND) {
          continue;
        }
        if (t.kind == Kind.RBRACE) {
          break;
        }
        if (t.kind == Kind.OR) {
          throw unsupported("'||' is not supported; join conditions with '&&'");
        }
        throw error("expected '&&' or '}' but found " + t.describe(), t);
      }
    }
    Token t = take();
    switch (t.kind) {
      case EOF -> {}
      case PIPE -> throw unsupported("pipelines ('| ...') are not supported");
      case AND, OR, OP -> throw unsupported("combining spansets is not supported");
      default -> throw error("unexpected " + t.describe() + " after the spanset", t);
    }
  }

  private void condition() {
    Token field = take();
    if (field.kind == Kind.LPAREN) {
      throw unsupported("parentheses are not supported");
    }
    if (field.kind != Kind.WORD) {
      throw error(
          "expected a field such as name or span.http.method but found " + field.describe(), field);
    }
    Token op = take();
    if (op.kind != Kind.OP) {
      throw error("expected an operator after " + field.text + " but found " + op.describe(), op);
    }
    Token value = take();
    if (value.kind != Kind.STRING && value.kind != Kind.WORD) {
      throw error(
          "expected a value after " + field.text + op.text + " but found " + value.describe(),
          value);
    }
    apply(field.text, op.text, value);
  }

  private void apply(String field, String op, Token value) {
    switch (field) {
      case "name", "span:name" -> builder.spanName(strings(field, op, value));
      case "rootServiceName", "trace:rootService" -> builder.rootService(strings(field, op, value));
      case "rootName", "trace:rootName" -> builder.rootName(strings(field, op, value));
      case "duration", "span:duration" -> builder.spanDuration(comparison(field, op), nanos(value));
      case "traceDuration", "trace:duration" ->
          builder.traceDuration(comparison(field, op), nanos(value));
      case "status", "span:status" -> {
        if (!op.equals("=") || value.kind != Kind.WORD || !value.text.equals("error")) {
          throw unsupported(
              "'" + field + op + value.text + "' is not supported; only " + field + "=error is");
        }
        builder.errorsOnly();
      }
      default -> attribute(field, op, value);
    }
  }

  private void attribute(String field, String op, Token value) {
    String key;
    if (field.startsWith("resource.")) {
      key = field.substring("resource.".length());
    } else if (field.startsWith("span.")) {
      key = field.substring("span.".length());
    } else if (field.startsWith(".")) {
      key = field.substring(1);
    } else if (field.startsWith("event.")
        || field.startsWith("link.")
        || field.startsWith("instrumentation.")) {
      throw unsupported(
          "scope '"
              + field.substring(0, field.indexOf('.'))
              + "' in '"
              + field
              + "' is not"
              + " supported; use resource., span. or .");
    } else if (UNSUPPORTED_INTRINSICS.contains(field) || field.contains(":")) {
      throw unsupported("intrinsic '" + field + "' is not supported");
    } else {
      throw new BadRequestException(
          "parameter 'q': unknown field '"
              + field
              + "'; attributes need a scope: span."
              + field
              + ", resource."
              + field
              + " or ."
              + field);
    }
    if (key.isEmpty()) {
      throw new BadRequestException("parameter 'q': '" + field + "' names no attribute");
    }
    List<String> alternatives = strings(field, op, value);
    if (key.equals("service.name")) {
      builder.service(alternatives);
    } else {
      builder.tag(key, alternatives);
    }
  }

  /** Alternatives for a string condition: {@code ="x"}, {@code =~"x|y"}, or a bare literal. */
  private List<String> strings(String field, String op, Token value) {
    switch (op) {
      case "=" -> {
        if (value.kind == Kind.STRING) {
          return List.of(value.text);
        }
        if (isNumberOrBool(value.text)) {
          return List.of(value.text);
        }
        throw new BadRequestException(
            "parameter 'q': value '" + value.text + "' of " + field + " must be quoted");
      }
      case "=~" -> {
        if (value.kind != Kind.STRING) {
          throw new BadRequestException(
              "parameter 'q': the regular expression after " + field + "=~ must be quoted");
        }
        return literalAlternatives(value.text);
      }
      default ->
          throw unsupported(
              "operator '" + op + "' is not supported for " + field + "; use = or =~");
    }
  }

  private Comparison comparison(String field, String op) {
    return switch (op) {
      case "=" -> Comparison.EQ;
      case ">" -> Comparison.GT;
      case ">=" -> Comparison.GE;
      case "<" -> Comparison.LT;
      case "<=" -> Comparison.LE;
      default -> throw unsupported("operator '" + op + "' is not supported for " + field);
    };
  }

  private long nanos(Token value) {
    if (value.kind != Kind.WORD) {
      throw new BadRequestException(
          "parameter 'q': a duration such as 100ms is expected, not " + value.describe());
    }
    long nanos;
    try {
      nanos = GoDuration.parseNanos(value.text);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("parameter 'q': " + e.getMessage());
    }
    if (nanos < 0) {
      throw new BadRequestException("parameter 'q': duration " + value.text + " is negative");
    }
    return nanos;
  }

  /**
   * The literal values of a regular expression of the form {@code a|b|c}; an anchored {@code ^...$}
   * is accepted, an escaped punctuation character stands for itself, and an unescaped '.' is taken
   * literally (Grafana joins selected values with '|' without escaping them). Anything else that
   * makes it a real pattern is refused.
   */
  static List<String> literalAlternatives(String regex) {
    String r = regex;
    if (r.startsWith("^")) {
      r = r.substring(1);
    }
    if (r.endsWith("$") && !r.endsWith("\\$")) {
      r = r.substring(0, r.length() - 1);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        if (i + 1 >= r.length() || Character.isLetterOrDigit(r.charAt(i + 1))) {
          throw notLiteral(regex);
        }
        current.append(r.charAt(++i));
      } else if (c == '|') {
        out.add(current.toString());
        current.setLength(0);
      } else if ("*+?()[]{}^$".indexOf(c) >= 0) {
        throw notLiteral(regex);
      } else {
        current.append(c);
      }
    }
    out.add(current.toString());
    if (out.stream().anyMatch(String::isEmpty)) {
      throw notLiteral(regex);
    }
    return out;
  }

  private static BadRequestException notLiteral(String regex) {
    return new BadRequestException(
        "parameter 'q': regular expression \""
            + regex
            + "\" is not supported; only alternatives of literal values such as \"a|b\" are");
  }

  private static boolean isNumberOrBool(String s) {
    if (s.equals("true") || s.equals("false")) {
      return true;
    }
    try {
      Double.parseDouble(s);
      return !s.endsWith("d") && !s.endsWith("f") && !s.endsWith("D") && !s.endsWith("F");
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token take() {
    Token t = tokens.get(next);
    if (t.kind != Kind.EOF) {
      next++;
    }
    return t;
  }

  private void expect(Kind kind, String message) {
    Token t = take();
    if (t.kind != kind) {
      throw error(message + " but found " + t.describe(), t);
    }
  }

  private BadRequestException error(String message, Token at) {
    return new BadRequestException(
        "parameter 'q': " + message + " at position " + at.position + " of \"" + query + "\"");
  }

  private static BadRequestException unsupported(String message) {
    return new BadRequestException("parameter 'q': " + message);
  }

  private static List<Token> lex(String q) {
    List<Token> out = new ArrayList<>();
    int n = q.length();
    int i = 0;
    while (i < n) {
      char c = q.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '/' && i + 1 < n && q.charAt(i + 1) == '/') {
        while (i < n && q.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      int start = i;
      switch (c) {
        case '{' -> out.add(new Token(Kind.LBRACE, "{", i++));
        case '}' -> out.add(new Token(Kind.RBRACE, "}", i++));
        case '(' -> out.add(new Token(Kind.LPAREN, "(", i++));
        case ')' -> out.add(new Token(Kind.RPAREN, ")", i++));
        case '&' -> {
          if (i + 1 < n && q.charAt(i + 1) == '&') {
            out.add(new Token(Kind.AND, "&&", i));
            i += 2;
          } else {
            throw lexError("unexpected '&'", i, q);
          }
        }
        case '|' -> {
          if (i + 1 < n && q.charAt(i + 1) == '|') {
            out.add(new Token(Kind.OR, "||", i));
            i += 2;
          } else {
            out.add(new Token(Kind.PIPE, "|", i++));
          }
        }
        case '=', '!', '<', '>' -> {
          String two = i + 1 < n ? q.substring(i, i + 2) : "";
          if (two.equals("!=")
              || two.equals("=~")
              || two.equals("!~")
              || two.equals(">=")
              || two.equals("<=")
              || two.equals(">>")
              || two.equals("<<")) {
            out.add(new Token(Kind.OP, two, i));
            i += 2;
          } else if (c == '!') {
            throw lexError("unexpected '!'", i, q);
          } else {
            out.add(new Token(Kind.OP, String.valueOf(c), i++));
          }
        }
        case '"', '`' -> {
          StringBuilder sb = new StringBuilder();
          i = readString(q, i, sb);
          out.add(new Token(Kind.STRING, sb.toString(), start));
        }
        default -> {
          if (!isWordChar(c)) {
            throw lexError("unexpected character '" + c + "'", i, q);
          }
          while (i < n && isWordChar(q.charAt(i))) {
            i++;
          }
          out.add(new Token(Kind.WORD, q.substring(start, i), start));
        }
      }
    }
    out.add(new Token(Kind.EOF, "", n));
    return out;
  }

  /** Reads a "..." (with escapes) or `...` (raw) string; returns the index after it. */
  private static int readString(String q, int open, StringBuilder sb) {
    char quote = q.charAt(open);
    int i = open + 1;
    while (i < q.length()) {
      char c = q.charAt(i);
      if (c == quote) {
        return i + 1;
      }
      if (c == '\\' && quote == '"') {
        if (i + 1 >= q.length()) {
          break;
        }
        char e = q.charAt(i + 1);
        switch (e) {
          case '"', '\\' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          default -> throw lexError("invalid escape '\\" + e + "'", i, q);
        }
        i += 2;
        continue;
      }
      sb.append(c);
      i++;
    }
    throw lexError("unterminated string", open, q);
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c)
        || c == '_'
        || c == '.'
        || c == ':'
        || c == '-'
        || c == '/'
        || c == '\u00b5';
  }

  private static BadRequestException lexError(String message, int position, String q) {
    return new BadRequestException(
        "parameter 'q': " + message + " at position " + position + " of \"" + q + "\"");
  }
}
