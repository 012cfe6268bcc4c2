package com.yumzoom.ops.query.promql;

import com.yumzoom.ops.query.promql.Ast.*;
import com.yumzoom.ops.query.promql.Values.*;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a PromQL tree at one timestamp. Range queries and subqueries evaluate step by step,
 * which keeps every operator a function of one instant (the semantics Prometheus defines) at the
 * cost of re-reading samples per step; a source with an index keeps that cheap.
 */
final class Evaluator {
  /** Bounds one subquery's work: a tiny step over a long range would otherwise run for hours. */
  static final int MAX_SUBQUERY_STEPS = 1_000_000;

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private final SeriesSource source;
  private final long start;
  private final long end;
  private final long step;
  private final long lookback;

  /** The step selectors are evaluated at: the query's, or a subquery's while inside one. */
  private long selectStep;

  Evaluator(SeriesSource source, long start, long end, long step, long lookback) {
    this.source = source;
    this.start = start;
    this.end = end;
    this.step = step;
    this.lookback = lookback;
    this.selectStep = step;
  }

  /** Lets a caller cancel a long query by interrupting its thread. */
  static void checkInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new PromqlException("canceled", "query was canceled", -1);
    }
  }

  Value eval(Expr e, long t) {
    return switch (e) {
      case NumberLiteral n -> new Scalar(n.value());
      case StringLiteral s -> new Str(s.value());
      case Paren p -> eval(p.expr(), t);
      case VectorSelector vs -> selectVector(vs, t);
      case MatrixSelector ms -> selectMatrix(ms, t).matrix();
      case Subquery sq -> subquery(sq, t).matrix();
      case Unary u -> unary(u, t);
      case Binary b -> binary(b, t);
      case Aggregation a -> aggregate(a, t);
      case Call c -> call(c, t);
    };
  }

  private long ref(Modifiers m, long t) {
    long base =
        switch (m.at()) {
          case NONE -> t;
          case TIMESTAMP -> m.atMs();
          case START -> start;
          case END -> end;
        };
    return base - m.offsetMs();
  }

  private Vector selectVector(VectorSelector vs, long t) {
    long r = ref(vs.mods(), t);
    List<Sample> out = new ArrayList<>();
    for (SeriesSource.Series s :
        source.select(
            vs.matchers(), r - lookback + 1, r, new SeriesSource.Hints(selectStep, 0, lookback))) {
      int last = s.values().length - 1;
      double v = s.values()[last];
      if (!Values.isStale(v)) {
        out.add(new Sample(s.labels(), v, s.timestamps()[last]));
      }
    }
    return new Vector(out);
  }

  /** A range-vector argument together with the window it covers. */
  record RangeArg(Matrix matrix, long rangeStart, long rangeEnd, long rangeMs) {}

  private RangeArg selectMatrix(MatrixSelector ms, long t) {
    long r = ref(ms.selector().mods(), t);
    long from = r - ms.rangeMs();
    List<Values.Series> out = new ArrayList<>();
    for (SeriesSource.Series s :
        source.select(
            ms.selector().matchers(),
            from + 1,
            r,
            new SeriesSource.Hints(selectStep, ms.rangeMs(), lookback))) {
      List<Point> pts = new ArrayList<>(s.values().length);
      for (int i = 0; i < s.values().length; i++) {
        if (!Values.isStale(s.values()[i])) {
          pts.add(new Point(s.timestamps()[i], s.values()[i]));
        }
      }
      if (!pts.isEmpty()) {
        out.add(new Values.Series(s.labels(), pts));
      }
    }
    return new RangeArg(new Matrix(out), from, r, ms.rangeMs());
  }

  private RangeArg subquery(Subquery sq, long t) {
    long r = ref(sq.mods(), t);
    long st = sq.stepMs() > 0 ? sq.stepMs() : (step > 0 ? step : 60_000);
    long from = r - sq.rangeMs();
    long first = Math.floorDiv(from, st) * st;
    if (first <= from) {
      first += st;
    }
    if ((r - first) / st >= MAX_SUBQUERY_STEPS) {
      throw PromqlException.exec(
          "subquery would evaluate "
              + ((r - first) / st + 1)
              + " steps, more than "
              + MAX_SUBQUERY_STEPS
              + "; use a larger subquery step");
    }
    Map<Labels, List<Point>> acc = new LinkedHashMap<>();
    long outerStep = selectStep;
    selectStep = selectStep == 0 ? st : Math.min(selectStep, st);
    try {
      subquerySteps(sq, first, r, st, acc);
    } finally {
      selectStep = outerStep;
    }
    List<Values.Series> out = new ArrayList<>();
    acc.forEach((l, p) -> out.add(new Values.Series(l, p)));
    return new RangeArg(new Matrix(out), from, r, sq.rangeMs());
  }

  private void subquerySteps(
      Subquery sq, long first, long r, long st, Map<Labels, List<Point>> acc) {
    for (long ts = first; ts <= r; ts += st) {
      checkInterrupted();
      Value v = eval(sq.expr(), ts);
      if (v instanceof Vector vec) {
        for (Sample s : vec.samples()) {
          acc.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(new Point(ts, s.value()));
        }
      } else if (v instanceof Scalar s) {
        acc.computeIfAbsent(Labels.EMPTY, k -> new ArrayList<>()).add(new Point(ts, s.value()));
      }
    }
  }

  private RangeArg rangeArg(Expr e, long t) {
    while (e instanceof Paren p) {
      e = p.expr();
    }
    return switch (e) {
      case MatrixSelector ms -> selectMatrix(ms, t);
      case Subquery sq -> subquery(sq, t);
      default -> throw PromqlException.exec("expected range vector");
    };
  }

  private Value unary(Unary u, long t) {
    Value v = eval(u.expr(), t);
    if (v instanceof Scalar s) {
      return new Scalar(-s.value());
    }
    Vector vec = (Vector) v;
    List<Sample> out = new ArrayList<>();
    for (Sample s : vec.samples()) {
      out.add(new Sample(s.labels().withoutName(), -s.value(), t));
    }
    return checkUnique(new Vector(out));
  }

  // ---------------------------------------------------------------- binary operators

  private static boolean isComparison(String op) {
    return switch (op) {
      case "==", "!=", "<", ">", "<=", ">=" -> true;
      default -> false;
    };
  }

  /** Returns the value, or null when a comparison is false. */
  private static Double op(String op, double l, double r) {
    return switch (op) {
      case "+" -> l + r;
      case "-" -> l - r;
      case "*" -> l * r;
      case "/" -> l / r;
      case "%" -> l % r;
      case "^" -> Math.pow(l, r);
      case "atan2" -> Math.atan2(l, r);
      case "==" -> l == r ? l : null;
      case "!=" -> l != r ? l : null;
      case "<" -> l < r ? l : null;
      case ">" -> l > r ? l : null;
      case "<=" -> l <= r ? l : null;
      case ">=" -> l >= r ? l : null;
      default -> throw PromqlException.exec("unknown operator " + op);
    };
  }

  private Value binary(Binary b, long t) {
    Value lv = eval(b.lhs(), t);
    Value rv = eval(b.rhs(), t);
    String o = b.op();
    boolean cmp = isComparison(o);
    if (lv instanceof Scalar l && rv instanceof Scalar r) {
      Double v = op(o, l.value(), r.value());
      if (cmp) {
        return new Scalar(v == null ? 0 : 1);
      }
      return new Scalar(v);
    }
    if (lv instanceof Vector l && rv instanceof Scalar r) {
      return vectorScalar(b, l, r.value(), false, t);
    }
    if (lv instanceof Scalar l && rv instanceof Vector r) {
      return vectorScalar(b, r, l.value(), true, t);
    }
    Vector l = (Vector) lv;
    Vector r = (Vector) rv;
    return switch (o) {
      case "and", "or", "unless" -> setOp(b, l, r);
      default -> vectorVector(b, l, r, t);
    };
  }

  private Value vectorScalar(Binary b, Vector vec, double scalar, boolean swap, long t) {
    boolean cmp = isComparison(b.op());
    List<Sample> out = new ArrayList<>();
    for (Sample s : vec.samples()) {
      double l = swap ? scalar : s.value();
      double r = swap ? s.value() : scalar;
      Double v = op(b.op(), l, r);
      if (cmp && swap && v != null) {
        v = r;
      }
      Labels labels = s.labels();
      if (b.returnBool()) {
        v = v == null ? 0.0 : 1.0;
        labels = labels.withoutName();
      } else if (!cmp) {
        labels = labels.withoutName();
      }
      if (v != null) {
        out.add(new Sample(labels, v, t));
      }
    }
    return new Vector(out);
  }

  private static Labels signature(Labels l, Matching m) {
    if (m.on()) {
      return l.keep(m.labels());
    }
    Labels w = l.without(m.labels());
    return w.withoutName();
  }

  private Value setOp(Binary b, Vector l, Vector r) {
    Matching m = b.matching();
    List<Sample> out = new ArrayList<>();
    switch (b.op()) {
      case "and" -> {
        Set<Labels> sigs = new HashSet<>();
        r.samples().forEach(s -> sigs.add(signature(s.labels(), m)));
        for (Sample s : l.samples()) {
          if (sigs.contains(signature(s.labels(), m))) {
            out.add(s);
          }
        }
      }
      case "or" -> {
        Set<Labels> sigs = new HashSet<>();
        for (Sample s : l.samples()) {
          sigs.add(signature(s.labels(), m));
          out.add(s);
        }
        for (Sample s : r.samples()) {
          if (!sigs.contains(signature(s.labels(), m))) {
            out.add(s);
          }
        }
      }
      default -> {
        Set<Labels> sigs = new HashSet<>();
        r.samples().forEach(s -> sigs.add(signature(s.labels(), m)));
        for (Sample s : l.samples()) {
          if (!sigs.contains(signature(s.labels(), m))) {
            out.add(s);
          }
        }
      }
    }
    return new Vector(out);
  }

  private Value vectorVector(Binary b, Vector lhs, Vector rhs, long t) {
    Matching m = b.matching();
    boolean cmp = isComparison(b.op());
    boolean swap = m.card() == Card.ONE_TO_MANY;
    Vector many = swap ? rhs : lhs;
    Vector one = swap ? lhs : rhs;
    Map<Labels, Sample> oneSide = new HashMap<>();
    for (Sample s : one.samples()) {
      Labels sig = signature(s.labels(), m);
      Sample prev = oneSide.put(sig, s);
      if (prev != null) {
        throw PromqlException.exec(
            "found duplicate series for the match group "
                + sig.goString()
                + " on the "
                + (swap ? "left" : "right")
                + " hand-side of the operation: ["
                + prev.labels().goString()
                + ", "
                + s.labels().goString()
                + "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
    }
    Set<Labels> matchedSigs = new HashSet<>();
    Set<Labels> outLabels = new HashSet<>();
    List<Sample> out = new ArrayList<>();
    for (Sample s : many.samples()) {
      Labels sig = signature(s.labels(), m);
      Sample o = oneSide.get(sig);
      if (o == null) {
        continue;
      }
      if (m.card() == Card.ONE_TO_ONE && !matchedSigs.add(sig)) {
        throw PromqlException.exec(
            "multiple matches for labels: many-to-one matching must be explicit"
                + " (group_left/group_right)");
      }
      double lv = swap ? o.value() : s.value();
      double rv = swap ? s.value() : o.value();
      Double v = op(b.op(), lv, rv);
      if (b.returnBool()) {
        v = v == null ? 0.0 : 1.0;
      } else if (v == null) {
        continue;
      }
      Labels labels = resultLabels(b, s.labels(), o.labels(), cmp);
      if (m.card() != Card.ONE_TO_ONE && !outLabels.add(labels)) {
        throw PromqlException.exec(
            "multiple matches for labels: grouping labels must ensure unique matches");
      }
      out.add(new Sample(labels, v, t));
    }
    return new Vector(out);
  }

  private static Labels resultLabels(Binary b, Labels many, Labels one, boolean cmp) {
    Matching m = b.matching();
    TreeMap<String, String> lb = many.mutable();
    if (!cmp || b.returnBool()) {
      lb.remove(Labels.NAME);
    }
    if (m.card() == Card.ONE_TO_ONE) {
      if (m.on()) {
        lb.keySet().retainAll(new HashSet<>(m.labels()));
      } else {
        m.labels().forEach(lb::remove);
      }
    }
    for (String ln : m.include()) {
      String v = one.get(ln);
      if (v.isEmpty()) {
        lb.remove(ln);
      } else {
        lb.put(ln, v);
      }
    }
    return new Labels(lb);
  }

  // ---------------------------------------------------------------- aggregation

  private Value aggregate(Aggregation a, long t) {
    Vector vec = (Vector) eval(a.expr(), t);
    Value param = a.param() == null ? null : eval(a.param(), t);
    String op = a.op();
    Map<Labels, List<Sample>> groups = new LinkedHashMap<>();
    String cvLabel = null;
    if (op.equals("count_values")) {
      cvLabel = ((Str) param).value();
      if (!LABEL_NAME.matcher(cvLabel).matches()) {
        throw PromqlException.exec("invalid label name \"" + cvLabel + "\"");
      }
    }
    for (Sample s : vec.samples()) {
      Labels key =
          a.without()
              ? s.labels().without(a.grouping()).withoutName()
              : s.labels().keep(a.grouping());
      if (cvLabel != null) {
        key = key.with(cvLabel, formatValue(s.value()));
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    List<Sample> out = new ArrayList<>();
    switch (op) {
      case "limit_ratio" -> {
        double r = ((Scalar) param).value();
        if (Double.isNaN(r)) {
          throw PromqlException.exec("Ratio value is NaN");
        }
        double ratio = Math.max(-1, Math.min(1, r));
        for (List<Sample> g : groups.values()) {
          for (Sample s : g) {
            double offset = sampleOffset(s.labels());
            if ((ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio)) {
              out.add(new Sample(s.labels(), s.value(), t));
            }
          }
        }
        return new Vector(out);
      }
      case "topk", "bottomk", "limitk" -> {
        double kf = ((Scalar) param).value();
        if (Double.isNaN(kf)) {
          throw PromqlException.exec("Parameter value is NaN");
        }
        long k = (long) Math.min(kf, Integer.MAX_VALUE);
        if (k < 1) {
          return new Vector(List.of());
        }
        for (List<Sample> g : groups.values()) {
          List<Sample> sorted = new ArrayList<>(g);
          if (!op.equals("limitk")) {
            boolean top = op.equals("topk");
            sorted.sort(
                (x, y) -> {
                  boolean xn = Double.isNaN(x.value());
                  boolean yn = Double.isNaN(y.value());
                  if (xn || yn) {
                    return Boolean.compare(xn, yn);
                  }
                  return top
                      ? Double.compare(y.value(), x.value())
                      : Double.compare(x.value(), y.value());
                });
          }
          for (int i = 0; i < Math.min(k, sorted.size()); i++) {
            Sample s = sorted.get(i);
            out.add(new Sample(s.labels(), s.value(), t));
          }
        }
        return new Vector(out);
      }
      default -> {}
    }
    for (var e : groups.entrySet()) {
      List<Sample> g = e.getValue();
      double[] vals = g.stream().mapToDouble(Sample::value).toArray();
      double v =
          switch (op) {
            case "sum" -> kahanSum(vals);
            case "avg" -> mean(vals);
            case "count", "count_values" -> vals.length;
            case "group" -> 1;
            case "min" -> minMax(vals, false);
            case "max" -> minMax(vals, true);
            case "stddev" -> Math.sqrt(variance(vals));
            case "stdvar" -> variance(vals);
            case "quantile" -> quantile(((Scalar) param).value(), vals);
            default -> throw new UnsupportedFunctionException(op);
          };
      out.add(new Sample(e.getKey(), v, t));
    }
    return new Vector(out);
  }

  /** Prometheus' RatioSampler offset: the label hash as a fraction of 2^64. */
  static double sampleOffset(Labels l) {
    long h = XxHash64.labelsHash(l);
    double unsigned = (double) (h >>> 1) * 2.0 + (h & 1);
    return unsigned / 18446744073709551615.0;
  }

  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e21) {
      return new BigDecimal(v).toPlainString();
    }
    String s = Double.toString(v);
    if (s.contains("E")) {
      // Go's 'g'-style shortest formatting uses an exponent for large/small numbers.
      BigDecimal bd = new BigDecimal(s);
      int exp = bd.precision() - bd.scale() - 1;
      if (exp < -4 || exp >= 21) {
        String mant = bd.movePointLeft(exp).stripTrailingZeros().toPlainString();
        return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
      }
      return bd.toPlainString();
    }
    return s;
  }

  static double[] kahanInc(double inc, double sum, double c) {
    double t = sum + inc;
    if (Double.isInfinite(t)) {
      c = 0;
    } else if (Math.abs(sum) >= Math.abs(inc)) {
      c += (sum - t) + inc;
    } else {
      c += (inc - t) + sum;
    }
    return new double[] {t, c};
  }

  static double kahanSum(double[] vals) {
    double sum = 0;
    double c = 0;
    for (double v : vals) {
      double[] r = kahanInc(v, sum, c);
      sum = r[0];
      c = r[1];
    }
    return Double.isInfinite(sum) ? sum : sum + c;
  }

  static double mean(double[] vals) {
    double s = kahanSum(vals);
    if (!Double.isInfinite(s)) {
      return s / vals.length;
    }
    // The sum overflowed: fall back to an incremental mean, as Prometheus does.
    double mean = 0;
    int n = 0;
    for (double v : vals) {
      n++;
      if (Double.isInfinite(mean)) {
        if (Double.isInfinite(v) && (mean > 0) == (v > 0)) {
          continue;
        }
        if (!Double.isInfinite(v) && !Double.isNaN(v)) {
          continue;
        }
      }
      mean += v / n - mean / n;
    }
    return mean;
  }

  static double minMax(double[] vals, boolean max) {
    double r = vals[0];
    for (double v : vals) {
      if (Double.isNaN(r) || (max ? v > r : v < r)) {
        r = v;
      }
    }
    return r;
  }

  static double variance(double[] vals) {
    double count = 0;
    double mean = 0;
    double m2 = 0;
    for (double v : vals) {
      count++;
      double delta = v - mean;
      mean += delta / count;
      m2 += delta * (v - mean);
    }
    return m2 / count;
  }

  /** Go's sort.Float64s order: NaN before every number. */
  static void sortNaNFirst(double[] s) {
    java.util.Arrays.sort(s);
    int nan = 0;
    for (double v : s) {
      if (Double.isNaN(v)) {
        nan++;
      }
    }
    if (nan > 0) {
      System.arraycopy(s, 0, s, nan, s.length - nan);
      java.util.Arrays.fill(s, 0, nan, Double.NaN);
    }
  }

  static double quantile(double q, double[] vals) {
    if (vals.length == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double[] s = vals.clone();
    sortNaNFirst(s);
    double n = s.length;
    double rank = q * (n - 1);
    int lower = (int) Math.max(0, Math.floor(rank));
    int upper = (int) Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return s[lower] * (1 - weight) + s[upper] * weight;
  }

  // ---------------------------------------------------------------- functions

  private static Vector checkUnique(Vector v) {
    Set<Labels> seen = new HashSet<>();
    for (Sample s : v.samples()) {
      if (!seen.add(s.labels())) {
        throw PromqlException.exec("vector cannot contain metrics with the same labelset");
      }
    }
    return v;
  }

  private Value call(Call c, long t) {
    String f = c.function();
    List<Expr> args = c.args();
    return switch (f) {
      case "time" -> new Scalar(t / 1000.0);
      case "pi" -> new Scalar(Math.PI);
      case "step" -> new Scalar(step / 1000.0);
      case "min_of" -> new Scalar(Math.min(scalarArg(args, 0, t), scalarArg(args, 1, t)));
      case "max_of" -> new Scalar(Math.max(scalarArg(args, 0, t), scalarArg(args, 1, t)));
      // These read native histograms only, and this engine stores floats: float samples are
      // ignored, as Prometheus ignores them.
      case "histogram_count",
          "histogram_sum",
          "histogram_avg",
          "histogram_stddev",
          "histogram_stdvar" -> {
        eval(args.get(0), t);
        yield new Vector(List.of());
      }
      case "range" -> new Scalar((end - start) / 1000.0);
      case "start" -> new Scalar(start / 1000.0);
      case "end" -> new Scalar(end / 1000.0);
      case "vector" -> new Vector(List.of(new Sample(Labels.EMPTY, scalarArg(args, 0, t), t)));
      case "scalar" -> {
        Vector v = (Vector) eval(args.get(0), t);
        yield new Scalar(v.samples().size() == 1 ? v.samples().get(0).value() : Double.NaN);
      }
      case "abs" -> map(args, t, Math::abs);
      case "ceil" -> map(args, t, Math::ceil);
      case "floor" -> map(args, t, Math::floor);
      case "exp" -> map(args, t, Math::exp);
      case "ln" -> map(args, t, Math::log);
      case "log2" -> map(args, t, Evaluator::log2);
      case "log10" -> map(args, t, Math::log10);
      case "sqrt" -> map(args, t, Math::sqrt);
      case "sgn" -> map(args, t, Math::signum);
      case "acos" -> map(args, t, Math::acos);
      case "asin" -> map(args, t, Math::asin);
      case "atan" -> map(args, t, Math::atan);
      case "cos" -> map(args, t, Math::cos);
      case "sin" -> map(args, t, Math::sin);
      case "tan" -> map(args, t, Math::tan);
      case "cosh" -> map(args, t, Math::cosh);
      case "sinh" -> map(args, t, Math::sinh);
      case "tanh" -> map(args, t, Math::tanh);
      case "acosh" -> map(args, t, x -> Math.log(x + Math.sqrt(x * x - 1)));
      case "asinh" ->
          map(
              args,
              t,
              x ->
                  Double.isInfinite(x)
                      ? x
                      : Math.copySign(Math.log(Math.abs(x) + Math.sqrt(x * x + 1)), x));
      case "atanh" -> map(args, t, x -> 0.5 * Math.log((1 + x) / (1 - x)));
      case "deg" -> map(args, t, x -> x * 180 / Math.PI);
      case "rad" -> map(args, t, x -> x * Math.PI / 180);
      case "round" -> {
        double to = args.size() > 1 ? scalarArg(args, 1, t) : 1;
        double inv = 1.0 / to;
        yield map(args, t, x -> Math.floor(x * inv + 0.5) / inv);
      }
      case "clamp" -> {
        double min = scalarArg(args, 1, t);
        double max = scalarArg(args, 2, t);
        if (max < min) {
          yield new Vector(List.of());
        }
        yield map(args, t, x -> Math.max(min, Math.min(max, x)));
      }
      case "clamp_min" -> {
        double min = scalarArg(args, 1, t);
        yield map(args, t, x -> Math.max(min, x));
      }
      case "clamp_max" -> {
        double max = scalarArg(args, 1, t);
        yield map(args, t, x -> Math.min(max, x));
      }
      case "timestamp" -> {
        Expr a = args.get(0);
        while (a instanceof Paren p) {
          a = p.expr();
        }
        boolean raw = a instanceof VectorSelector;
        Vector v = (Vector) eval(args.get(0), t);
        List<Sample> out = new ArrayList<>();
        for (Sample s : v.samples()) {
          out.add(new Sample(s.labels().withoutName(), (raw ? s.t() : t) / 1000.0, t));
        }
        yield checkUnique(new Vector(out));
      }
      case "sort", "sort_desc" -> {
        Vector v = (Vector) eval(args.get(0), t);
        List<Sample> s = new ArrayList<>(v.samples());
        boolean desc = f.equals("sort_desc");
        s.sort(
            (x, y) -> {
              boolean xn = Double.isNaN(x.value());
              boolean yn = Double.isNaN(y.value());
              if (xn || yn) {
                return Boolean.compare(xn, yn);
              }
              return desc
                  ? Double.compare(y.value(), x.value())
                  : Double.compare(x.value(), y.value());
            });
        yield new Vector(s);
      }
      case "sort_by_label", "sort_by_label_desc" -> {
        Vector v = (Vector) eval(args.get(0), t);
        List<String> names = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
          names.add(((Str) eval(args.get(i), t)).value());
        }
        Comparator<Sample> cmp =
            (x, y) -> {
              for (String n : names) {
                int r = naturalCompare(x.labels().get(n), y.labels().get(n));
                if (r != 0) {
                  return r;
                }
              }
              return x.labels().compareTo(y.labels());
            };
        List<Sample> s = new ArrayList<>(v.samples());
        s.sort(f.endsWith("_desc") ? cmp.reversed() : cmp);
        yield new Vector(s);
      }
      case "absent" -> {
        Vector v = (Vector) eval(args.get(0), t);
        if (!v.samples().isEmpty()) {
          yield new Vector(List.of());
        }
        yield new Vector(List.of(new Sample(absentLabels(args.get(0)), 1, t)));
      }
      case "absent_over_time" -> {
        RangeArg r = rangeArg(args.get(0), t);
        if (!r.matrix().series().isEmpty()) {
          yield new Vector(List.of());
        }
        Expr a = args.get(0);
        while (a instanceof Paren p) {
          a = p.expr();
        }
        // Prometheus takes labels only from a plain range selector, not from a subquery.
        Expr inner = a instanceof MatrixSelector ms ? ms.selector() : new NumberLiteral(0);
        yield new Vector(List.of(new Sample(absentLabels(inner), 1, t)));
      }
      case "label_replace" -> labelReplace(args, t);
      case "label_join" -> labelJoin(args, t);
      case "histogram_quantile" -> {
        double q = scalarArg(args, 0, t);
        yield histogram((Vector) eval(args.get(1), t), t, b -> bucketQuantile(q, b));
      }
      case "histogram_fraction" -> {
        double lo = scalarArg(args, 0, t);
        double hi = scalarArg(args, 1, t);
        yield histogram((Vector) eval(args.get(2), t), t, b -> bucketFraction(lo, hi, b));
      }
      case "histogram_quantiles" -> {
        Vector v = (Vector) eval(args.get(0), t);
        String label = ((Str) eval(args.get(1), t)).value();
        if (!LABEL_NAME.matcher(label).matches()) {
          throw PromqlException.exec("invalid label name \"" + label + "\"");
        }
        for (Sample s : v.samples()) {
          if (!s.labels().get(label).isEmpty()) {
            throw PromqlException.exec(
                "label \"" + label + "\" already exists in input series " + s.labels());
          }
        }
        List<Sample> out = new ArrayList<>();
        for (int i = 2; i < args.size(); i++) {
          double q = scalarArg(args, i, t);
          String qs = Double.toString(q);
          for (Sample s : histogram(v, t, b -> bucketQuantile(q, b)).samples()) {
            out.add(new Sample(s.labels().with(label, qs), s.value(), t));
          }
        }
        yield new Vector(out);
      }
      case "day_of_month",
          "day_of_week",
          "day_of_year",
          "days_in_month",
          "hour",
          "minute",
          "month",
          "year" ->
          dateFunction(f, args, t);
      case "quantile_over_time" -> {
        double q = scalarArg(args, 0, t);
        yield overTime(f, rangeArg(args.get(1), t), t, vals -> quantile(q, vals));
      }
      case "predict_linear" -> {
        RangeArg r = rangeArg(args.get(0), t);
        double d = scalarArg(args, 1, t);
        yield perSeries(
            f,
            r,
            t,
            pts -> {
              if (pts.size() < 2) {
                return null;
              }
              double[] si = linearRegression(pts, t);
              return si[0] * d + si[1];
            });
      }
      case "double_exponential_smoothing", "holt_winters" -> {
        RangeArg r = rangeArg(args.get(0), t);
        double sf = scalarArg(args, 1, t);
        double tf = scalarArg(args, 2, t);
        if (sf <= 0 || sf >= 1) {
          throw PromqlException.exec(
              "invalid smoothing factor. Expected: 0 < sf < 1, got: " + formatValue(sf));
        }
        if (tf <= 0 || tf >= 1) {
          throw PromqlException.exec(
              "invalid trend factor. Expected: 0 < tf < 1, got: " + formatValue(tf));
        }
        yield perSeries(f, r, t, pts -> holtWinters(pts, sf, tf));
      }
      default -> rangeFunction(f, rangeArg(args.get(0), t), t);
    };
  }

  /** Natural order: runs of digits compare as numbers ("4m5" before "4m600"). */
  static int naturalCompare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        java.math.BigInteger x = new java.math.BigInteger(a.substring(si, i));
        java.math.BigInteger y = new java.math.BigInteger(b.substring(sj, j));
        int c = x.compareTo(y);
        if (c != 0) {
          return c;
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static Double holtWinters(List<Point> pts, double sf, double tf) {
    int l = pts.size();
    if (l < 2) {
      return null;
    }
    double s0 = 0;
    double s1 = pts.get(0).value();
    double b = pts.get(1).value() - pts.get(0).value();
    for (int i = 1; i < l; i++) {
      double x = sf * pts.get(i).value();
      if (i > 1) {
        b = tf * (s1 - s0) + (1 - tf) * b;
      }
      double y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  }

  private static double log2(double x) {
    if (x > 0 && !Double.isInfinite(x)) {
      int exp = Math.getExponent(x);
      if (x == Math.scalb(1.0, exp)) {
        return exp;
      }
    }
    return Math.log(x) / Math.log(2);
  }

  private double scalarArg(List<Expr> args, int i, long t) {
    return ((Scalar) eval(args.get(i), t)).value();
  }

  private Vector map(List<Expr> args, long t, DoubleUnaryOperator fn) {
    Vector v = (Vector) eval(args.get(0), t);
    List<Sample> out = new ArrayList<>();
    for (Sample s : v.samples()) {
      out.add(new Sample(s.labels().withoutName(), fn.applyAsDouble(s.value()), t));
    }
    return checkUnique(new Vector(out));
  }

  private static Labels absentLabels(Expr e) {
    while (e instanceof Paren p) {
      e = p.expr();
    }
    if (!(e instanceof VectorSelector vs)) {
      return Labels.EMPTY;
    }
    Map<String, String> m = new TreeMap<>();
    Set<String> dup = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (LabelMatcher lm : vs.matchers()) {
      if (!seen.add(lm.name())) {
        dup.add(lm.name());
      }
      if (lm.name().equals(Labels.NAME) || lm.op() != LabelMatcher.Op.EQ) {
        continue;
      }
      m.put(lm.name(), lm.value());
    }
    dup.forEach(m::remove);
    return Labels.of(m);
  }

  private Vector labelReplace(List<Expr> args, long t) {
    Vector v = (Vector) eval(args.get(0), t);
    String dst = ((Str) eval(args.get(1), t)).value();
    String repl = ((Str) eval(args.get(2), t)).value();
    String src = ((Str) eval(args.get(3), t)).value();
    String re = ((Str) eval(args.get(4), t)).value();
    Re2 p;
    try {
      p = Re2.anchored(re);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw PromqlException.exec("invalid regular expression in label_replace(): " + re);
    }
    if (!LABEL_NAME.matcher(dst).matches()) {
      throw PromqlException.exec("invalid destination label name in label_replace(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : v.samples()) {
      Matcher mt = p.pattern().matcher(s.labels().get(src));
      Labels l = s.labels();
      if (mt.matches()) {
        String res = expand(repl, mt, p.groupNames());
        l = res.isEmpty() ? l.without(List.of(dst)) : l.with(dst, res);
      }
      out.add(new Sample(l, s.value(), t));
    }
    return checkUnique(new Vector(out));
  }

  /** Go's regexp Expand: $1, ${1}, $name, ${name}, $$. */
  private static String expand(String tmpl, Matcher m, Map<String, String> names) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < tmpl.length()) {
      char c = tmpl.charAt(i);
      if (c != '$' || i + 1 >= tmpl.length()) {
        sb.append(c);
        i++;
        continue;
      }
      char n = tmpl.charAt(i + 1);
      if (n == '$') {
        sb.append('$');
        i += 2;
        continue;
      }
      String name;
      int next;
      if (n == '{') {
        int close = tmpl.indexOf('}', i + 2);
        if (close < 0) {
          sb.append(c);
          i++;
          continue;
        }
        name = tmpl.substring(i + 2, close);
        next = close + 1;
      } else {
        int j = i + 1;
        while (j < tmpl.length()
            && (Character.isLetterOrDigit(tmpl.charAt(j)) || tmpl.charAt(j) == '_')) {
          j++;
        }
        if (j == i + 1) {
          sb.append(c);
          i++;
          continue;
        }
        name = tmpl.substring(i + 1, j);
        next = j;
      }
      String val = "";
      try {
        if (name.chars().allMatch(Character::isDigit)) {
          int g = Integer.parseInt(name);
          if (g <= m.groupCount() && m.group(g) != null) {
            val = m.group(g);
          }
        } else {
          String javaName = names.get(name);
          String gv = javaName == null ? null : m.group(javaName);
          val = gv == null ? "" : gv;
        }
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        val = "";
      }
      sb.append(val);
      i = next;
    }
    return sb.toString();
  }

  private Vector labelJoin(List<Expr> args, long t) {
    Vector v = (Vector) eval(args.get(0), t);
    String dst = ((Str) eval(args.get(1), t)).value();
    String sep = ((Str) eval(args.get(2), t)).value();
    List<String> srcs = new ArrayList<>();
    for (int i = 3; i < args.size(); i++) {
      srcs.add(((Str) eval(args.get(i), t)).value());
    }
    if (!LABEL_NAME.matcher(dst).matches()) {
      throw PromqlException.exec("invalid destination label name in label_join(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : v.samples()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < srcs.size(); i++) {
        if (i > 0) {
          sb.append(sep);
        }
        sb.append(s.labels().get(srcs.get(i)));
      }
      String res = sb.toString();
      Labels l = res.isEmpty() ? s.labels().without(List.of(dst)) : s.labels().with(dst, res);
      out.add(new Sample(l, s.value(), t));
    }
    return checkUnique(new Vector(out));
  }

  private Vector dateFunction(String f, List<Expr> args, long t) {
    Vector v =
        args.isEmpty()
            ? new Vector(List.of(new Sample(Labels.EMPTY, t / 1000.0, t)))
            : (Vector) eval(args.get(0), t);
    List<Sample> out = new ArrayList<>();
    for (Sample s : v.samples()) {
      double x = s.value();
      if (Double.isNaN(x) || Double.isInfinite(x)) {
        out.add(new Sample(s.labels().withoutName(), Double.NaN, t));
        continue;
      }
      ZonedDateTime d = Instant.ofEpochMilli((long) Math.floor(x) * 1000).atZone(ZoneOffset.UTC);
      double r =
          switch (f) {
            case "day_of_month" -> d.getDayOfMonth();
            case "day_of_week" -> d.getDayOfWeek().getValue() % 7;
            case "day_of_year" -> d.getDayOfYear();
            case "days_in_month" -> YearMonth.from(d).lengthOfMonth();
            case "hour" -> d.getHour();
            case "minute" -> d.getMinute();
            case "month" -> d.getMonthValue();
            default -> d.getYear();
          };
      out.add(new Sample(s.labels().withoutName(), r, t));
    }
    return checkUnique(new Vector(out));
  }

  private record Bucket(double upper, double count) {}

  private Vector histogram(Vector v, long t, java.util.function.ToDoubleFunction<List<Bucket>> fn) {
    Map<Labels, List<Bucket>> groups = new LinkedHashMap<>();
    for (Sample s : v.samples()) {
      String le = s.labels().get("le");
      double upper;
      try {
        upper = parseLe(le);
      } catch (NumberFormatException e) {
        continue;
      }
      Labels key = s.labels().without(List.of("le"));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Bucket(upper, s.value()));
    }
    List<Sample> out = new ArrayList<>();
    groups.forEach((k, b) -> out.add(new Sample(k.withoutName(), fn.applyAsDouble(b), t)));
    return checkUnique(new Vector(out));
  }

  private static double parseLe(String le) {
    return switch (le) {
      case "+Inf", "Inf", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(le);
    };
  }

  /** Sorted by upper bound, equal bounds merged; null if there is no +Inf bucket. */
  private static List<double[]> coalesce(List<Bucket> in) {
    List<Bucket> sorted = new ArrayList<>(in);
    sorted.sort(Comparator.comparingDouble(Bucket::upper));
    if (sorted.isEmpty() || sorted.getLast().upper() != Double.POSITIVE_INFINITY) {
      return null;
    }
    List<double[]> b = new ArrayList<>();
    for (Bucket x : sorted) {
      if (!b.isEmpty() && b.getLast()[0] == x.upper()) {
        b.getLast()[1] += x.count();
      } else {
        b.add(new double[] {x.upper(), x.count()});
      }
    }
    return b;
  }

  static double bucketFraction(double lower, double upper, List<Bucket> in) {
    List<double[]> b = coalesce(in);
    if (b == null) {
      return Double.NaN;
    }
    double count = b.getLast()[1];
    if (count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
      return Double.NaN;
    }
    if (lower >= upper) {
      return 0;
    }
    double rank = 0;
    double lowerRank = 0;
    double upperRank = 0;
    boolean lowerSet = false;
    boolean upperSet = false;
    for (int i = 0; i < b.size(); i++) {
      double lowerBound =
          i > 0 ? b.get(i - 1)[0] : (b.get(0)[0] > 0 ? 0 : Double.NEGATIVE_INFINITY);
      double upperBound = b.get(i)[0];
      double bc = b.get(i)[1];
      double r0 = rank;
      java.util.function.DoubleUnaryOperator interp =
          x -> {
            if (Double.isInfinite(lowerBound) || Double.isInfinite(upperBound)) {
              return Double.isInfinite(lowerBound) ? bc : r0;
            }
            return r0 + (bc - r0) * (x - lowerBound) / (upperBound - lowerBound);
          };
      if (!lowerSet && lowerBound >= lower) {
        lowerRank = rank;
        lowerSet = true;
      }
      if (!upperSet && lowerBound >= upper) {
        upperRank = rank;
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      if (!lowerSet && lowerBound < lower && upperBound > lower) {
        lowerRank = interp.applyAsDouble(lower);
        lowerSet = true;
      }
      if (!upperSet && lowerBound < upper && upperBound > upper) {
        upperRank = interp.applyAsDouble(upper);
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      rank = bc;
    }
    if (!lowerSet || lowerRank > count) {
      lowerRank = count;
    }
    if (!upperSet || upperRank > count) {
      upperRank = count;
    }
    return (upperRank - lowerRank) / count;
  }

  static double bucketQuantile(double q, List<Bucket> in) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    List<double[]> b = coalesce(in);
    if (b == null) {
      return Double.NaN;
    }
    double prev = b.get(0)[1];
    for (int i = 1; i < b.size(); i++) {
      double curr = b.get(i)[1];
      if (curr > prev) {
        if (Math.abs(curr - prev) <= 1e-12 * Math.abs(curr)) {
          b.get(i)[1] = prev;
        } else {
          prev = curr;
        }
      } else if (curr < prev) {
        b.get(i)[1] = prev;
      }
    }
    if (b.size() < 2) {
      return Double.NaN;
    }
    double observations = b.getLast()[1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int idx = 0;
    while (idx < b.size() - 1 && !(b.get(idx)[1] >= rank)) {
      idx++;
    }
    if (idx == b.size() - 1) {
      return b.get(b.size() - 2)[0];
    }
    if (idx == 0 && b.get(0)[0] <= 0) {
      return b.get(0)[0];
    }
    double bucketStart = 0;
    double bucketEnd = b.get(idx)[0];
    double count = b.get(idx)[1];
    if (idx > 0) {
      bucketStart = b.get(idx - 1)[0];
      count -= b.get(idx - 1)[1];
      rank -= b.get(idx - 1)[1];
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
  }

  private interface SeriesFn {
    Double apply(List<Point> pts);
  }

  private Vector perSeries(String f, RangeArg r, long t, SeriesFn fn) {
    boolean keep = Functions.KEEP_NAME.contains(f);
    List<Sample> out = new ArrayList<>();
    for (Values.Series s : r.matrix().series()) {
      Double v = fn.apply(s.points());
      if (v != null) {
        out.add(new Sample(keep ? s.labels() : s.labels().withoutName(), v, t));
      }
    }
    return checkUnique(new Vector(out));
  }

  private Vector overTime(
      String f, RangeArg r, long t, java.util.function.ToDoubleFunction<double[]> fn) {
    return perSeries(
        f, r, t, pts -> fn.applyAsDouble(pts.stream().mapToDouble(Point::value).toArray()));
  }

  private Vector rangeFunction(String f, RangeArg r, long t) {
    return switch (f) {
      case "rate" -> perSeries(f, r, t, pts -> extrapolatedRate(pts, r, true, true));
      case "increase" -> perSeries(f, r, t, pts -> extrapolatedRate(pts, r, true, false));
      case "delta" -> perSeries(f, r, t, pts -> extrapolatedRate(pts, r, false, false));
      case "irate" -> perSeries(f, r, t, pts -> instantValue(pts, true));
      case "idelta" -> perSeries(f, r, t, pts -> instantValue(pts, false));
      case "deriv" ->
          perSeries(
              f, r, t, pts -> pts.size() < 2 ? null : linearRegression(pts, pts.get(0).t())[0]);
      case "changes", "resets" ->
          perSeries(
              f,
              r,
              t,
              pts -> {
                int n = 0;
                for (int i = 1; i < pts.size(); i++) {
                  double prev = pts.get(i - 1).value();
                  double cur = pts.get(i).value();
                  if (f.equals("changes")
                      ? cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))
                      : cur < prev) {
                    n++;
                  }
                }
                return (double) n;
              });
      case "avg_over_time" -> overTime(f, r, t, Evaluator::mean);
      case "sum_over_time" -> overTime(f, r, t, Evaluator::kahanSum);
      case "min_over_time" -> overTime(f, r, t, vals -> minMax(vals, false));
      case "max_over_time" -> overTime(f, r, t, vals -> minMax(vals, true));
      case "count_over_time" -> overTime(f, r, t, vals -> vals.length);
      case "last_over_time" -> perSeries(f, r, t, pts -> pts.getLast().value());
      case "first_over_time" -> perSeries(f, r, t, pts -> pts.getFirst().value());
      case "ts_of_first_over_time" -> perSeries(f, r, t, pts -> pts.getFirst().t() / 1000.0);
      case "ts_of_last_over_time" -> perSeries(f, r, t, pts -> pts.getLast().t() / 1000.0);
      case "ts_of_max_over_time", "ts_of_min_over_time" ->
          perSeries(
              f,
              r,
              t,
              pts -> {
                boolean max = f.equals("ts_of_max_over_time");
                Point best = pts.getFirst();
                for (Point p : pts) {
                  if (Double.isNaN(best.value())
                      || (max ? p.value() >= best.value() : p.value() <= best.value())) {
                    best = p;
                  }
                }
                return best.t() / 1000.0;
              });
      case "present_over_time" -> overTime(f, r, t, vals -> 1);
      case "stddev_over_time" -> overTime(f, r, t, vals -> Math.sqrt(variance(vals)));
      case "stdvar_over_time" -> overTime(f, r, t, Evaluator::variance);
      case "mad_over_time" ->
          overTime(
              f,
              r,
              t,
              vals -> {
                for (double x : vals) {
                  if (Double.isNaN(x)) {
                    return Double.NaN;
                  }
                }
                double med = quantile(0.5, vals);
                double[] d = new double[vals.length];
                for (int i = 0; i < vals.length; i++) {
                  d[i] = Math.abs(vals[i] - med);
                }
                return quantile(0.5, d);
              });
      default -> throw new UnsupportedFunctionException(f);
    };
  }

  private static Double instantValue(List<Point> pts, boolean isRate) {
    if (pts.size() < 2) {
      return null;
    }
    Point last = pts.get(pts.size() - 1);
    Point prev = pts.get(pts.size() - 2);
    double result =
        isRate && last.value() < prev.value() ? last.value() : last.value() - prev.value();
    long interval = last.t() - prev.t();
    if (interval == 0) {
      return null;
    }
    if (isRate) {
      result /= interval / 1000.0;
    }
    return result;
  }

  /**
   * Prometheus' extrapolatedRate: extrapolates to the range edges unless the series starts or ends
   * inside the range, and never below zero for counters.
   */
  private static Double extrapolatedRate(
      List<Point> pts, RangeArg r, boolean isCounter, boolean isRate) {
    if (pts.size() < 2) {
      return null;
    }
    Point first = pts.getFirst();
    Point last = pts.getLast();
    double result = last.value() - first.value();
    if (isCounter) {
      double prev = first.value();
      for (int i = 1; i < pts.size(); i++) {
        double cur = pts.get(i).value();
        if (cur < prev) {
          result += prev;
        }
        prev = cur;
      }
    }
    double durationToStart = (first.t() - r.rangeStart()) / 1000.0;
    double durationToEnd = (r.rangeEnd() - last.t()) / 1000.0;
    double sampledInterval = (last.t() - first.t()) / 1000.0;
    double avg = sampledInterval / (pts.size() - 1);
    double threshold = avg * 1.1;
    if (durationToStart >= threshold) {
      durationToStart = avg / 2;
    }
    if (isCounter) {
      double durationToZero = durationToStart;
      if (result > 0 && first.value() >= 0) {
        durationToZero = sampledInterval * (first.value() / result);
      }
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    if (durationToEnd >= threshold) {
      durationToEnd = avg / 2;
    }
    double factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) {
      factor /= r.rangeMs() / 1000.0;
    }
    return result * factor;
  }

  /** Least-squares slope and intercept, x in seconds relative to {@code interceptTime}. */
  static double[] linearRegression(List<Point> pts, long interceptTime) {
    double n = 0;
    double[] sx = {0, 0};
    double[] sy = {0, 0};
    double[] sxy = {0, 0};
    double[] sx2 = {0, 0};
    double initY = pts.get(0).value();
    boolean constY = true;
    for (int i = 0; i < pts.size(); i++) {
      Point p = pts.get(i);
      if (constY && i > 0 && p.value() != initY) {
        constY = false;
      }
      n++;
      double x = (p.t() - interceptTime) / 1e3;
      sx = kahanInc(x, sx[0], sx[1]);
      sy = kahanInc(p.value(), sy[0], sy[1]);
      sxy = kahanInc(x * p.value(), sxy[0], sxy[1]);
      sx2 = kahanInc(x * x, sx2[0], sx2[1]);
    }
    if (constY) {
      if (Double.isInfinite(initY)) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {0, initY};
    }
    double sumX = sx[0] + sx[1];
    double sumY = sy[0] + sy[1];
    double sumXY = sxy[0] + sxy[1];
    double sumX2 = sx2[0] + sx2[1];
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    double intercept = sumY / n - slope * sumX / n;
    return new double[] {slope, intercept};
  }
}
