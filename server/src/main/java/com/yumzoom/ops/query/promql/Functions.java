package com.yumzoom.ops.query.promql;

import com.yumzoom.ops.query.promql.Ast.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Signatures of the supported PromQL functions, used by the parser for type checking. */
final class Functions {
  private Functions() {}

  record Signature(List<Type> args, int optional, boolean variadic, Type returns) {}

  static final Map<String, Signature> SIGNATURES = new HashMap<>();

  /** Functions that keep the metric name of their input. */
  static final Set<String> KEEP_NAME =
      Set.of(
          "sort", "sort_desc", "label_replace", "label_join", "last_over_time", "first_over_time");

  private static final Type S = Type.SCALAR;
  private static final Type V = Type.VECTOR;
  private static final Type M = Type.MATRIX;
  private static final Type STR = Type.STRING;

  private static void def(String name, Type ret, Type... args) {
    SIGNATURES.put(name, new Signature(List.of(args), 0, false, ret));
  }

  static {
    for (String f :
        List.of(
            "rate",
            "irate",
            "increase",
            "delta",
            "idelta",
            "deriv",
            "changes",
            "resets",
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "sum_over_time",
            "count_over_time",
            "last_over_time",
            "first_over_time",
            "present_over_time",
            "stddev_over_time",
            "stdvar_over_time",
            "mad_over_time",
            "absent_over_time")) {
      def(f, V, M);
    }
    def("quantile_over_time", V, S, M);
    def("predict_linear", V, M, S);
    def("double_exponential_smoothing", V, M, S, S);
    def("holt_winters", V, M, S, S);
    for (String f :
        List.of(
            "abs",
            "ceil",
            "floor",
            "exp",
            "ln",
            "log2",
            "log10",
            "sqrt",
            "sgn",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atanh",
            "cos",
            "cosh",
            "sin",
            "sinh",
            "tan",
            "tanh",
            "deg",
            "rad",
            "sort",
            "sort_desc",
            "absent",
            "timestamp")) {
      def(f, V, V);
    }
    SIGNATURES.put("round", new Signature(List.of(V, S), 1, false, V));
    def("clamp", V, V, S, S);
    def("clamp_min", V, V, S);
    def("clamp_max", V, V, S);
    def("time", S);
    def("pi", S);
    def("step", S);
    def("min_of", S, S, S);
    def("max_of", S, S, S);
    for (String f :
        List.of(
            "histogram_count",
            "histogram_sum",
            "histogram_avg",
            "histogram_stddev",
            "histogram_stdvar")) {
      def(f, V, V);
    }
    def("range", S);
    def("start", S);
    def("end", S);
    def("vector", V, S);
    def("scalar", S, V);
    for (String f :
        List.of(
            "day_of_month",
            "day_of_week",
            "day_of_year",
            "days_in_month",
            "hour",
            "minute",
            "month",
            "year")) {
      SIGNATURES.put(f, new Signature(List.of(V), 1, false, V));
    }
    def("label_replace", V, V, STR, STR, STR, STR);
    SIGNATURES.put("label_join", new Signature(List.of(V, STR, STR, STR), 1, true, V));
    SIGNATURES.put("sort_by_label", new Signature(List.of(V, STR), 1, true, V));
    SIGNATURES.put("sort_by_label_desc", new Signature(List.of(V, STR), 1, true, V));
    def("histogram_quantile", V, S, V);
    def("histogram_fraction", V, S, S, V);
    SIGNATURES.put("histogram_quantiles", new Signature(List.of(V, STR, S), 0, true, V));
    for (String f :
        List.of(
            "ts_of_first_over_time",
            "ts_of_last_over_time",
            "ts_of_max_over_time",
            "ts_of_min_over_time")) {
      def(f, V, M);
    }
  }

  static Signature signature(String name) {
    Signature s = SIGNATURES.get(name);
    if (s == null) {
      throw new UnsupportedFunctionException(name);
    }
    return s;
  }
}
