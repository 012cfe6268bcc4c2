package com.yumzoom.ops.marketplace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.marketplace.Faults.Fault;
import com.yumzoom.ops.marketplace.Model.Cart;
import com.yumzoom.ops.marketplace.Model.Catalog;
import com.yumzoom.ops.marketplace.Model.Menu;
import com.yumzoom.ops.marketplace.Model.NewOrder;
import com.yumzoom.ops.marketplace.Model.NewOrderLine;
import com.yumzoom.ops.marketplace.Model.NewReview;
import com.yumzoom.ops.marketplace.Model.NewUser;
import com.yumzoom.ops.marketplace.Model.Order;
import com.yumzoom.ops.marketplace.Model.OrderLine;
import com.yumzoom.ops.marketplace.Model.Restaurant;
import com.yumzoom.ops.marketplace.Model.Review;
import com.yumzoom.ops.marketplace.Model.SearchQuery;
import com.yumzoom.ops.marketplace.Model.SearchResult;
import com.yumzoom.ops.marketplace.Model.Statistics;
import com.yumzoom.ops.marketplace.Model.User;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * What the marketplace does, between the HTTP API and the store: caching, idempotency, payment,
 * business metrics, and the injected faults.
 */
final class Marketplace {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final MarketplaceCaches caches;
  private final PaymentGateway payments;
  private final Faults faults;
  private final Telemetry telemetry;
  private final Clock clock;
  private final ZoneId zone;

  Marketplace(
      Store store,
      MarketplaceCaches caches,
      PaymentGateway payments,
      Faults faults,
      Telemetry telemetry,
      Clock clock,
      ZoneId zone) {
    this.store = store;
    this.caches = caches;
    this.payments = payments;
    this.faults = faults;
    this.telemetry = telemetry;
    this.clock = clock;
    this.zone = zone;
  }

  Restaurant restaurant(long id) throws Exception {
    faults.maybeConnectionPoolExhausted();
    Restaurant r =
        caches == null
            ? store.restaurant(id).orElse(null)
            : caches.restaurant(id, () -> store.restaurant(id).orElse(null));
    if (r == null) {
      throw ApiException.notFound("restaurant " + id + " does not exist");
    }
    return r;
  }

  Menu menu(long restaurantId) throws Exception {
    Menu menu =
        caches == null
            ? loadMenu(restaurantId)
            : caches.menu(restaurantId, () -> loadMenu(restaurantId));
    if (menu == null) {
      throw ApiException.notFound("restaurant " + restaurantId + " does not exist");
    }
    return menu;
  }

  private Menu loadMenu(long restaurantId) throws Exception {
    if (store.restaurant(restaurantId).isEmpty()) {
      return null;
    }
    return new Menu(restaurantId, store.menu(restaurantId));
  }

  SearchResult search(SearchQuery q) throws Exception {
    boolean slow = faults.on(Fault.SLOW_QUERY);
    // "Open now" answers change by the minute: the minute is part of the cache key.
    LocalTime now = LocalTime.now(clock.withZone(zone)).withSecond(0).withNano(0);
    if (caches == null || slow) {
      // The slow-query fault stands for a deploy whose new query path is not cached either.
      return new SearchResult(store.search(q, now, slow));
    }
    String key = "search:" + JSON.writeValueAsString(q) + (q.openNow() ? ":" + now : "");
    return caches.search(key, () -> new SearchResult(store.search(q, now, false)));
  }

  Statistics statistics(long restaurantId, int days) throws Exception {
    Instant since = clock.instant().minus(Duration.ofDays(days));
    Statistics s =
        caches == null
            ? store.statistics(restaurantId, since).orElse(null)
            : caches.statistics(
                restaurantId, days, () -> store.statistics(restaurantId, since).orElse(null));
    if (s == null) {
      throw ApiException.notFound("restaurant " + restaurantId + " does not exist");
    }
    return s;
  }

  List<Review> reviews(long restaurantId, int limit) throws Exception {
    return store.reviews(restaurantId, limit, faults.on(Fault.N_PLUS_ONE));
  }

  Review addReview(long restaurantId, NewReview review) throws Exception {
    Review saved = store.addReview(restaurantId, review);
    if (caches != null) {
      caches.reviewAdded(restaurantId);
    }
    telemetry.reviewsSubmitted.add(1, Attributes.of(Telemetry.RATING, (long) review.rating()));
    return saved;
  }

  User user(long id) throws Exception {
    User u =
        caches == null
            ? store.user(id).orElse(null)
            : caches.user(id, () -> store.user(id).orElse(null));
    if (u == null) {
      throw ApiException.notFound("user " + id + " does not exist");
    }
    return u;
  }

  User userByEmail(String email) throws Exception {
    User u =
        caches == null
            ? store.userByEmail(email).orElse(null)
            : caches.userByEmail(email, () -> store.userByEmail(email).orElse(null));
    if (u == null) {
      throw ApiException.notFound("no user with this email");
    }
    return u;
  }

  User createUser(NewUser u) throws Exception {
    User created = store.createUser(u);
    if (caches != null) {
      caches.userCreated(created);
    }
    return created;
  }

  Cart cart(long userId) throws Exception {
    return store.cart(userId);
  }

  Cart putCartItem(long userId, long menuItemId, int quantity) throws Exception {
    return store.putCartItem(userId, menuItemId, quantity);
  }

  void clearCart(long userId) throws Exception {
    store.clearCart(userId);
  }

  /** Places the cart's content as an order, then empties the cart. */
  Order checkout(long userId, String idempotencyKey) throws Exception {
    Cart cart = store.cart(userId);
    if (cart.items().isEmpty()) {
      throw ApiException.unprocessable("cart: empty");
    }
    NewOrder order =
        new NewOrder(
            userId,
            cart.items().getFirst().restaurantId(),
            cart.items().stream()
                .map(i -> new NewOrderLine(i.menuItemId(), i.quantity()))
                .toList());
    Placed placed = placeOrder(order, idempotencyKey);
    store.clearCart(userId);
    return placed.order();
  }

  /** The placed order, and whether it was placed by an earlier request with the same key. */
  record Placed(Order order, boolean replayed) {}

  /**
   * Places an order. With an idempotency key, a retry of the same request returns the order the
   * first one created (and charges nothing again); the same key with another body is a 422.
   */
  Placed placeOrder(NewOrder order, String idempotencyKey) throws Exception {
    String hash = requestHash(order);
    if (idempotencyKey != null) {
      var existing = store.orderByIdempotencyKey(order.userId(), idempotencyKey);
      if (existing.isPresent()) {
        if (!existing.get().requestHash().equals(hash)) {
          throw ApiException.unprocessable(
              "Idempotency-Key: already used with a different request body");
        }
        Span.current().setAttribute("marketplace.idempotent_replay", true);
        return new Placed(store.order(existing.get().orderId()).orElseThrow(), true);
      }
    }
    List<OrderLine> lines = store.price(order);
    long total = lines.stream().mapToLong(l -> (long) l.quantity() * l.unitPriceCents()).sum();
    faults.maybeKitchenRejects(order.restaurantId());
    try {
      payments.authorize(order.userId(), total);
    } catch (PaymentGateway.PaymentUnavailableException e) {
      telemetry.recordFailure("payment authorization failed", e);
      throw new ApiException(503, "payment_unavailable", "payment: " + e.getMessage());
    }
    Store.Inserted inserted = store.insertOrder(order, lines, idempotencyKey, hash);
    Order placed = inserted.order();
    if (!inserted.created()) {
      return new Placed(placed, true);
    }
    if (caches != null) {
      caches.orderChanged(order.restaurantId());
    }
    Span.current().setAttribute("marketplace.order.id", placed.id());
    telemetry.ordersPlaced.add(1);
    telemetry.orderValue.record(total / 100.0);
    telemetry.revenue.add(total);
    return new Placed(placed, false);
  }

  Order order(long id) throws Exception {
    return store
        .order(id)
        .orElseThrow(() -> ApiException.notFound("order " + id + " does not exist"));
  }

  List<Order> ordersOfUser(long userId, int limit) throws Exception {
    return store.ordersOfUser(userId, limit);
  }

  Order transition(long orderId, OrderStatus target) throws Exception {
    Order order = store.transition(orderId, target);
    if (caches != null) {
      caches.orderChanged(order.restaurantId());
    }
    return order;
  }

  Catalog catalog() throws Exception {
    return store.catalog();
  }

  String cacheReport() {
    return caches == null ? "caching disabled\n" : caches.report();
  }

  /** Same order (whatever the order of its lines) means same hash. */
  static String requestHash(NewOrder order) {
    List<NewOrderLine> lines =
        order.items().stream().sorted(Comparator.comparingLong(NewOrderLine::menuItemId)).toList();
    String canonical =
        order.userId()
            + "|"
            + order.restaurantId()
            + "|"
            + String.join(
                ",", lines.stream().map(l -> l.menuItemId() + "x" + l.quantity()).toList());
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
