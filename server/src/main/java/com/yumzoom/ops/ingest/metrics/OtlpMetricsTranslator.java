package com.yumzoom.ops.ingest.metrics;

import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.Values;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Translates OTLP metrics into Prometheus samples, following the OpenTelemetry-Prometheus
 * compatibility specification (names with unit and {@code _total} suffixes, resource attributes as
 * {@code job}/{@code instance} plus a {@code target_info} series, scope as {@code otel_scope_*}).
 *
 * <p>Design note: Prometheus only knows cumulative counters, so delta sums and delta histograms are
 * folded into a running total per series, held here. That state is bounded by {@code
 * maxDeltaSeries}: once that many delta series are tracked, points of new delta series are rejected
 * (counted in the partial success, with a message naming the limit) while known ones keep
 * accumulating. A running total restarts when the sender restarts only in the sense that the total
 * keeps growing; {@code rate()} is unaffected. Exponential histograms become classic ones (see
 * {@code classic}).
 *
 * <p>Thread-safe: the only shared state is the delta map, guarded by its own lock.
 */
public final class OtlpMetricsTranslator {

  /** Most {@code le} buckets an exponential histogram point becomes (+Inf not counted). */
  static final int MAX_EXPONENTIAL_BUCKETS = 40;

  /** Default bound on tracked delta series. */
  public static final int DEFAULT_MAX_DELTA_SERIES = 10_000;

  private static final int NO_RECORDED_VALUE =
      DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE;

  /** What one request became. */
  public record Translation(List<Sample> samples, int rejectedPoints, String error) {}

  private final int maxDeltaSeries;
  private final Clock clock;
  private final Map<Labels, double[]> deltaTotals = new LinkedHashMap<>();

  public OtlpMetricsTranslator(int maxDeltaSeries, Clock clock) {
    if (maxDeltaSeries <= 0) {
      throw new IllegalArgumentException("maxDeltaSeries must be positive, got " + maxDeltaSeries);
    }
    this.maxDeltaSeries = maxDeltaSeries;
    this.clock = clock;
  }

  public OtlpMetricsTranslator() {
    this(DEFAULT_MAX_DELTA_SERIES, Clock.systemUTC());
  }

  /** Delta series currently tracked. */
  public int deltaSeries() {
    synchronized (deltaTotals) {
      return deltaTotals.size();
    }
  }

  /** The samples of a request, sorted by time so each series arrives in order. */
  public Translation translate(ExportMetricsServiceRequest request) {
    Builder b = new Builder();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      b.resource(rm);
    }
    b.out.sort(Comparator.comparingLong(Sample::tMs));
    return new Translation(List.copyOf(b.out), b.rejected, b.error);
  }

  private final class Builder {
    final List<Sample> out = new ArrayList<>();
    int rejected;
    String error;

    void reject(int points, String message) {
      rejected += points;
      if (error == null) {
        error = message;
      }
    }

    void resource(ResourceMetrics rm) {
      TreeMap<String, String> base = new TreeMap<>();
      TreeMap<String, String> info = new TreeMap<>();
      String serviceName = null;
      String namespace = null;
      String instance = null;
      for (KeyValue kv : rm.getResource().getAttributesList()) {
        String v = valueString(kv.getValue());
        switch (kv.getKey()) {
          case "service.name" -> serviceName = v;
          case "service.namespace" -> namespace = v;
          case "service.instance.id" -> instance = v;
          default -> putLabel(info, kv.getKey(), v);
        }
      }
      if (serviceName != null && !serviceName.isEmpty()) {
        base.put(
            "job",
            namespace == null || namespace.isEmpty() ? serviceName : namespace + "/" + serviceName);
      }
      if (instance != null && !instance.isEmpty()) {
        base.put("instance", instance);
      }
      long latest = Long.MIN_VALUE;
      int before = out.size();
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        TreeMap<String, String> scoped = new TreeMap<>(base);
        InstrumentationScope scope = sm.getScope();
        if (!scope.getName().isEmpty()) {
          scoped.put("otel_scope_name", scope.getName());
        }
        if (!scope.getVersion().isEmpty()) {
          scoped.put("otel_scope_version", scope.getVersion());
        }
        for (Metric m : sm.getMetricsList()) {
          metric(m, scoped);
        }
      }
      for (int i = before; i < out.size(); i++) {
        latest = Math.max(latest, out.get(i).tMs());
      }
      if (!info.isEmpty() && latest != Long.MIN_VALUE) {
        info.putAll(base);
        info.put(Labels.NAME, "target_info");
        out.add(new Sample(Labels.of(info), latest, 1));
      }
    }

    void metric(Metric m, Map<String, String> scoped) {
      switch (m.getDataCase()) {
        case GAUGE -> {
          String name = metricName(m.getName(), m.getUnit(), true, false);
          for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
            emit(
                labels(name, scoped, p.getAttributesList()),
                p.getTimeUnixNano(),
                p.getFlags(),
                number(p));
          }
        }
        case SUM -> {
          var sum = m.getSum();
          boolean counter = sum.getIsMonotonic();
          boolean delta =
              sum.getAggregationTemporality()
                  == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
          // A non-monotonic sum is a gauge in Prometheus (no _total, but its unit suffix stays).
          String name = metricName(m.getName(), m.getUnit(), !counter, counter);
          for (NumberDataPoint p : sum.getDataPointsList()) {
            Labels l = labels(name, scoped, p.getAttributesList());
            double v = number(p);
            if (delta && !stale(p.getFlags())) {
              double[] total = accumulate(l, new double[] {v});
              if (total == null) {
                continue;
              }
              v = total[0];
            }
            emit(l, p.getTimeUnixNano(), p.getFlags(), v);
          }
        }
        case HISTOGRAM -> {
          var h = m.getHistogram();
          boolean delta =
              h.getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
          String name = metricName(m.getName(), m.getUnit(), false, false);
          for (HistogramDataPoint p : h.getDataPointsList()) {
            histogram(name, scoped, p, delta);
          }
        }
        case SUMMARY -> {
          String name = metricName(m.getName(), m.getUnit(), false, false);
          for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
            for (var q : p.getQuantileValuesList()) {
              TreeMap<String, String> l = labelMap(name, scoped, p.getAttributesList());
              l.put("quantile", formatFloat(q.getQuantile()));
              emit(Labels.of(l), p.getTimeUnixNano(), p.getFlags(), q.getValue());
            }
            emit(
                labels(name + "_sum", scoped, p.getAttributesList()),
                p.getTimeUnixNano(),
                p.getFlags(),
                p.getSum());
            emit(
                labels(name + "_count", scoped, p.getAttributesList()),
                p.getTimeUnixNano(),
                p.getFlags(),
                p.getCount());
          }
        }
        case EXPONENTIAL_HISTOGRAM -> {
          ExponentialHistogram h = m.getExponentialHistogram();
          boolean delta =
              h.getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
          String name = metricName(m.getName(), m.getUnit(), false, false);
          for (ExponentialHistogramDataPoint p : h.getDataPointsList()) {
            histogram(name, scoped, classic(p), delta);
          }
        }
        default -> reject(0, null);
      }
    }

    void histogram(String name, Map<String, String> scoped, HistogramDataPoint p, boolean delta) {
      int buckets = p.getBucketCountsCount();
      int bounds = p.getExplicitBoundsCount();
      if (buckets != 0 && buckets != bounds + 1) {
        reject(
            1,
            "histogram "
                + name
                + " has "
                + buckets
                + " bucket counts for "
                + bounds
                + " explicit bounds; expected bounds + 1");
        return;
      }
      // values: [count, sum, bucket0..bucketN]; cumulative bucket counts computed after.
      double[] v = new double[2 + buckets];
      v[0] = p.getCount();
      v[1] = p.hasSum() ? p.getSum() : Double.NaN;
      for (int i = 0; i < buckets; i++) {
        v[2 + i] = p.getBucketCounts(i);
      }
      Labels base = labels(name, scoped, p.getAttributesList());
      if (delta && !stale(p.getFlags())) {
        // The bounds are part of the key: a histogram whose bounds change starts a new total.
        TreeMap<String, String> key = new TreeMap<>(base.map());
        key.put("__bounds__", p.getExplicitBoundsList().toString());
        v = accumulate(Labels.of(key), v);
        if (v == null) {
          return;
        }
      }
      long t = p.getTimeUnixNano();
      int flags = p.getFlags();
      double cumulative = 0;
      for (int i = 0; i < buckets; i++) {
        cumulative += v[2 + i];
        TreeMap<String, String> l = labelMap(name + "_bucket", scoped, p.getAttributesList());
        l.put("le", i < bounds ? formatFloat(p.getExplicitBounds(i)) : "+Inf");
        emit(Labels.of(l), t, flags, cumulative);
      }
      if (buckets == 0) {
        TreeMap<String, String> l = labelMap(name + "_bucket", scoped, p.getAttributesList());
        l.put("le", "+Inf");
        emit(Labels.of(l), t, flags, v[0]);
      }
      if (p.hasSum()) {
        emit(labels(name + "_sum", scoped, p.getAttributesList()), t, flags, v[1]);
      }
      emit(labels(name + "_count", scoped, p.getAttributesList()), t, flags, v[0]);
    }

    /**
     * An exponential histogram as a classic one (the mapping of docs/metrics.md): each exponential
     * bucket becomes one {@code le} bucket at its upper boundary, negative buckets at theirs
     * ({@code -base^index}), the zero bucket at the zero threshold; first downscaled (adjacent
     * buckets merged, scale lowered) until at most {@link #MAX_EXPONENTIAL_BUCKETS} remain, so one
     * histogram never becomes hundreds of series.
     */
    HistogramDataPoint classic(ExponentialHistogramDataPoint p) {
      int scale = p.getScale();
      long[] pos = counts(p.getPositive());
      long[] neg = counts(p.getNegative());
      int posOffset = p.getPositive().getOffset();
      int negOffset = p.getNegative().getOffset();
      while (pos.length + neg.length + 1 > MAX_EXPONENTIAL_BUCKETS && scale > -10) {
        long[][] merged = downscale(pos, posOffset);
        pos = merged[0];
        posOffset = (int) merged[1][0];
        merged = downscale(neg, negOffset);
        neg = merged[0];
        negOffset = (int) merged[1][0];
        scale--;
      }
      double base = Math.pow(2, Math.pow(2, -scale));
      HistogramDataPoint.Builder b =
          HistogramDataPoint.newBuilder()
              .addAllAttributes(p.getAttributesList())
              .setStartTimeUnixNano(p.getStartTimeUnixNano())
              .setTimeUnixNano(p.getTimeUnixNano())
              .setFlags(p.getFlags())
              .setCount(p.getCount());
      if (p.hasSum()) {
        b.setSum(p.getSum());
      }
      for (int k = neg.length - 1; k >= 0; k--) {
        b.addExplicitBounds(-Math.pow(base, negOffset + k)).addBucketCounts(neg[k]);
      }
      b.addExplicitBounds(p.getZeroThreshold()).addBucketCounts(p.getZeroCount());
      for (int k = 0; k < pos.length; k++) {
        b.addExplicitBounds(Math.pow(base, posOffset + k + 1)).addBucketCounts(pos[k]);
      }
      return b.addBucketCounts(0).build();
    }

    private static long[] counts(ExponentialHistogramDataPoint.Buckets buckets) {
      long[] c = new long[buckets.getBucketCountsCount()];
      for (int i = 0; i < c.length; i++) {
        c[i] = buckets.getBucketCounts(i);
      }
      return c;
    }

    /** One scale down: bucket i joins bucket floor(i / 2). Returns {counts, {new offset}}. */
    private static long[][] downscale(long[] counts, int offset) {
      if (counts.length == 0) {
        return new long[][] {counts, {Math.floorDiv(offset, 2)}};
      }
      int first = Math.floorDiv(offset, 2);
      int last = Math.floorDiv(offset + counts.length - 1, 2);
      long[] out = new long[last - first + 1];
      for (int i = 0; i < counts.length; i++) {
        out[Math.floorDiv(offset + i, 2) - first] += counts[i];
      }
      return new long[][] {out, {first}};
    }

    /** Adds a delta to the series' running total; null (and a rejection) past the bound. */
    double[] accumulate(Labels key, double[] delta) {
      synchronized (deltaTotals) {
        double[] total = deltaTotals.get(key);
        if (total == null || total.length != delta.length) {
          if (total == null && deltaTotals.size() >= maxDeltaSeries) {
            reject(
                1,
                "delta series limit of "
                    + maxDeltaSeries
                    + " reached; rejected new delta series such as "
                    + key.get(Labels.NAME));
            return null;
          }
          total = new double[delta.length];
          deltaTotals.put(key, total);
        }
        for (int i = 0; i < delta.length; i++) {
          total[i] += delta[i];
        }
        return total.clone();
      }
    }

    void emit(Labels labels, long timeUnixNano, int flags, double value) {
      long tMs = timeUnixNano == 0 ? clock.millis() : timeUnixNano / 1_000_000L;
      out.add(new Sample(labels, tMs, stale(flags) ? Values.STALE_NAN : value));
    }
  }

  private static boolean stale(int flags) {
    return (flags & NO_RECORDED_VALUE) != 0;
  }

  private static double number(NumberDataPoint p) {
    return p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
  }

  private static Labels labels(String name, Map<String, String> scoped, List<KeyValue> attrs) {
    return Labels.of(labelMap(name, scoped, attrs));
  }

  /** Point attributes, then resource and scope labels, which win on a clash. */
  private static TreeMap<String, String> labelMap(
      String name, Map<String, String> scoped, List<KeyValue> attrs) {
    TreeMap<String, String> l = new TreeMap<>();
    for (KeyValue kv : attrs) {
      putLabel(l, kv.getKey(), valueString(kv.getValue()));
    }
    l.putAll(scoped);
    l.put(Labels.NAME, name);
    return l;
  }

  /** Two keys that sanitise to one label get their values joined with ';', as the spec says. */
  private static void putLabel(Map<String, String> labels, String key, String value) {
    String name = labelName(key);
    labels.merge(name, value, (a, b) -> a + ";" + b);
  }

  /** Invalid characters become '_'; a leading digit gets a {@code key_} prefix. */
  static String labelName(String key) {
    if (key.isEmpty()) {
      return "key_";
    }
    String s = sanitize(key, false);
    if (Character.isDigit(s.charAt(0))) {
      return "key_" + s;
    }
    if (s.startsWith("_") && !s.startsWith("__")) {
      return "key" + s;
    }
    return s;
  }

  /**
   * The Prometheus name: sanitised, unit suffix appended unless already there, {@code _total} for
   * counters, {@code _ratio} for gauges of unit "1".
   */
  static String metricName(String name, String unit, boolean gauge, boolean counter) {
    String s = sanitize(name, true);
    if (s.isEmpty()) {
      s = "_";
    }
    if (Character.isDigit(s.charAt(0))) {
      s = "_" + s;
    }
    String suffix = unitSuffix(unit, gauge);
    if (counter && s.endsWith("_total")) {
      s = s.substring(0, s.length() - "_total".length());
    }
    if (!suffix.isEmpty() && !s.endsWith("_" + suffix)) {
      s = s + "_" + suffix;
    }
    if (counter) {
      s = s + "_total";
    }
    return s;
  }

  private static final Map<String, String> UNITS =
      Map.ofEntries(
          Map.entry("d", "days"),
          Map.entry("h", "hours"),
          Map.entry("min", "minutes"),
          Map.entry("s", "seconds"),
          Map.entry("ms", "milliseconds"),
          Map.entry("us", "microseconds"),
          Map.entry("ns", "nanoseconds"),
          Map.entry("By", "bytes"),
          Map.entry("KiBy", "kibibytes"),
          Map.entry("MiBy", "mebibytes"),
          Map.entry("GiBy", "gibibytes"),
          Map.entry("TiBy", "tibibytes"),
          Map.entry("KBy", "kilobytes"),
          Map.entry("MBy", "megabytes"),
          Map.entry("GBy", "gigabytes"),
          Map.entry("TBy", "terabytes"),
          Map.entry("m", "meters"),
          Map.entry("V", "volts"),
          Map.entry("A", "amperes"),
          Map.entry("J", "joules"),
          Map.entry("W", "watts"),
          Map.entry("g", "grams"),
          Map.entry("Cel", "celsius"),
          Map.entry("Hz", "hertz"),
          Map.entry("%", "percent"));

  private static final Map<String, String> PER_UNITS =
      Map.of(
          "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y",
          "year");

  /** "s" → "seconds", "m/s" → "meters_per_second", "1" → "ratio" (gauges), "{req}" → "". */
  static String unitSuffix(String unit, boolean gauge) {
    String u = unit.replaceAll("\\{[^}]*}", "").trim();
    if (u.isEmpty()) {
      return "";
    }
    if (u.equals("1")) {
      return gauge ? "ratio" : "";
    }
    int slash = u.indexOf('/');
    if (slash >= 0) {
      String main = u.substring(0, slash).trim();
      String per = u.substring(slash + 1).trim();
      String a = main.isEmpty() ? "" : UNITS.getOrDefault(main, main);
      String b = per.isEmpty() ? "" : PER_UNITS.getOrDefault(per, per);
      String joined =
          a.isEmpty() ? (b.isEmpty() ? "" : "per_" + b) : (b.isEmpty() ? a : a + "_per_" + b);
      return sanitize(joined, false).replaceAll("^_+|_+$", "");
    }
    return sanitize(UNITS.getOrDefault(u, u), false).replaceAll("^_+|_+$", "");
  }

  /**
   * Characters outside [a-zA-Z0-9_] (and ':' in metric names) become '_'; in metric names runs of
   * '_' collapse to one, as the specification says.
   */
  private static String sanitize(String s, boolean metricName) {
    boolean allowColon = metricName;
    boolean collapse = metricName;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || (allowColon && c == ':');
      if (ok) {
        b.append(c);
      } else if (!collapse || b.isEmpty() || b.charAt(b.length() - 1) != '_') {
        b.append('_');
      }
    }
    return b.toString();
  }

  /** Prometheus' float formatting for le and quantile: shortest plain decimal, "+Inf". */
  static String formatFloat(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** Attribute values as label values: scalars as text, arrays and maps as JSON. */
  static String valueString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> formatFloat(v.getDoubleValue());
      case BYTES_VALUE ->
          java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE -> {
        StringBuilder b = new StringBuilder("[");
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append(json(e));
        }
        yield b.append(']').toString();
      }
      case KVLIST_VALUE -> {
        StringBuilder b = new StringBuilder("{");
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append(quote(kv.getKey())).append(':').append(json(kv.getValue()));
        }
        yield b.append('}').toString();
      }
      default -> "";
    };
  }

  private static String json(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE, BYTES_VALUE -> quote(valueString(v));
      default -> valueString(v);
    };
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
