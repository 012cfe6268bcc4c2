package com.yumzoom.ops.cache;

import java.time.Duration;

/**
 * Which layers a cached value lives in and how long, and how loading behaves. A cache has a default
 * strategy; single calls may use another (for example {@link #SHORT_TERM} for a search page next to
 * {@link #LONG_TERM} for a restaurant).
 *
 * <p>Timeline of one value loaded at {@code t}:
 *
 * <pre>
 * t ........ fresh ........ t+ttl ... stale-while-revalidate ... stale-if-error ... gone
 *             served          |  served, one background reload  |  served only if the
 *             (XFetch may     |                                  |  reload fails
 *             reload early)   |                                  |
 * </pre>
 *
 * where {@code ttl} is {@code l2Ttl} when L2 is used, else {@code l1Ttl}. The L1 copy of an L1+L2
 * value lives at most {@code l1Ttl}, after which the node looks in L2 again: {@code l1Ttl} bounds
 * how long a node can serve a copy whose invalidation it never heard.
 *
 * @param name shown in statistics and errors
 * @param l1 use the in-process layer
 * @param l2 use the Redis layer
 * @param l1Ttl life of an L1 copy
 * @param l2Ttl freshness of an L2 value
 * @param staleWhileRevalidate how long past freshness a value is still served while one background
 *     reload runs; zero disables
 * @param staleIfError how long past freshness a value is served when the reload fails; zero
 *     disables
 * @param negativeTtl how long "does not exist" (a loader returning null) is cached; zero disables
 * @param refreshAheadBeta XFetch's beta: 0 disables probabilistic early refresh, 1 is the paper's
 *     optimum, larger refreshes earlier
 * @param distributedLock single-flight across nodes through a short Redis lock (worth it for loads
 *     that are expensive for a shared backend)
 */
public record CacheStrategy(
    String name,
    boolean l1,
    boolean l2,
    Duration l1Ttl,
    Duration l2Ttl,
    Duration staleWhileRevalidate,
    Duration staleIfError,
    Duration negativeTtl,
    double refreshAheadBeta,
    boolean distributedLock) {

  /** L1 1 min, L2 10 min, 30 s stale-while-revalidate, 5 min stale-if-error, 30 s negative. */
  public static final CacheStrategy DEFAULT =
      new CacheStrategy(
          "default",
          true,
          true,
          Duration.ofMinutes(1),
          Duration.ofMinutes(10),
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofSeconds(30),
          1.0,
          false);

  /** Fast-changing data (availability, search pages): L1 5 s, L2 30 s. */
  public static final CacheStrategy SHORT_TERM =
      new CacheStrategy(
          "short-term",
          true,
          true,
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          1.0,
          false);

  /** Slow-changing, expensive data (restaurant profiles): L1 10 min, L2 24 h, cross-node lock. */
  public static final CacheStrategy LONG_TERM =
      new CacheStrategy(
          "long-term",
          true,
          true,
          Duration.ofMinutes(10),
          Duration.ofHours(24),
          Duration.ofMinutes(10),
          Duration.ofHours(1),
          Duration.ofMinutes(5),
          1.0,
          true);

  /** Per-node data or no Redis: L1 5 min. */
  public static final CacheStrategy L1_ONLY =
      new CacheStrategy(
          "l1-only",
          true,
          false,
          Duration.ofMinutes(5),
          Duration.ZERO,
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofSeconds(30),
          1.0,
          false);

  /** Large or rarely repeated values every node shares but none should hold: L2 10 min. */
  public static final CacheStrategy L2_ONLY =
      new CacheStrategy(
          "l2-only",
          false,
          true,
          Duration.ZERO,
          Duration.ofMinutes(10),
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofSeconds(30),
          1.0,
          false);

  public CacheStrategy {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("strategy.name empty");
    }
    if (!l1 && !l2) {
      throw new IllegalArgumentException("strategy." + name + " uses no layer");
    }
    requireNonNegative(name, "l1Ttl", l1Ttl);
    requireNonNegative(name, "l2Ttl", l2Ttl);
    requireNonNegative(name, "staleWhileRevalidate", staleWhileRevalidate);
    requireNonNegative(name, "staleIfError", staleIfError);
    requireNonNegative(name, "negativeTtl", negativeTtl);
    if (l1 && l1Ttl.isZero()) {
      throw new IllegalArgumentException("strategy." + name + ".l1Ttl must be positive");
    }
    if (l2 && l2Ttl.isZero()) {
      throw new IllegalArgumentException("strategy." + name + ".l2Ttl must be positive");
    }
    if (!(refreshAheadBeta >= 0 && refreshAheadBeta <= 10)) {
      throw new IllegalArgumentException("strategy." + name + ".refreshAheadBeta outside 0..10");
    }
  }

  private static void requireNonNegative(String name, String field, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException("strategy." + name + "." + field + " negative or missing");
    }
  }

  /** How long a freshly loaded value is fresh. */
  public Duration freshness() {
    return l2 ? l2Ttl : l1Ttl;
  }

  /** How long past freshness a value is kept for stale serving. */
  public Duration staleWindow() {
    return staleWhileRevalidate.compareTo(staleIfError) >= 0 ? staleWhileRevalidate : staleIfError;
  }

  public CacheStrategy withName(String n) {
    return new CacheStrategy(
        n,
        l1,
        l2,
        l1Ttl,
        l2Ttl,
        staleWhileRevalidate,
        staleIfError,
        negativeTtl,
        refreshAheadBeta,
        distributedLock);
  }

  public CacheStrategy withL1Ttl(Duration d) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        d,
        l2Ttl,
        staleWhileRevalidate,
        staleIfError,
        negativeTtl,
        refreshAheadBeta,
        distributedLock);
  }

  public CacheStrategy withL2Ttl(Duration d) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        l1Ttl,
        d,
        staleWhileRevalidate,
        staleIfError,
        negativeTtl,
        refreshAheadBeta,
        distributedLock);
  }

  public CacheStrategy withStaleWhileRevalidate(Duration d) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        l1Ttl,
        l2Ttl,
        d,
        staleIfError,
        negativeTtl,
        refreshAheadBeta,
        distributedLock);
  }

  public CacheStrategy withStaleIfError(Duration d) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        l1Ttl,
        l2Ttl,
        staleWhileRevalidate,
        d,
        negativeTtl,
        refreshAheadBeta,
        distributedLock);
  }

  public CacheStrategy withNegativeTtl(Duration d) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        l1Ttl,
        l2Ttl,
        staleWhileRevalidate,
        staleIfError,
        d,
        refreshAheadBeta,
        distributedLock);
  }

  public CacheStrategy withRefreshAhead(double beta) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        l1Ttl,
        l2Ttl,
        staleWhileRevalidate,
        staleIfError,
        negativeTtl,
        beta,
        distributedLock);
  }

  public CacheStrategy withDistributedLock(boolean on) {
    return new CacheStrategy(
        name,
        l1,
        l2,
        l1Ttl,
        l2Ttl,
        staleWhileRevalidate,
        staleIfError,
        negativeTtl,
        refreshAheadBeta,
        on);
  }
}
