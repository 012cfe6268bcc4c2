package com.yumzoom.ops.query.promql;

import com.yumzoom.ops.query.promql.Ast.Expr;
import com.yumzoom.ops.query.promql.Ast.Type;
import com.yumzoom.ops.query.promql.Values.*;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the PromQL engine: parses and evaluates instant and range queries over a {@link
 * SeriesSource}. Stateless apart from its source; safe to share if the source is.
 */
public final class PromqlEngine {
  public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(5);

  /** Prometheus' limit on steps of one range query. */
  public static final int MAX_POINTS = 11_000;

  private final SeriesSource source;
  private final long lookbackMs;

  public PromqlEngine(SeriesSource source) {
    this(source, DEFAULT_LOOKBACK);
  }

  public PromqlEngine(SeriesSource source, Duration lookback) {
    if (lookback.isNegative() || lookback.isZero()) {
      throw new IllegalArgumentException("lookback must be positive, got " + lookback);
    }
    this.source = source;
    this.lookbackMs = lookback.toMillis();
  }

  /** Instant query at {@code t}: a Scalar, Str, Vector or (for a range selector) Matrix. */
  public Value instant(String expr, Instant t) {
    return instant(Parser.parse(expr), t.toEpochMilli());
  }

  public Value instant(Expr expr, long tMs) {
    SeriesSource cached = new CachingSource(source, aheadMs(expr, 0));
    return new Evaluator(cached, tMs, tMs, 0, lookbackMs).eval(expr, tMs);
  }

  /** Range query: evaluates at start, start+step, ... up to end; the result is always a Matrix. */
  public Matrix range(String expr, Instant start, Instant end, Duration step) {
    return range(Parser.parse(expr), start.toEpochMilli(), end.toEpochMilli(), step.toMillis());
  }

  public Matrix range(Expr expr, long startMs, long endMs, long stepMs) {
    if (stepMs <= 0) {
      throw new IllegalArgumentException("step must be positive, got " + stepMs + " ms");
    }
    if (endMs < startMs) {
      throw new IllegalArgumentException("end must not be before start");
    }
    if ((endMs - startMs) / stepMs >= MAX_POINTS) {
      throw new IllegalArgumentException(
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query"
              + " resolution (?step=XX)");
    }
    Type type = Ast.typeOf(expr);
    if (type != Type.SCALAR && type != Type.VECTOR) {
      throw PromqlException.exec(
          "invalid expression type \""
              + Parser.typeName(type)
              + "\" for range query, must be"
              + " Scalar or instant Vector");
    }
    SeriesSource cached = new CachingSource(source, aheadMs(expr, endMs - startMs));
    Evaluator ev = new Evaluator(cached, startMs, endMs, stepMs, lookbackMs);
    Map<Labels, List<Point>> acc = new LinkedHashMap<>();
    for (long t = startMs; t <= endMs; t += stepMs) {
      Evaluator.checkInterrupted();
      Value v = ev.eval(expr, t);
      if (v instanceof Scalar s) {
        acc.computeIfAbsent(Labels.EMPTY, k -> new ArrayList<>()).add(new Point(t, s.value()));
      } else if (v instanceof Vector vec) {
        for (Sample s : vec.samples()) {
          acc.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(new Point(t, s.value()));
        }
      }
    }
    List<Series> out = new ArrayList<>();
    acc.forEach((l, p) -> out.add(new Series(l, p)));
    return new Matrix(out);
  }

  /**
   * How far past a step's window the rest of the evaluation may read: the sweep plus subqueries.
   */
  private static long aheadMs(Expr e, long sweep) {
    return sweep + subqueryRanges(e);
  }

  private static long subqueryRanges(Expr e) {
    return switch (e) {
      case Ast.Subquery sq -> sq.rangeMs() + subqueryRanges(sq.expr());
      case Ast.Aggregation a ->
          Math.max(subqueryRanges(a.expr()), a.param() == null ? 0 : subqueryRanges(a.param()));
      case Ast.Call c -> c.args().stream().mapToLong(PromqlEngine::subqueryRanges).max().orElse(0);
      case Ast.Unary u -> subqueryRanges(u.expr());
      case Ast.Binary b -> Math.max(subqueryRanges(b.lhs()), subqueryRanges(b.rhs()));
      case Ast.Paren p -> subqueryRanges(p.expr());
      default -> 0;
    };
  }

  /** Parses without evaluating, for validation; throws {@link PromqlException}. */
  public static Expr parse(String expr) {
    return Parser.parse(expr);
  }
}
