package com.yumzoom.ops.query.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.yumzoom.ops.query.promql.Ast.Expr;
import com.yumzoom.ops.query.promql.Values.*;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs Prometheus' PromQL test scripts (the language of FORMAT.md in the test-data directory)
 * against our engine and reports passed / failed / unsupported per file.
 *
 * <p>Evals on native histograms (data written {@code {{...}}}, or series loaded by {@code
 * load_with_nhcb}) are counted apart and left out of the pass rate. Unsupported constructs (an
 * unknown function, a native histogram) are reported by name. The pass rate must not fall below
 * {@link #FLOOR_PERCENT}: a ratchet, raise it when the engine improves.
 */
class PromqlConformanceTest {
  /** The pass rate reached when this floor was set, rounded down. Only ever raise it. */
  static final int FLOOR_PERCENT = 100;

  private static final Pattern EVAL =
      Pattern.compile(
          "^eval(?:_(fail|ordered|warn|info))?\\s+(?:instant\\s+at\\s+(\\S+)|range\\s+from\\s+(\\S+)"
              + "\\s+to\\s+(\\S+)\\s+step\\s+(\\S+))\\s+(.+)$");

  record Expected(Labels labels, List<Double> values) {}

  static final class Stats {
    int passed;
    int failed;
    int unsupported;
    int nativeHistogram;
    int nativePassed;
    final Map<String, Integer> constructs = new TreeMap<>();
    final List<String> failures = new ArrayList<>();
  }

  static Path testDataDir() {
    String prop = System.getProperty("promql.testdata");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    // The module directory also has no mvnw; the repository root is the topmost one found.
    Path root = dir;
    while (dir != null) {
      if (Files.exists(dir.resolve("mvnw"))) {
        root = dir;
      }
      dir = dir.getParent();
    }
    Path base = root == null ? Path.of("").toAbsolutePath() : root;
    return base.resolveSibling("shared").resolve("promql-testdata");
  }

  @Test
  void prometheusScripts() throws IOException {
    Path dir = testDataDir();
    assumeTrue(Files.isDirectory(dir), "PromQL test data not found at " + dir);
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
    }
    Stats total = new Stats();
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            "%-22s %7s %7s %12s %10s %s%n",
            "file", "passed", "failed", "unsupported", "native-h", "(native-h passing anyway)"));
    for (Path f : files) {
      Stats st = new Stats();
      runFile(Files.readAllLines(f), st);
      report.append(
          String.format(
              "%-22s %7d %7d %12d %10d (%d)%n",
              f.getFileName(),
              st.passed,
              st.failed,
              st.unsupported,
              st.nativeHistogram,
              st.nativePassed));
      total.passed += st.passed;
      total.failed += st.failed;
      total.unsupported += st.unsupported;
      total.nativeHistogram += st.nativeHistogram;
      total.nativePassed += st.nativePassed;
      st.constructs.forEach((k, v) -> total.constructs.merge(k, v, Integer::sum));
      for (String fl : st.failures) {
        total.failures.add(f.getFileName() + ": " + fl);
      }
    }
    int counted = total.passed + total.failed + total.unsupported;
    double pct = counted == 0 ? 0 : 100.0 * total.passed / counted;
    report.append(
        String.format(
            "%-22s %7d %7d %12d %10d (%d)%n",
            "TOTAL",
            total.passed,
            total.failed,
            total.unsupported,
            total.nativeHistogram,
            total.nativePassed));
    report.append(
        String.format("pass rate outside native histograms: %.1f%% of %d evals%n", pct, counted));
    report.append("unsupported constructs: ").append(total.constructs).append('\n');
    if (Boolean.getBoolean("promql.showFailures")) {
      total.failures.forEach(x -> report.append("FAIL ").append(x).append('\n'));
    }
    System.out.println(report);
    assertThat(pct)
        .as("PromQL conformance pass rate (floor %d%%)", FLOOR_PERCENT)
        .isGreaterThanOrEqualTo(FLOOR_PERCENT);
  }

  static void runFile(List<String> lines, Stats st) {
    InMemorySeriesSource src = new InMemorySeriesSource();
    Set<Labels> nativeNames = new HashSet<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        i++;
        continue;
      }
      if (line.equals("clear")) {
        src.clear();
        nativeNames.clear();
        i++;
        continue;
      }
      List<String> body = new ArrayList<>();
      int j = i + 1;
      while (j < lines.size()) {
        String b = lines.get(j).strip();
        if (b.isEmpty() || b.startsWith("load") || b.startsWith("eval") || b.equals("clear")) {
          break;
        }
        if (!b.startsWith("#")) {
          body.add(b);
        }
        j++;
      }
      if (line.startsWith("load")) {
        load(line, body, src, nativeNames, st);
      } else if (line.startsWith("eval")) {
        eval(line, body, src, nativeNames, st);
      }
      i = j;
    }
  }

  private static void load(
      String line, List<String> body, InMemorySeriesSource src, Set<Labels> nativeNames, Stats st) {
    String[] parts = line.split("\\s+");
    boolean nhcb = parts[0].equals("load_with_nhcb");
    long interval = Lexer.parseDuration(parts[1]);
    for (String b : body) {
      String[] sv = splitSeries(b);
      Labels labels = parseDescriptor(sv[0]);
      if (sv[1].contains("{{")) {
        nativeNames.add(labels);
        st.constructs.merge("native histogram data", 1, Integer::sum);
        continue;
      }
      if (nhcb) {
        String name = labels.get(Labels.NAME);
        String base = name.replaceAll("_(bucket|count|sum)$", "");
        if (!base.equals(name)) {
          nativeNames.add(labels.with(Labels.NAME, base).without(List.of("le")));
        }
      }
      List<Double> vals = expandValues(sv[1]);
      for (int k = 0; k < vals.size(); k++) {
        if (vals.get(k) != null) {
          src.add(labels, k * interval, vals.get(k));
        }
      }
    }
  }

  /** Splits "metric{a="b c"} 1 2 3" into descriptor and values. */
  static String[] splitSeries(String line) {
    int k = 0;
    boolean inQuote = false;
    int depth = 0;
    for (; k < line.length(); k++) {
      char c = line.charAt(k);
      if (inQuote) {
        if (c == '\\') {
          k++;
        } else if (c == '"') {
          inQuote = false;
        }
        continue;
      }
      if (c == '"') {
        inQuote = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (Character.isWhitespace(c) && depth == 0) {
        break;
      }
    }
    return new String[] {line.substring(0, k), line.substring(k).strip()};
  }

  static Labels parseDescriptor(String d) {
    List<Lexer.Token> toks = Lexer.lex(d);
    Map<String, String> m = new TreeMap<>();
    int p = 0;
    if (toks.get(p).kind() == Lexer.Kind.IDENT) {
      m.put(Labels.NAME, toks.get(p++).text());
    }
    if (toks.get(p).is("{")) {
      p++;
      while (!toks.get(p).is("}")) {
        Lexer.Token name = toks.get(p++);
        if (name.kind() == Lexer.Kind.STRING && (toks.get(p).is(",") || toks.get(p).is("}"))) {
          m.put(Labels.NAME, name.text());
        } else {
          p++; // '='
          m.put(name.text(), toks.get(p++).text());
        }
        if (toks.get(p).is(",")) {
          p++;
        }
      }
    }
    return Labels.of(m);
  }

  static Double parseNumber(String s) {
    return switch (s.toLowerCase()) {
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan", "+nan", "-nan" -> Double.NaN;
      case "stale" -> Values.STALE_NAN;
      default -> {
        if (s.startsWith("0x") || s.startsWith("0X")) {
          yield (double) Long.parseLong(s.substring(2), 16);
        }
        yield Double.parseDouble(s);
      }
    };
  }

  /** Expands "1+2x3 _ stale 5x2 _x3" into values, null for a missing point. */
  static List<Double> expandValues(String spec) {
    List<Double> out = new ArrayList<>();
    if (spec.isBlank()) {
      return out;
    }
    for (String tok : spec.trim().split("\\s+")) {
      int x = tok.lastIndexOf('x');
      if (x > 0
          && x < tok.length() - 1
          && tok.substring(x + 1).chars().allMatch(Character::isDigit)) {
        int n = Integer.parseInt(tok.substring(x + 1));
        String head = tok.substring(0, x);
        if (head.equals("_")) {
          for (int k = 0; k < n; k++) {
            out.add(null);
          }
          continue;
        }
        int op = -1;
        for (int k = 1; k < head.length(); k++) {
          char c = head.charAt(k);
          char prev = head.charAt(k - 1);
          if ((c == '+' || c == '-') && prev != 'e' && prev != 'E') {
            op = k;
            break;
          }
        }
        double a;
        double inc = 0;
        if (op < 0) {
          a = parseNumber(head);
        } else {
          a = parseNumber(head.substring(0, op));
          inc = parseNumber(head.substring(op + 1));
          if (head.charAt(op) == '-') {
            inc = -inc;
          }
        }
        if (Values.isStale(a)) {
          for (int k = 0; k <= n; k++) {
            out.add(Values.STALE_NAN);
          }
          continue;
        }
        // Prometheus adds the increment repeatedly, so rounding matches its float sums.
        double v = a;
        for (int k = 0; k <= n; k++) {
          out.add(v);
          v += inc;
        }
        continue;
      }
      if (tok.equals("_")) {
        out.add(null);
      } else {
        out.add(parseNumber(tok));
      }
    }
    return out;
  }

  private static final Pattern FAIL_MSG = Pattern.compile("expect fail (msg|regex):(.*)");

  private static String unquote(String s) {
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\""))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static final Pattern UNKNOWN_FN =
      Pattern.compile("unknown function with name \"(\\w+)\"");

  /** True if a selector of the query selects a series that holds native histogram samples. */
  private static boolean mentionsNative(String query, Set<Labels> nativeSeries) {
    if (nativeSeries.isEmpty()) {
      return false;
    }
    Expr e;
    try {
      e = Parser.parse(query);
    } catch (RuntimeException ex) {
      return false;
    }
    return selectsAny(e, nativeSeries);
  }

  private static boolean selectsAny(Expr e, Set<Labels> series) {
    return switch (e) {
      case Ast.VectorSelector vs ->
          series.stream()
              .anyMatch(l -> vs.matchers().stream().allMatch(m -> m.matches(l.get(m.name()))));
      case Ast.MatrixSelector ms -> selectsAny(ms.selector(), series);
      case Ast.Subquery sq -> selectsAny(sq.expr(), series);
      case Ast.Aggregation a ->
          selectsAny(a.expr(), series) || (a.param() != null && selectsAny(a.param(), series));
      case Ast.Call c -> c.args().stream().anyMatch(x -> selectsAny(x, series));
      case Ast.Unary u -> selectsAny(u.expr(), series);
      case Ast.Binary b -> selectsAny(b.lhs(), series) || selectsAny(b.rhs(), series);
      case Ast.Paren pa -> selectsAny(pa.expr(), series);
      default -> false;
    };
  }

  private static void eval(
      String line, List<String> body, InMemorySeriesSource src, Set<Labels> nativeNames, Stats st) {
    Matcher m = EVAL.matcher(line);
    if (!m.matches()) {
      st.failed++;
      st.failures.add("cannot read eval line: " + line);
      return;
    }
    String legacy = m.group(1);
    String query = m.group(6);
    boolean expectFail = "fail".equals(legacy);
    String[] failCheck = null;
    boolean ordered = "ordered".equals(legacy);
    String expectString = null;
    long rvStart = 0;
    long rvEnd = 0;
    long rvStep = 0;
    boolean rangeVector = false;
    List<Expected> expected = new ArrayList<>();
    Double expectedScalar = null;
    boolean nativeExpected = false;
    for (String b : body) {
      if (b.startsWith("expect ")) {
        String[] w = b.split("\\s+");
        switch (w[1]) {
          case "fail" -> {
            expectFail = true;
            Matcher fm = FAIL_MSG.matcher(b);
            if (fm.matches()) {
              failCheck = new String[] {fm.group(1), unquote(fm.group(2).strip())};
            }
          }
          case "ordered" -> ordered = true;
          case "string" -> {
            String s = b.substring(b.indexOf("string") + 6).strip();
            expectString = s.substring(1, s.length() - 1);
          }
          case "range" -> {
            rangeVector = true;
            rvStart = Lexer.parseDuration(w[4]);
            rvEnd = Lexer.parseDuration(w[6]);
            rvStep = Lexer.parseDuration(w[8]);
          }
          default -> {}
        }
        continue;
      }
      if (b.contains("{{")) {
        nativeExpected = true;
        continue;
      }
      String[] sv = splitSeries(b);
      if (sv[1].isEmpty() && !sv[0].contains("{") && isNumber(sv[0])) {
        expectedScalar = parseNumber(sv[0]);
        continue;
      }
      expected.add(new Expected(parseDescriptor(sv[0]), expandValues(sv[1])));
    }
    boolean nativeEval = nativeExpected || mentionsNative(query, nativeNames);
    if (nativeEval) {
      // Run anyway, so the report says how many native-histogram evals pass by accident of
      // their float parts; they stay out of the pass rate.
      st.nativeHistogram++;
      Stats shadow = new Stats();
      if (!nativeExpected) {
        runEval(
            line,
            m,
            query,
            expectFail,
            ordered,
            expectString,
            rangeVector,
            rvStart,
            rvStep,
            expected,
            expectedScalar,
            failCheck,
            src,
            shadow);
      }
      st.nativePassed += shadow.passed;
      return;
    }
    runEval(
        line,
        m,
        query,
        expectFail,
        ordered,
        expectString,
        rangeVector,
        rvStart,
        rvStep,
        expected,
        expectedScalar,
        failCheck,
        src,
        st);
  }

  private static void runEval(
      String line,
      Matcher m,
      String query,
      boolean expectFail,
      boolean ordered,
      String expectString,
      boolean rangeVector,
      long rvStart,
      long rvStep,
      List<Expected> expected,
      Double expectedScalar,
      String[] failCheck,
      InMemorySeriesSource src,
      Stats st) {
    Value result;
    Expr expr;
    boolean isRange = m.group(3) != null;
    try {
      expr = Parser.parse(query);
      if (isRange) {
        long s = Lexer.parseDuration(m.group(3));
        long e = Lexer.parseDuration(m.group(4));
        long stp = Lexer.parseDuration(m.group(5));
        result = new PromqlEngine(src).range(expr, s, e, stp);
      } else {
        result = new PromqlEngine(src).instant(expr, Lexer.parseDuration(m.group(2)));
      }
    } catch (UnsupportedFunctionException e) {
      st.unsupported++;
      st.constructs.merge("function " + e.function(), 1, Integer::sum);
      return;
    } catch (PromqlException e) {
      Matcher um = UNKNOWN_FN.matcher(e.getMessage());
      if (um.find() && !expectFail) {
        st.unsupported++;
        st.constructs.merge("function " + um.group(1), 1, Integer::sum);
        return;
      }
      if (expectFail) {
        if (failCheck == null
            || (failCheck[0].equals("msg")
                ? e.getMessage().equals(failCheck[1])
                : Pattern.compile(failCheck[1]).matcher(e.getMessage()).find())) {
          st.passed++;
        } else {
          st.failed++;
          st.failures.add(
              line + " -> error message " + e.getMessage() + ", expected " + failCheck[1]);
        }
      } else {
        st.failed++;
        st.failures.add(line + " -> error " + e.getMessage());
      }
      return;
    } catch (RuntimeException e) {
      st.failed++;
      st.failures.add(line + " -> exception " + e);
      return;
    }
    if (expectFail) {
      st.failed++;
      st.failures.add(line + " -> expected failure, got " + describe(result));
      return;
    }
    String problem;
    if (expectString != null) {
      problem =
          result instanceof Str s && s.value().equals(expectString)
              ? null
              : "expected string " + expectString + ", got " + describe(result);
    } else if (expectedScalar != null) {
      problem =
          result instanceof Scalar s && almostEqual(expectedScalar, s.value())
              ? null
              : "expected scalar " + expectedScalar + ", got " + describe(result);
    } else if (isRange) {
      long s = Lexer.parseDuration(m.group(3));
      long stp = Lexer.parseDuration(m.group(5));
      problem = compareMatrix(expected, (Matrix) result, s, stp);
    } else if (result instanceof Matrix mx) {
      problem =
          rangeVector
              ? compareMatrix(expected, mx, rvStart, rvStep)
              : compareMatrix(expected, mx, Long.MIN_VALUE, 0);
    } else if (result instanceof Vector v) {
      problem = compareVector(expected, v, ordered);
    } else if (result instanceof Scalar sc && expected.isEmpty()) {
      problem = "expected nothing, got scalar " + sc.value();
    } else {
      problem = "unexpected result " + describe(result);
    }
    if (problem == null) {
      st.passed++;
    } else {
      st.failed++;
      st.failures.add(line + " -> " + problem);
    }
  }

  private static boolean isNumber(String s) {
    try {
      parseNumber(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static String describe(Value v) {
    String s = String.valueOf(v);
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  static boolean almostEqual(double a, double b) {
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return true;
    }
    if (a == b) {
      return true;
    }
    double absSum = Math.abs(a) + Math.abs(b);
    double diff = Math.abs(a - b);
    if (a == 0 || b == 0 || absSum < Double.MIN_NORMAL) {
      return diff < 1e-6 * Double.MIN_NORMAL;
    }
    return diff / Math.min(absSum, Double.MAX_VALUE) < 1e-6;
  }

  private static String compareVector(List<Expected> expected, Vector v, boolean ordered) {
    if (expected.size() != v.samples().size()) {
      return "expected " + expected.size() + " samples, got " + describe(v);
    }
    Map<Labels, Double> got = new LinkedHashMap<>();
    for (Sample s : v.samples()) {
      got.put(s.labels(), s.value());
    }
    for (int k = 0; k < expected.size(); k++) {
      Expected e = expected.get(k);
      if (e.values().size() != 1) {
        return "expected series " + e.labels() + " has " + e.values().size() + " values";
      }
      if (ordered && !v.samples().get(k).labels().equals(e.labels())) {
        return "order differs at " + k + ": expected " + e.labels() + ", got " + describe(v);
      }
      Double g = got.get(e.labels());
      if (g == null) {
        return "missing " + e.labels() + " in " + describe(v);
      }
      if (!almostEqual(e.values().get(0), g)) {
        return "for " + e.labels() + " expected " + e.values().get(0) + ", got " + g;
      }
    }
    return null;
  }

  private static String compareMatrix(List<Expected> expected, Matrix mx, long start, long step) {
    Map<Labels, List<Point>> got = new LinkedHashMap<>();
    for (Values.Series s : mx.series()) {
      got.put(s.labels(), s.points());
    }
    int nonEmpty = 0;
    for (Expected e : expected) {
      List<Double> vals = e.values();
      if (vals.stream().allMatch(x -> x == null)) {
        continue;
      }
      nonEmpty++;
      List<Point> pts = got.get(e.labels());
      if (pts == null) {
        return "missing series " + e.labels() + " in " + describe(mx);
      }
      List<Point> want = new ArrayList<>();
      for (int k = 0; k < vals.size(); k++) {
        if (vals.get(k) != null) {
          want.add(
              new Point(start == Long.MIN_VALUE ? Long.MIN_VALUE : start + k * step, vals.get(k)));
        }
      }
      if (want.size() != pts.size()) {
        return "series " + e.labels() + " expected " + want + ", got " + pts;
      }
      for (int k = 0; k < want.size(); k++) {
        Point w = want.get(k);
        Point g = pts.get(k);
        if ((w.t() != Long.MIN_VALUE && w.t() != g.t()) || !almostEqual(w.value(), g.value())) {
          return "series " + e.labels() + " expected " + want + ", got " + pts;
        }
      }
    }
    if (nonEmpty != got.size()) {
      return "expected " + nonEmpty + " series, got " + describe(mx);
    }
    return null;
  }
}
