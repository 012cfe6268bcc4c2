package com.yumzoom.ops.query;

import com.linecorp.armeria.common.QueryParams;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A [start, end) range in epoch nanoseconds, read from the {@code start} and {@code end} request
 * parameters: unix seconds (with an optional fraction, as Grafana and Tempo send) or RFC 3339
 * timestamps. A missing end is now (from the injected clock); a missing start is end minus the
 * endpoint's default window.
 */
record TimeRange(long startNanos, long endNanos) {

  static final String START = "start";
  static final String END = "end";
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

  TimeRange {
    if (endNanos < startNanos) {
      throw BadRequestException.parameter(END, "is before 'start'");
    }
  }

  static TimeRange parse(QueryParams params, Clock clock, Duration defaultWindow) {
    String startText = Params.optional(params, START);
    String endText = Params.optional(params, END);
    long end = endText == null ? nanos(clock.instant()) : instantNanos(END, endText);
    long start =
        startText == null
            ? end - Math.min(defaultWindow.toNanos(), end)
            : instantNanos(START, startText);
    return new TimeRange(start, end);
  }

  /**
   * The same range with the end moved to the end of its second: Tempo's {@code end} is a whole unix
   * second that includes spans started during that second.
   */
  TimeRange throughEndSecond() {
    long widened =
        endNanos > Long.MAX_VALUE - 1_000_000_000L ? Long.MAX_VALUE : endNanos + 1_000_000_000L;
    return new TimeRange(startNanos, widened);
  }

  double seconds() {
    return (endNanos - startNanos) / 1e9;
  }

  /** Unix seconds (optionally fractional) or an RFC 3339 timestamp, as epoch nanoseconds. */
  static long instantNanos(String name, String text) {
    String t = text.trim();
    if (!t.isEmpty()
        && (Character.isDigit(t.charAt(0)) || t.charAt(0) == '.')
        && t.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
      try {
        BigDecimal seconds = new BigDecimal(t);
        BigDecimal nanos = seconds.multiply(NANOS_PER_SECOND);
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
          throw BadRequestException.parameter(name, "is out of range: " + text);
        }
        return nanos.longValue();
      } catch (NumberFormatException e) {
        throw BadRequestException.parameter(
            name, "must be unix seconds or an RFC 3339 timestamp, got \"" + text + "\"");
      }
    }
    try {
      return nanos(OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeParseException e) {
      throw BadRequestException.parameter(
          name, "must be unix seconds or an RFC 3339 timestamp, got \"" + text + "\"");
    } catch (ArithmeticException e) {
      throw BadRequestException.parameter(name, "is out of range: " + text);
    }
  }

  private static long nanos(Instant instant) {
    if (instant.isBefore(Instant.EPOCH)) {
      throw new ArithmeticException("before 1970");
    }
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }
}
