package com.yumzoom.ops.cache.http;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Evaluates conditional request headers against the current representation, in the order RFC 9110
 * section 13.2.2 prescribes: If-Match, then If-Unmodified-Since (only without If-Match), then
 * If-None-Match, then If-Modified-Since (only for GET/HEAD without If-None-Match).
 *
 * <pre>
 * var outcome = Conditional.evaluate("GET", Conditional.Headers.of(ifNoneMatch, ifModifiedSince),
 *     etag, lastModified);
 * if (outcome == Conditional.Outcome.NOT_MODIFIED) { respond 304 with ETag and Cache-Control }
 * </pre>
 */
public final class Conditional {
  private Conditional() {}

  /** What to answer. */
  public enum Outcome {
    /** Serve the request normally (200, or perform the write). */
    PROCEED,
    /** 304 Not Modified: the client's copy is current (GET/HEAD). */
    NOT_MODIFIED,
    /** 412 Precondition Failed: a write whose precondition does not hold. */
    PRECONDITION_FAILED
  }

  /** The request's conditional headers; any may be null. */
  public record Headers(
      String ifMatch, String ifNoneMatch, String ifModifiedSince, String ifUnmodifiedSince) {
    /** The two headers a GET carries. */
    public static Headers of(String ifNoneMatch, String ifModifiedSince) {
      return new Headers(null, ifNoneMatch, ifModifiedSince, null);
    }
  }

  /**
   * @param current the representation's ETag, or null when it has none (or does not exist)
   * @param lastModified its modification time, or null
   */
  public static Outcome evaluate(String method, Headers h, ETag current, Instant lastModified) {
    boolean safe = "GET".equalsIgnoreCase(method) || "HEAD".equalsIgnoreCase(method);
    if (h.ifMatch() != null) {
      List<ETag> tags = ETag.parseList(h.ifMatch());
      boolean ok =
          tags == null
              ? current != null
              : current != null && tags.stream().anyMatch(current::strongMatch);
      if (!ok) {
        return Outcome.PRECONDITION_FAILED;
      }
    } else if (h.ifUnmodifiedSince() != null && lastModified != null) {
      Instant since = httpDate(h.ifUnmodifiedSince());
      if (since != null && seconds(lastModified).isAfter(since)) {
        return Outcome.PRECONDITION_FAILED;
      }
    }
    if (h.ifNoneMatch() != null) {
      List<ETag> tags = ETag.parseList(h.ifNoneMatch());
      boolean matched =
          tags == null
              ? current != null
              : current != null && tags.stream().anyMatch(current::weakMatch);
      if (matched) {
        return safe ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
      }
    } else if (safe && h.ifModifiedSince() != null && lastModified != null) {
      Instant since = httpDate(h.ifModifiedSince());
      if (since != null && !seconds(lastModified).isAfter(since)) {
        return Outcome.NOT_MODIFIED;
      }
    }
    return Outcome.PROCEED;
  }

  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
          .withZone(java.time.ZoneOffset.UTC);

  /** An HTTP date (IMF-fixdate, two-digit day) for Last-Modified and Expires headers. */
  public static String formatHttpDate(Instant t) {
    return IMF_FIXDATE.format(seconds(t));
  }

  /** Parses an HTTP date; null when malformed (the header is then ignored, per RFC 9110). */
  public static Instant httpDate(String value) {
    try {
      return ZonedDateTime.parse(
              value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT))
          .toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** HTTP dates have one-second resolution; compare at that resolution. */
  private static Instant seconds(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS);
  }
}
