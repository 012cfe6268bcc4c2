package com.yumzoom.ops.marketplace;

import com.yumzoom.ops.cache.CacheLoadException;
import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.Tagged;
import com.yumzoom.ops.cache.metrics.CacheMetrics;
import com.yumzoom.ops.cache.redis.RedisL2;
import com.yumzoom.ops.marketplace.Model.Menu;
import com.yumzoom.ops.marketplace.Model.Restaurant;
import com.yumzoom.ops.marketplace.Model.SearchResult;
import com.yumzoom.ops.marketplace.Model.Statistics;
import com.yumzoom.ops.marketplace.Model.User;
import io.opentelemetry.api.metrics.Meter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketplace's read caches on the multi-layer cache library. In-process only (L1) unless a
 * Redis URL is configured, then L1 + Redis shared by every marketplace node.
 *
 * <p>Dependencies are tags: everything derived from restaurant 42 (its details, menu, statistics,
 * every search page listing it) carries {@code restaurant:42}, so a new review drops all of them on
 * every node with one call per cache. Disabled, every read goes to the loader: the benchmark's
 * "without caching" column.
 */
final class MarketplaceCaches implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MarketplaceCaches.class);

  @FunctionalInterface
  interface Load<V> {
    V load() throws Exception;
  }

  private final RedisL2 redis;
  private final MultiLayerCache<Restaurant> restaurants;
  private final MultiLayerCache<Menu> menus;
  private final MultiLayerCache<SearchResult> search;
  private final MultiLayerCache<User> users;
  private final MultiLayerCache<Statistics> stats;
  private final CacheStrategy detailStrategy;
  private final CacheStrategy searchStrategy;
  private final CacheStrategy statsStrategy;
  private final List<AutoCloseable> metrics = new ArrayList<>();

  private MarketplaceCaches(String redisUrl, Meter meter) {
    // 2 s rather than the library's 500 ms: connection set-up on a loaded host is slower than a
    // command, and a cache read that fails falls through to PostgreSQL anyway.
    this.redis =
        redisUrl == null
            ? null
            : RedisL2.standalone(io.lettuce.core.RedisURI.create(redisUrl), Duration.ofSeconds(2));
    CacheStrategy base = redis == null ? CacheStrategy.L1_ONLY : CacheStrategy.DEFAULT;
    this.detailStrategy = base.withName("details").withL1Ttl(Duration.ofMinutes(5));
    // Search pages and statistics change with every review and order: short lives.
    this.searchStrategy = base.withName("search").withL1Ttl(Duration.ofSeconds(30));
    this.statsStrategy = base.withName("stats").withL1Ttl(Duration.ofSeconds(30));
    this.restaurants = build("mp.restaurants", Restaurant.class, detailStrategy, 20_000);
    this.menus = build("mp.menus", Menu.class, detailStrategy, 20_000);
    this.search = build("mp.search", SearchResult.class, searchStrategy, 10_000);
    this.users = build("mp.users", User.class, detailStrategy, 50_000);
    this.stats = build("mp.stats", Statistics.class, statsStrategy, 10_000);
    if (meter != null) {
      for (MultiLayerCache<?> c : List.of(restaurants, menus, search, users, stats)) {
        metrics.add(CacheMetrics.register(meter, c));
      }
    }
  }

  /** Caching on; {@code redisUrl} null means in-process only. */
  static MarketplaceCaches enabled(String redisUrl, Meter meter) {
    return new MarketplaceCaches(redisUrl, meter);
  }

  /** Caching off: every read loads. */
  static MarketplaceCaches disabled() {
    return null;
  }

  private <V> MultiLayerCache<V> build(
      String name, Class<V> type, CacheStrategy strategy, long size) {
    MultiLayerCache.Builder<V> b =
        MultiLayerCache.builder(name, type).strategy(strategy).l1MaximumSize(size);
    if (redis != null) {
      b.redis(redis);
    }
    return b.build();
  }

  static String restaurantTag(long id) {
    return "restaurant:" + id;
  }

  Restaurant restaurant(long id, Load<Restaurant> load) throws Exception {
    return unwrap(() -> restaurants.get("restaurant:" + id, k -> load.load(), restaurantTag(id)));
  }

  Menu menu(long restaurantId, Load<Menu> load) throws Exception {
    return unwrap(
        () -> menus.get("menu:" + restaurantId, k -> load.load(), restaurantTag(restaurantId)));
  }

  SearchResult search(String key, Load<SearchResult> load) throws Exception {
    return unwrap(
        () ->
            search.getTagged(
                key,
                k -> {
                  SearchResult result = load.load();
                  Set<String> tags =
                      result.hits().stream()
                          .map(h -> restaurantTag(h.restaurant().id()))
                          .collect(Collectors.toSet());
                  return new Tagged<>(result, tags);
                }));
  }

  User user(long id, Load<User> load) throws Exception {
    return unwrap(() -> users.get("user:" + id, k -> load.load(), "user:" + id));
  }

  User userByEmail(String email, Load<User> load) throws Exception {
    return unwrap(() -> users.get(emailKey(email), k -> load.load()));
  }

  Statistics statistics(long restaurantId, int days, Load<Statistics> load) throws Exception {
    return unwrap(
        () ->
            stats.get(
                "stats:" + restaurantId + ":" + days,
                k -> load.load(),
                restaurantTag(restaurantId)));
  }

  /** A new account: a cached "no such email" must not hide it. */
  void userCreated(User user) {
    users.invalidate(emailKey(user.email()));
  }

  /** Orders change a restaurant's statistics, nothing else that is cached. */
  void orderChanged(long restaurantId) {
    stats.invalidateTag(restaurantTag(restaurantId));
  }

  /**
   * A review changes the rating: the restaurant, its statistics and every search page listing it.
   */
  void reviewAdded(long restaurantId) {
    String tag = restaurantTag(restaurantId);
    restaurants.invalidateTag(tag);
    stats.invalidateTag(tag);
    search.invalidateTag(tag);
  }

  String report() {
    StringBuilder out = new StringBuilder();
    for (MultiLayerCache<?> c : List.of(restaurants, menus, search, users, stats)) {
      out.append(c.report(3)).append('\n');
    }
    return out.toString();
  }

  private static String emailKey(String email) {
    return "email:" + email.toLowerCase(java.util.Locale.ROOT);
  }

  private interface Call<V> {
    V call();
  }

  /** The loader's own exception (a 404, a database error) is what the caller should see. */
  private static <V> V unwrap(Call<V> call) throws Exception {
    try {
      return call.call();
    } catch (CacheLoadException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    for (AutoCloseable m : metrics) {
      try {
        m.close();
      } catch (Exception e) {
        LOG.debug("cache metrics did not close", e);
      }
    }
    for (MultiLayerCache<?> c : List.of(restaurants, menus, search, users, stats)) {
      c.close();
    }
    if (redis != null) {
      redis.close();
    }
  }
}
