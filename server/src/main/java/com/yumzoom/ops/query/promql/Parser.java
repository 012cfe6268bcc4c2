package com.yumzoom.ops.query.promql;

import com.yumzoom.ops.query.promql.Ast.*;
import com.yumzoom.ops.query.promql.Lexer.Kind;
import com.yumzoom.ops.query.promql.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent PromQL parser. Binary precedence, lowest first: or; and unless; comparisons; +
 * -; * / % atan2; ^ (right-associative). Unary minus binds like * (so {@code -a^b} is {@code
 * -(a^b)}), as in Prometheus' yacc grammar. Types are checked as the tree is built, so that errors
 * name the position of the offending token.
 */
final class Parser {
  static final Set<String> AGGREGATIONS =
      Set.of(
          "sum",
          "avg",
          "min",
          "max",
          "count",
          "group",
          "stddev",
          "stdvar",
          "topk",
          "bottomk",
          "quantile",
          "count_values",
          "limitk",
          "limit_ratio");
  private static final Set<String> PARAM_AGGS =
      Set.of("topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio");
  private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=");

  private final List<Token> tokens;
  private int p;

  private Parser(String input) {
    this.tokens = Lexer.lex(input);
  }

  /** Parses a PromQL expression; throws {@link PromqlException} with the error position. */
  public static Expr parse(String input) {
    try {
      return parseUnlocated(input);
    } catch (PromqlException e) {
      throw PromqlException.located(input, e);
    }
  }

  private static Expr parseUnlocated(String input) {
    Parser parser = new Parser(input);
    if (parser.peek().kind() == Kind.EOF) {
      throw PromqlException.parse("no expression found in input", 0);
    }
    Expr e = parser.expr(0);
    if (parser.peek().kind() != Kind.EOF) {
      throw PromqlException.parse("unexpected " + parser.peek(), parser.peek().pos());
    }
    return e;
  }

  private Token peek() {
    return tokens.get(p);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(p + ahead, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(p++);
  }

  private Token expect(String s) {
    Token t = next();
    if (!t.is(s)) {
      throw PromqlException.parse("unexpected " + t + ", expected \"" + s + "\"", t.pos());
    }
    return t;
  }

  private static int precedence(Token t) {
    if (t.kind() == Kind.IDENT) {
      return switch (t.text()) {
        case "or" -> 1;
        case "and", "unless" -> 2;
        case "atan2" -> 5;
        default -> -1;
      };
    }
    if (t.kind() != Kind.OP) {
      return -1;
    }
    return switch (t.text()) {
      case "==", "!=", "<", ">", "<=", ">=" -> 3;
      case "+", "-" -> 4;
      case "*", "/", "%" -> 5;
      case "^" -> 6;
      default -> -1;
    };
  }

  private Expr expr(int minPrec) {
    Expr lhs = unary();
    while (true) {
      Token op = peek();
      int prec = precedence(op);
      if (prec < 0 || prec < minPrec) {
        return lhs;
      }
      next();
      boolean bool = false;
      if (peek().is("bool")) {
        next();
        bool = true;
      }
      Matching matching = matching(op);
      // ^ is right-associative: the right side may hold operators of the same precedence.
      Expr rhs = op.text().equals("^") ? expr(prec) : expr(prec + 1);
      lhs = binary(op, lhs, rhs, bool, matching);
    }
  }

  private Matching matching(Token op) {
    if (!(peek().is("on") || peek().is("ignoring"))) {
      if (peek().is("group_left") || peek().is("group_right")) {
        throw PromqlException.parse("unexpected " + peek() + " without on/ignoring", peek().pos());
      }
      return Matching.DEFAULT;
    }
    boolean on = next().text().equals("on");
    List<String> labels = labelList();
    Card card = Card.ONE_TO_ONE;
    List<String> include = List.of();
    if (peek().is("group_left") || peek().is("group_right")) {
      card = next().text().equals("group_left") ? Card.MANY_TO_ONE : Card.ONE_TO_MANY;
      if (peek().is("(")) {
        include = labelList();
      }
    }
    return new Matching(true, on, labels, card, include);
  }

  private List<String> labelList() {
    expect("(");
    List<String> out = new ArrayList<>();
    while (!peek().is(")")) {
      Token t = next();
      if (t.kind() != Kind.IDENT && t.kind() != Kind.STRING) {
        throw PromqlException.parse(
            "unexpected " + t + " in grouping opts, expected label", t.pos());
      }
      out.add(t.text());
      if (peek().is(",")) {
        next();
      } else if (!peek().is(")")) {
        throw PromqlException.parse(
            "unexpected " + peek() + " in grouping opts, expected \")\" or \",\"", peek().pos());
      }
    }
    next();
    return out;
  }

  private Expr binary(Token op, Expr lhs, Expr rhs, boolean bool, Matching m) {
    String o = op.text();
    Type lt = Ast.typeOf(lhs);
    Type rt = Ast.typeOf(rhs);
    boolean set = o.equals("and") || o.equals("or") || o.equals("unless");
    for (Type t : List.of(lt, rt)) {
      if (t != Type.SCALAR && t != Type.VECTOR) {
        throw PromqlException.parse(
            "binary expression must contain only scalar and instant vector types", op.pos());
      }
    }
    if (bool && !COMPARISONS.contains(o)) {
      throw PromqlException.parse(
          "bool modifier can only be used on comparison operators", op.pos());
    }
    if (COMPARISONS.contains(o) && lt == Type.SCALAR && rt == Type.SCALAR && !bool) {
      throw PromqlException.parse("comparisons between scalars must use BOOL modifier", op.pos());
    }
    if (set && (lt == Type.SCALAR || rt == Type.SCALAR)) {
      throw PromqlException.parse(
          "set operator \"" + o + "\" not allowed in binary scalar expression", op.pos());
    }
    if (m.explicit() && (lt == Type.SCALAR || rt == Type.SCALAR)) {
      throw PromqlException.parse("vector matching only allowed between instant vectors", op.pos());
    }
    if (set && m.card() != Card.ONE_TO_ONE) {
      throw PromqlException.parse("no grouping allowed for \"" + o + "\" operation", op.pos());
    }
    if (m.explicit() && m.on()) {
      for (String l : m.include()) {
        if (m.labels().contains(l)) {
          throw PromqlException.parse(
              "label \"" + l + "\" must not occur in ON and GROUP clause at once", op.pos());
        }
      }
    }
    return new Binary(o, lhs, rhs, bool, m);
  }

  private Expr unary() {
    Token t = peek();
    if (t.is("-") || t.is("+")) {
      next();
      // Unary binds like multiplication: its operand may contain only ^.
      Expr e = expr(6);
      Type type = Ast.typeOf(e);
      if (type != Type.SCALAR && type != Type.VECTOR) {
        throw PromqlException.parse(
            "unary expression only allowed on expressions of type scalar or instant vector",
            t.pos());
      }
      if (e instanceof NumberLiteral n) {
        return new NumberLiteral(t.is("-") ? -n.value() : n.value());
      }
      return t.is("-") ? new Unary(true, e) : e;
    }
    return postfix(primary());
  }

  private Expr postfix(Expr e) {
    while (true) {
      Token t = peek();
      if (t.is("[")) {
        next();
        long range = durationOrNumber();
        if (peek().is(":")) {
          next();
          long step = peek().is("]") ? 0 : durationOrNumber();
          expect("]");
          Type type = Ast.typeOf(e);
          if (type != Type.VECTOR) {
            throw PromqlException.parse(
                "subquery is only allowed on instant vector, got " + type.name().toLowerCase(),
                t.pos());
          }
          e = new Subquery(e, range, step, Modifiers.NONE);
        } else {
          expect("]");
          if (!(e instanceof VectorSelector vs)) {
            throw PromqlException.parse("ranges only allowed for vector selectors", t.pos());
          }
          if (vs.mods().offsetMs() != 0 || vs.mods().at() != AtKind.NONE) {
            throw PromqlException.parse("unexpected \"[\" after modifiers", t.pos());
          }
          if (range <= 0) {
            throw PromqlException.parse("range must be positive", t.pos());
          }
          e = new MatrixSelector(vs, range);
        }
      } else if (t.is("offset")) {
        next();
        boolean neg = false;
        if (peek().is("-")) {
          next();
          neg = true;
        } else if (peek().is("+")) {
          next();
        }
        long off = durationOrNumber();
        e = withMods(e, t, neg ? -off : off, null, 0);
      } else if (t.is("@")) {
        next();
        Token v = next();
        if (v.is("start") || v.is("end")) {
          expect("(");
          expect(")");
          e = withMods(e, t, Long.MIN_VALUE, v.is("start") ? AtKind.START : AtKind.END, 0);
        } else {
          double sign = 1;
          if (v.is("-") || v.is("+")) {
            sign = v.is("-") ? -1 : 1;
            v = next();
          }
          if (v.kind() != Kind.NUMBER) {
            throw PromqlException.parse("unexpected " + v + " in @, expected timestamp", v.pos());
          }
          double ts = sign * v.number();
          if (Double.isNaN(ts) || Double.isInfinite(ts)) {
            throw PromqlException.parse("timestamp out of bounds for @ modifier: " + ts, v.pos());
          }
          e = withMods(e, t, Long.MIN_VALUE, AtKind.TIMESTAMP, Math.round(ts * 1000));
        }
      } else {
        return e;
      }
    }
  }

  /** Applies an offset (or keeps it, with MIN_VALUE) and/or an @ to a selector or subquery. */
  private Expr withMods(Expr e, Token at, long offset, AtKind kind, long atMs) {
    Modifiers old =
        switch (e) {
          case VectorSelector v -> v.mods();
          case MatrixSelector m -> m.selector().mods();
          case Subquery s -> s.mods();
          default ->
              throw PromqlException.parse(
                  (kind == null ? "offset" : "@ modifier")
                      + " modifier must be preceded by an instant vector selector or range vector"
                      + " selector or a subquery",
                  at.pos());
        };
    if (offset != Long.MIN_VALUE && old.offsetMs() != 0) {
      throw PromqlException.parse("offset may not be set multiple times", at.pos());
    }
    if (kind != null && old.at() != AtKind.NONE) {
      throw PromqlException.parse("@ <timestamp> may not be set multiple times", at.pos());
    }
    Modifiers m =
        new Modifiers(
            offset == Long.MIN_VALUE ? old.offsetMs() : offset,
            kind == null ? old.at() : kind,
            kind == null ? old.atMs() : atMs);
    return switch (e) {
      case VectorSelector v -> new VectorSelector(v.name(), v.matchers(), m);
      case MatrixSelector ms ->
          new MatrixSelector(
              new VectorSelector(ms.selector().name(), ms.selector().matchers(), m), ms.rangeMs());
      case Subquery s -> new Subquery(s.expr(), s.rangeMs(), s.stepMs(), m);
      default -> throw new IllegalStateException();
    };
  }

  private long durationOrNumber() {
    Token t = next();
    if (t.kind() == Kind.DURATION) {
      return t.durationMs();
    }
    if (t.kind() == Kind.NUMBER) {
      return Math.round(t.number() * 1000);
    }
    throw PromqlException.parse("unexpected " + t + ", expected duration", t.pos());
  }

  private Expr primary() {
    Token t = peek();
    switch (t.kind()) {
      case NUMBER -> {
        next();
        return new NumberLiteral(t.number());
      }
      case STRING -> {
        next();
        return new StringLiteral(t.text());
      }
      case DURATION -> {
        next();
        return new NumberLiteral(t.durationMs() / 1000.0);
      }
      case EOF -> throw PromqlException.parse("unexpected end of input", t.pos());
      default -> {}
    }
    if (t.is("(")) {
      next();
      Expr e = expr(0);
      expect(")");
      return new Paren(e);
    }
    if (t.is("{")) {
      return selector(null, t);
    }
    if (t.kind() == Kind.IDENT) {
      String name = t.text();
      if (AGGREGATIONS.contains(name)
          && (peek(1).is("(") || peek(1).is("by") || peek(1).is("without"))) {
        return aggregation();
      }
      if (peek(1).is("(")) {
        return call();
      }
      next();
      return selector(name, t);
    }
    throw PromqlException.parse("unexpected " + t, t.pos());
  }

  private Expr aggregation() {
    Token opTok = next();
    String op = opTok.text();
    List<String> grouping = List.of();
    boolean without = false;
    boolean grouped = false;
    if (peek().is("by") || peek().is("without")) {
      without = next().is("without");
      grouping = labelList();
      grouped = true;
    }
    expect("(");
    Expr param = null;
    if (PARAM_AGGS.contains(op)) {
      param = expr(0);
      expect(",");
    }
    Expr e = expr(0);
    if (peek().is(",")) {
      throw PromqlException.parse("unexpected \",\" in aggregation", peek().pos());
    }
    expect(")");
    if (!grouped && (peek().is("by") || peek().is("without"))) {
      without = next().is("without");
      grouping = labelList();
    }
    if (Ast.typeOf(e) != Type.VECTOR) {
      throw PromqlException.parse(
          "expected type instant vector in aggregation expression, got " + typeName(Ast.typeOf(e)),
          opTok.pos());
    }
    if (param != null) {
      Type want = op.equals("count_values") ? Type.STRING : Type.SCALAR;
      if (Ast.typeOf(param) != want) {
        throw PromqlException.parse(
            "expected type "
                + typeName(want)
                + " in aggregation parameter, got "
                + typeName(Ast.typeOf(param)),
            opTok.pos());
      }
    }
    return new Aggregation(op, param, e, grouping, without);
  }

  static String typeName(Type t) {
    return switch (t) {
      case SCALAR -> "scalar";
      case VECTOR -> "instant vector";
      case MATRIX -> "range vector";
      case STRING -> "string";
    };
  }

  private Expr call() {
    Token nameTok = next();
    String name = nameTok.text();
    Functions.Signature sig = Functions.SIGNATURES.get(name);
    if (sig == null) {
      throw PromqlException.parse("unknown function with name \"" + name + "\"", nameTok.pos());
    }
    expect("(");
    List<Expr> args = new ArrayList<>();
    while (!peek().is(")")) {
      args.add(expr(0));
      if (peek().is(",")) {
        next();
      } else if (!peek().is(")")) {
        throw PromqlException.parse("unexpected " + peek() + " in function call", peek().pos());
      }
    }
    next();
    int min = sig.args().size() - sig.optional();
    if (args.size() < min || (!sig.variadic() && args.size() > sig.args().size())) {
      throw PromqlException.parse(
          "expected "
              + (sig.optional() > 0 ? "at least " + min : String.valueOf(sig.args().size()))
              + " argument(s) in call to \""
              + name
              + "\", got "
              + args.size(),
          nameTok.pos());
    }
    for (int i = 0; i < args.size(); i++) {
      Type want = sig.args().get(Math.min(i, sig.args().size() - 1));
      Type got = Ast.typeOf(args.get(i));
      if (want != got) {
        throw PromqlException.parse(
            "expected type "
                + typeName(want)
                + " in call to function \""
                + name
                + "\", got "
                + typeName(got),
            nameTok.pos());
      }
    }
    return new Call(name, args);
  }

  private Expr selector(String name, Token at) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (peek().is("{")) {
      next();
      while (!peek().is("}")) {
        Token l = next();
        if (l.kind() == Kind.STRING && (peek().is(",") || peek().is("}"))) {
          if (name != null) {
            throw PromqlException.parse("metric name must not be set twice", l.pos());
          }
          name = l.text();
        } else {
          if (l.kind() != Kind.IDENT && l.kind() != Kind.STRING) {
            throw PromqlException.parse(
                "unexpected " + l + " in label matching, expected label", l.pos());
          }
          Token op = next();
          LabelMatcher.Op mop =
              switch (op.text()) {
                case "=" -> LabelMatcher.Op.EQ;
                case "!=" -> LabelMatcher.Op.NEQ;
                case "=~" -> LabelMatcher.Op.RE;
                case "!~" -> LabelMatcher.Op.NRE;
                default ->
                    throw PromqlException.parse(
                        "unexpected " + op + " in label matching, expected label matching operator",
                        op.pos());
              };
          Token v = next();
          if (v.kind() != Kind.STRING) {
            throw PromqlException.parse(
                "unexpected " + v + " in label matching, expected string", v.pos());
          }
          try {
            matchers.add(LabelMatcher.of(l.text(), mop, v.text()));
          } catch (IllegalArgumentException e) {
            throw PromqlException.parse(e.getMessage(), v.pos());
          }
        }
        if (peek().is(",")) {
          next();
        } else if (!peek().is("}")) {
          throw PromqlException.parse(
              "unexpected " + peek() + " in label matching, expected \",\" or \"}\"", peek().pos());
        }
      }
      next();
    }
    if (name != null) {
      for (LabelMatcher m : matchers) {
        if (m.name().equals(Labels.NAME)) {
          throw PromqlException.parse(
              "metric name must not be set twice: \"" + name + "\" or \"" + m.value() + "\"",
              at.pos());
        }
      }
      matchers.addFirst(LabelMatcher.of(Labels.NAME, LabelMatcher.Op.EQ, name));
    }
    if (matchers.stream().allMatch(m -> m.matches(""))) {
      throw PromqlException.parse(
          "vector selector must contain at least one non-empty matcher", at.pos());
    }
    return new VectorSelector(name, matchers, Modifiers.NONE);
  }
}
