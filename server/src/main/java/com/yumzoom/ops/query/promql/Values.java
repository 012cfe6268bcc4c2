package com.yumzoom.ops.query.promql;

import java.util.List;

/** Results of PromQL evaluation. */
public final class Values {
  private Values() {}

  /** Prometheus' staleness marker: a NaN with a specific bit pattern. */
  public static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

  public static boolean isStale(double v) {
    return Double.doubleToRawLongBits(v) == 0x7ff0000000000002L;
  }

  /** Any evaluation result. */
  public sealed interface Value permits Scalar, Str, Vector, Matrix {}

  public record Scalar(double value) implements Value {}

  public record Str(String value) implements Value {}

  /** One element of an instant vector; {@code t} is the sample's own timestamp. */
  public record Sample(Labels labels, double value, long t) {}

  public record Vector(List<Sample> samples) implements Value {}

  public record Point(long t, double value) {}

  public record Series(Labels labels, List<Point> points) {}

  public record Matrix(List<Series> series) implements Value {}
}
