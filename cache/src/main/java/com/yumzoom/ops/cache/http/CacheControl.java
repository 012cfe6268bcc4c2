package com.yumzoom.ops.cache.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code Cache-Control} response policy for browsers and CDNs (RFC 9111, RFC 5861 for the stale
 * extensions). Build with the factories and withers, write with {@link #toHeaderValue()}; read a
 * request's or an upstream's header with {@link #parse(String)}.
 *
 * <pre>
 * CacheControl.publicFor(Duration.ofMinutes(1))
 *     .withSharedMaxAge(Duration.ofMinutes(10))
 *     .withStaleWhileRevalidate(Duration.ofSeconds(30))
 *     .withStaleIfError(Duration.ofDays(1))
 *     .toHeaderValue();
 * // public, max-age=60, s-maxage=600, stale-while-revalidate=30, stale-if-error=86400
 * </pre>
 *
 * Durations are whole seconds; absent ones are null.
 */
public record CacheControl(
    Visibility visibility,
    boolean noStore,
    boolean noCache,
    Duration maxAge,
    Duration sharedMaxAge,
    Duration staleWhileRevalidate,
    Duration staleIfError,
    boolean mustRevalidate,
    boolean immutable) {

  /** Who may store the response. */
  public enum Visibility {
    /** Not stated: browsers cache, shared caches follow their defaults. */
    UNSPECIFIED,
    /** Any cache, CDNs included, even for authenticated requests. */
    PUBLIC,
    /** Only the user's browser: personalised pages. */
    PRIVATE
  }

  public CacheControl {
    if (visibility == null) {
      throw new IllegalArgumentException("cacheControl.visibility missing");
    }
    check("max-age", maxAge);
    check("s-maxage", sharedMaxAge);
    check("stale-while-revalidate", staleWhileRevalidate);
    check("stale-if-error", staleIfError);
    if (noStore && (maxAge != null || sharedMaxAge != null)) {
      throw new IllegalArgumentException("cacheControl.no-store contradicts max-age");
    }
  }

  private static void check(String field, Duration d) {
    if (d != null && d.isNegative()) {
      throw new IllegalArgumentException("cacheControl." + field + " negative");
    }
  }

  /** Cacheable by anyone for {@code maxAge}. */
  public static CacheControl publicFor(Duration maxAge) {
    return new CacheControl(
        Visibility.PUBLIC, false, false, maxAge, null, null, null, false, false);
  }

  /** Cacheable by the user's browser only, for {@code maxAge}. */
  public static CacheControl privateFor(Duration maxAge) {
    return new CacheControl(
        Visibility.PRIVATE, false, false, maxAge, null, null, null, false, false);
  }

  /** Stored, but revalidated (ETag, 304) before every use. */
  public static CacheControl revalidateAlways() {
    return new CacheControl(
        Visibility.UNSPECIFIED, false, true, null, null, null, null, false, false);
  }

  /** Never stored anywhere (secrets, one-time pages). */
  public static CacheControl noStoreAtAll() {
    return new CacheControl(Visibility.PRIVATE, true, false, null, null, null, null, false, false);
  }

  /** Fingerprinted assets ({@code app.3f2a.js}): a year, never revalidated. */
  public static CacheControl immutableAsset() {
    return new CacheControl(
        Visibility.PUBLIC, false, false, Duration.ofDays(365), null, null, null, false, true);
  }

  public CacheControl withSharedMaxAge(Duration d) {
    return new CacheControl(
        visibility,
        noStore,
        noCache,
        maxAge,
        d,
        staleWhileRevalidate,
        staleIfError,
        mustRevalidate,
        immutable);
  }

  public CacheControl withStaleWhileRevalidate(Duration d) {
    return new CacheControl(
        visibility,
        noStore,
        noCache,
        maxAge,
        sharedMaxAge,
        d,
        staleIfError,
        mustRevalidate,
        immutable);
  }

  public CacheControl withStaleIfError(Duration d) {
    return new CacheControl(
        visibility,
        noStore,
        noCache,
        maxAge,
        sharedMaxAge,
        staleWhileRevalidate,
        d,
        mustRevalidate,
        immutable);
  }

  public CacheControl withMustRevalidate() {
    return new CacheControl(
        visibility,
        noStore,
        noCache,
        maxAge,
        sharedMaxAge,
        staleWhileRevalidate,
        staleIfError,
        true,
        immutable);
  }

  /** The header value, directives in a stable order. */
  public String toHeaderValue() {
    List<String> d = new ArrayList<>();
    switch (visibility) {
      case PUBLIC -> d.add("public");
      case PRIVATE -> d.add("private");
      case UNSPECIFIED -> {}
    }
    if (noStore) {
      d.add("no-store");
    }
    if (noCache) {
      d.add("no-cache");
    }
    add(d, "max-age", maxAge);
    add(d, "s-maxage", sharedMaxAge);
    add(d, "stale-while-revalidate", staleWhileRevalidate);
    add(d, "stale-if-error", staleIfError);
    if (mustRevalidate) {
      d.add("must-revalidate");
    }
    if (immutable) {
      d.add("immutable");
    }
    return String.join(", ", d);
  }

  private static void add(List<String> d, String name, Duration v) {
    if (v != null) {
      d.add(name + "=" + v.toSeconds());
    }
  }

  /**
   * Reads a header value; unknown directives are ignored and malformed numbers make their directive
   * absent, as RFC 9111 asks of caches.
   */
  public static CacheControl parse(String header) {
    Visibility vis = Visibility.UNSPECIFIED;
    boolean noStore = false;
    boolean noCache = false;
    boolean mustRevalidate = false;
    boolean immutable = false;
    Duration maxAge = null;
    Duration sMaxAge = null;
    Duration swr = null;
    Duration sie = null;
    if (header != null) {
      for (String raw : header.split(",")) {
        String part = raw.trim();
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        String name = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        String arg = eq < 0 ? null : unquote(part.substring(eq + 1).trim());
        switch (name) {
          case "public" -> vis = Visibility.PUBLIC;
          case "private" -> vis = Visibility.PRIVATE;
          case "no-store" -> noStore = true;
          case "no-cache" -> noCache = true;
          case "must-revalidate" -> mustRevalidate = true;
          case "immutable" -> immutable = true;
          case "max-age" -> maxAge = seconds(arg).orElse(maxAge);
          case "s-maxage" -> sMaxAge = seconds(arg).orElse(sMaxAge);
          case "stale-while-revalidate" -> swr = seconds(arg).orElse(swr);
          case "stale-if-error" -> sie = seconds(arg).orElse(sie);
          default -> {}
        }
      }
    }
    if (noStore) {
      maxAge = null;
      sMaxAge = null;
    }
    return new CacheControl(
        vis, noStore, noCache, maxAge, sMaxAge, swr, sie, mustRevalidate, immutable);
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }

  private static Optional<Duration> seconds(String arg) {
    if (arg == null
        || arg.isEmpty()
        || arg.length() > 10
        || !arg.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Long.parseLong(arg)));
  }
}
