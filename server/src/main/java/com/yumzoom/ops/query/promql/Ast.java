package com.yumzoom.ops.query.promql;

import java.util.List;

/** The PromQL syntax tree. Durations and timestamps are in milliseconds. */
public final class Ast {
  private Ast() {}

  /** Value types of PromQL expressions. */
  public enum Type {
    SCALAR,
    VECTOR,
    MATRIX,
    STRING
  }

  /** Any PromQL expression. */
  public sealed interface Expr
      permits NumberLiteral,
          StringLiteral,
          VectorSelector,
          MatrixSelector,
          Subquery,
          Aggregation,
          Call,
          Unary,
          Binary,
          Paren {}

  /** {@code @} modifier: a fixed timestamp, or the query's start or end. */
  public enum AtKind {
    NONE,
    TIMESTAMP,
    START,
    END
  }

  /** Offset and {@code @} modifiers shared by selectors and subqueries. */
  public record Modifiers(long offsetMs, AtKind at, long atMs) {
    static final Modifiers NONE = new Modifiers(0, AtKind.NONE, 0);
  }

  public record NumberLiteral(double value) implements Expr {}

  public record StringLiteral(String value) implements Expr {}

  public record VectorSelector(String name, List<LabelMatcher> matchers, Modifiers mods)
      implements Expr {
    public VectorSelector {
      matchers = List.copyOf(matchers);
    }
  }

  public record MatrixSelector(VectorSelector selector, long rangeMs) implements Expr {}

  public record Subquery(Expr expr, long rangeMs, long stepMs, Modifiers mods) implements Expr {}

  public record Aggregation(
      String op, Expr param, Expr expr, List<String> grouping, boolean without) implements Expr {
    public Aggregation {
      grouping = List.copyOf(grouping);
    }
  }

  public record Call(String function, List<Expr> args) implements Expr {
    public Call {
      args = List.copyOf(args);
    }
  }

  public record Unary(boolean negate, Expr expr) implements Expr {}

  /** Cardinality of a vector match. */
  public enum Card {
    ONE_TO_ONE,
    MANY_TO_ONE,
    ONE_TO_MANY
  }

  /**
   * Vector matching: {@code on} (true) or {@code ignoring} (false) with its labels; {@code
   * explicit} tells whether on/ignoring was written at all.
   */
  public record Matching(
      boolean explicit, boolean on, List<String> labels, Card card, List<String> include) {
    public Matching {
      labels = List.copyOf(labels);
      include = List.copyOf(include);
    }

    static final Matching DEFAULT =
        new Matching(false, false, List.of(), Card.ONE_TO_ONE, List.of());
  }

  public record Binary(String op, Expr lhs, Expr rhs, boolean returnBool, Matching matching)
      implements Expr {}

  public record Paren(Expr expr) implements Expr {}

  /** Static type of an expression. */
  public static Type typeOf(Expr e) {
    return switch (e) {
      case NumberLiteral n -> Type.SCALAR;
      case StringLiteral s -> Type.STRING;
      case VectorSelector v -> Type.VECTOR;
      case MatrixSelector m -> Type.MATRIX;
      case Subquery s -> Type.MATRIX;
      case Aggregation a -> Type.VECTOR;
      case Call c -> Functions.signature(c.function()).returns();
      case Unary u -> typeOf(u.expr());
      case Binary b ->
          typeOf(b.lhs()) == Type.SCALAR && typeOf(b.rhs()) == Type.SCALAR
              ? Type.SCALAR
              : Type.VECTOR;
      case Paren p -> typeOf(p.expr());
    };
  }
}
