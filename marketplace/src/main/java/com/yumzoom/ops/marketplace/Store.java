package com.yumzoom.ops.marketplace;

import com.yumzoom.ops.marketplace.Model.Cart;
import com.yumzoom.ops.marketplace.Model.CartItem;
import com.yumzoom.ops.marketplace.Model.Catalog;
import com.yumzoom.ops.marketplace.Model.MenuItem;
import com.yumzoom.ops.marketplace.Model.NewOrder;
import com.yumzoom.ops.marketplace.Model.NewOrderLine;
import com.yumzoom.ops.marketplace.Model.NewReview;
import com.yumzoom.ops.marketplace.Model.NewUser;
import com.yumzoom.ops.marketplace.Model.Order;
import com.yumzoom.ops.marketplace.Model.OrderLine;
import com.yumzoom.ops.marketplace.Model.Restaurant;
import com.yumzoom.ops.marketplace.Model.Review;
import com.yumzoom.ops.marketplace.Model.SearchHit;
import com.yumzoom.ops.marketplace.Model.SearchQuery;
import com.yumzoom.ops.marketplace.Model.Sort;
import com.yumzoom.ops.marketplace.Model.Statistics;
import com.yumzoom.ops.marketplace.Model.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * All SQL of the marketplace. Each query's comment in the migration names the index it relies on;
 * the one exception is {@link #search} with {@code bypassIndex}, the slow-query fault.
 */
final class Store {

  private static final String RESTAURANT_COLUMNS =
      "r.id, r.name, r.cuisine, r.description, r.city, r.lat, r.lon, r.price_level, r.opens_at,"
          + " r.closes_at, r.rating, r.rating_count";

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;

  Store(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  <T> T read(Work<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    }
  }

  <T> T transaction(Work<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  // ---- restaurants, menus, search -------------------------------------------------------------

  Optional<Restaurant> restaurant(long id) throws SQLException {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT " + RESTAURANT_COLUMNS + " FROM restaurants r WHERE r.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(restaurant(rs)) : Optional.empty();
            }
          }
        });
  }

  List<MenuItem> menu(long restaurantId) throws SQLException {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, restaurant_id, name, description, category, price_cents, available"
                      + " FROM menu_items WHERE restaurant_id = ? ORDER BY category, id")) {
            ps.setLong(1, restaurantId);
            List<MenuItem> items = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                items.add(
                    new MenuItem(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getInt(6),
                        rs.getBoolean(7)));
              }
            }
            return items;
          }
        });
  }

  /**
   * Full-text search with filters. {@code bypassIndex} matches on a tsvector computed per row
   * instead of the indexed column: what a query looks like after someone "simplified" it, and the
   * slow-query fault.
   */
  List<SearchHit> search(SearchQuery q, LocalTime now, boolean bypassIndex) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ").append(RESTAURANT_COLUMNS);
    sql.append(" FROM restaurants r WHERE true");
    List<Object> args = new ArrayList<>();
    if (q.text() != null) {
      if (bypassIndex) {
        sql.append(
            " AND to_tsvector('english', r.name || ' ' || r.cuisine || ' ' || r.city || ' ' ||"
                + " r.description) @@ websearch_to_tsquery('english', ?)");
      } else {
        sql.append(" AND r.search_vector @@ websearch_to_tsquery('english', ?)");
      }
      args.add(q.text());
    }
    if (q.cuisine() != null) {
      sql.append(" AND r.cuisine = ?");
      args.add(q.cuisine());
    }
    if (q.maxPrice() != null) {
      sql.append(" AND r.price_level <= ?");
      args.add(q.maxPrice());
    }
    if (q.openNow()) {
      // Hours that cross midnight (closes_at < opens_at) are open before closing or after opening.
      sql.append(
          " AND CASE WHEN r.opens_at <= r.closes_at THEN ?::time >= r.opens_at AND ?::time <"
              + " r.closes_at ELSE ?::time >= r.opens_at OR ?::time < r.closes_at END");
      for (int i = 0; i < 4; i++) {
        args.add(now.toString());
      }
    }
    if (q.sort() == Sort.DISTANCE) {
      sql.append(" ORDER BY point(r.lon, r.lat) <-> point(?, ?), r.id");
      args.add(q.lon());
      args.add(q.lat());
    } else {
      sql.append(" ORDER BY r.rating DESC, r.id");
    }
    sql.append(" LIMIT ?");
    // The GiST order is by planar degrees; a longitude degree is shorter than a latitude degree
    // away from the equator. Over-fetch nearest candidates, then rank them by true distance.
    boolean rerank = q.sort() == Sort.DISTANCE;
    args.add(rerank ? Math.min(q.limit() * 4, 400) : q.limit());
    return read(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
            List<SearchHit> hits = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                Restaurant r = restaurant(rs);
                Double km =
                    q.lat() == null ? null : Geo.distanceKm(q.lat(), q.lon(), r.lat(), r.lon());
                hits.add(new SearchHit(r, km));
              }
            }
            if (rerank) {
              hits.sort(
                  java.util.Comparator.comparingDouble(SearchHit::distanceKm)
                      .thenComparingLong(h -> h.restaurant().id()));
              return List.copyOf(hits.subList(0, Math.min(q.limit(), hits.size())));
            }
            return hits;
          }
        });
  }

  /** Orders, revenue and rating of one restaurant since a time, in one index-only aggregate. */
  Optional<Statistics> statistics(long restaurantId, Instant since) throws SQLException {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  """
                  SELECT r.id, r.rating, r.rating_count,
                         count(o.restaurant_id),
                         count(*) FILTER (WHERE o.status = 'delivered'),
                         count(*) FILTER (WHERE o.status = 'cancelled'),
                         count(*) FILTER (WHERE o.status IN ('placed', 'accepted', 'preparing')),
                         coalesce(sum(o.total_cents) FILTER (WHERE o.status = 'delivered'), 0),
                         coalesce(avg(o.total_cents) FILTER (WHERE o.status <> 'cancelled'), 0)
                    FROM restaurants r
                    LEFT JOIN orders o ON o.restaurant_id = r.id AND o.created_at >= ?
                   WHERE r.id = ?
                   GROUP BY r.id
                  """)) {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setLong(2, restaurantId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new Statistics(
                      rs.getLong(1),
                      since.toString(),
                      rs.getLong(4),
                      rs.getLong(5),
                      rs.getLong(6),
                      rs.getLong(7),
                      rs.getLong(8),
                      rs.getDouble(9),
                      rs.getDouble(2),
                      rs.getInt(3)));
            }
          }
        });
  }

  Catalog catalog() throws SQLException {
    return read(
        c -> {
          long maxRestaurant = scalar(c, "SELECT coalesce(max(id), 0) FROM restaurants");
          long maxUser = scalar(c, "SELECT coalesce(max(id), 0) FROM users");
          return new Catalog(
              maxRestaurant,
              maxUser,
              strings(c, "SELECT DISTINCT cuisine FROM restaurants ORDER BY 1 LIMIT 100"),
              strings(c, "SELECT DISTINCT city FROM restaurants ORDER BY 1 LIMIT 100"));
        });
  }

  // ---- users and carts ------------------------------------------------------------------------

  Optional<User> user(long id) throws SQLException {
    return read(
        c -> user(c, "SELECT id, email, name, city, created_at FROM users WHERE id = ?", id));
  }

  Optional<User> userByEmail(String email) throws SQLException {
    return read(
        c ->
            user(
                c,
                "SELECT id, email, name, city, created_at FROM users WHERE lower(email) = lower(?)",
                email));
  }

  User createUser(NewUser u) throws SQLException {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO users (email, name, city) VALUES (?, ?, ?)"
                      + " ON CONFLICT DO NOTHING RETURNING id, email, name, city, created_at")) {
            ps.setString(1, u.email());
            ps.setString(2, u.name());
            ps.setString(3, u.city());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw ApiException.conflict("email: already registered");
              }
              return user(rs);
            }
          }
        });
  }

  Cart cart(long userId) throws SQLException {
    return read(c -> cart(c, userId));
  }

  Cart putCartItem(long userId, long menuItemId, int quantity) throws SQLException {
    return transaction(
        c -> {
          requireUser(c, userId);
          long restaurantId;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT restaurant_id FROM menu_items WHERE id = ? AND available")) {
            ps.setLong(1, menuItemId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw ApiException.notFound("menuItemId: no available menu item " + menuItemId);
              }
              restaurantId = rs.getLong(1);
            }
          }
          Cart current = cart(c, userId);
          if (current.items().stream().anyMatch(i -> i.restaurantId() != restaurantId)) {
            throw ApiException.conflict(
                "menuItemId: the cart holds items of another restaurant; empty it first");
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO cart_items (user_id, menu_item_id, quantity) VALUES (?, ?, ?)"
                      + " ON CONFLICT (user_id, menu_item_id) DO UPDATE SET quantity ="
                      + " EXCLUDED.quantity")) {
            ps.setLong(1, userId);
            ps.setLong(2, menuItemId);
            ps.setInt(3, quantity);
            ps.executeUpdate();
          }
          return cart(c, userId);
        });
  }

  void clearCart(long userId) throws SQLException {
    read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM cart_items WHERE user_id = ?")) {
            ps.setLong(1, userId);
            return ps.executeUpdate();
          }
        });
  }

  // ---- orders ---------------------------------------------------------------------------------

  /** An existing order of this user under this idempotency key, with the hash of its request. */
  record Existing(long orderId, String requestHash) {}

  Optional<Existing> orderByIdempotencyKey(long userId, String key) throws SQLException {
    return read(c -> existing(c, userId, key));
  }

  /** Prices the lines from the menu (never from the client) and checks they can be ordered. */
  List<OrderLine> price(NewOrder order) throws SQLException {
    return read(
        c -> {
          requireUser(c, order.userId());
          Map<Long, Integer> prices = new HashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, price_cents FROM menu_items WHERE restaurant_id = ? AND available"
                      + " AND id = ANY (?)")) {
            ps.setLong(1, order.restaurantId());
            ps.setArray(
                2,
                c.createArrayOf(
                    "bigint", order.items().stream().map(NewOrderLine::menuItemId).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                prices.put(rs.getLong(1), rs.getInt(2));
              }
            }
          }
          List<OrderLine> lines = new ArrayList<>();
          Map<Long, Integer> seen = new HashMap<>();
          for (int i = 0; i < order.items().size(); i++) {
            NewOrderLine line = order.items().get(i);
            Integer price = prices.get(line.menuItemId());
            if (price == null) {
              throw ApiException.unprocessable(
                  "items["
                      + i
                      + "].menuItemId: "
                      + line.menuItemId()
                      + " is not an available item of restaurant "
                      + order.restaurantId());
            }
            if (seen.put(line.menuItemId(), i) != null) {
              throw ApiException.badRequest(
                  "items[" + i + "].menuItemId: listed twice; use quantity");
            }
            lines.add(new OrderLine(line.menuItemId(), line.quantity(), price));
          }
          return lines;
        });
  }

  /**
   * Inserts the order, or returns the order an earlier request with the same idempotency key
   * created (the unique index decides races between concurrent retries).
   */
  record Inserted(Order order, boolean created) {}

  Inserted insertOrder(NewOrder order, List<OrderLine> lines, String key, String requestHash)
      throws SQLException {
    long total = lines.stream().mapToLong(l -> (long) l.quantity() * l.unitPriceCents()).sum();
    Long createdId =
        transaction(
            c -> {
              long id;
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO orders (user_id, restaurant_id, status, total_cents,"
                          + " idempotency_key, request_hash) VALUES (?, ?, 'placed', ?, ?, ?)"
                          + " ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT"
                          + " NULL DO NOTHING RETURNING id")) {
                ps.setLong(1, order.userId());
                ps.setLong(2, order.restaurantId());
                ps.setLong(3, total);
                ps.setString(4, key);
                ps.setString(5, key == null ? null : requestHash);
                try (ResultSet rs = ps.executeQuery()) {
                  if (!rs.next()) {
                    return null;
                  }
                  id = rs.getLong(1);
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO order_items (order_id, menu_item_id, quantity, unit_price_cents)"
                          + " VALUES (?, ?, ?, ?)")) {
                for (OrderLine l : lines) {
                  ps.setLong(1, id);
                  ps.setLong(2, l.menuItemId());
                  ps.setInt(3, l.quantity());
                  ps.setInt(4, l.unitPriceCents());
                  ps.addBatch();
                }
                ps.executeBatch();
              }
              return id;
            });
    if (createdId == null) {
      // A concurrent request with the same key won the race; answer like a replay.
      Existing winner =
          orderByIdempotencyKey(order.userId(), key)
              .orElseThrow(() -> new IllegalStateException("idempotency key vanished: " + key));
      if (!winner.requestHash().equals(requestHash)) {
        throw ApiException.unprocessable(
            "Idempotency-Key: already used with a different request body");
      }
      return new Inserted(order(winner.orderId()).orElseThrow(), false);
    }
    return new Inserted(order(createdId).orElseThrow(), true);
  }

  Optional<Order> order(long id) throws SQLException {
    return read(
        c -> {
          Order head;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, user_id, restaurant_id, status, total_cents, created_at, updated_at"
                      + " FROM orders WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              head = orderHead(rs, List.of());
            }
          }
          List<OrderLine> lines = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT menu_item_id, quantity, unit_price_cents FROM order_items"
                      + " WHERE order_id = ? ORDER BY menu_item_id")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                lines.add(new OrderLine(rs.getLong(1), rs.getInt(2), rs.getInt(3)));
              }
            }
          }
          return Optional.of(
              new Order(
                  head.id(),
                  head.userId(),
                  head.restaurantId(),
                  head.status(),
                  head.totalCents(),
                  List.copyOf(lines),
                  head.createdAt(),
                  head.updatedAt()));
        });
  }

  List<Order> ordersOfUser(long userId, int limit) throws SQLException {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, user_id, restaurant_id, status, total_cents, created_at, updated_at"
                      + " FROM orders WHERE user_id = ? ORDER BY created_at DESC LIMIT ?")) {
            ps.setLong(1, userId);
            ps.setInt(2, limit);
            List<Order> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(orderHead(rs, List.of()));
              }
            }
            return out;
          }
        });
  }

  /** Moves an order along its life cycle; a move the life cycle forbids is a 409. */
  Order transition(long orderId, OrderStatus target) throws SQLException {
    transaction(
        c -> {
          OrderStatus current;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT status FROM orders WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw ApiException.notFound("order " + orderId + " does not exist");
              }
              current = OrderStatus.parse("status", rs.getString(1));
            }
          }
          if (!current.canBecome(target)) {
            throw ApiException.conflict(
                "status: order "
                    + orderId
                    + " cannot go from "
                    + current.wire()
                    + " to "
                    + target.wire());
          }
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE orders SET status = ?, updated_at = now() WHERE id = ?")) {
            ps.setString(1, target.wire());
            ps.setLong(2, orderId);
            return ps.executeUpdate();
          }
        });
    return order(orderId).orElseThrow();
  }

  // ---- reviews --------------------------------------------------------------------------------

  /** Stores a review and folds its rating into the restaurant's, in one transaction. */
  Review addReview(long restaurantId, NewReview r) throws SQLException {
    return transaction(
        c -> {
          User user = requireUser(c, r.userId());
          if (r.orderId() != null) {
            try (PreparedStatement ps =
                c.prepareStatement("SELECT user_id, restaurant_id FROM orders WHERE id = ?")) {
              ps.setLong(1, r.orderId());
              try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) != r.userId() || rs.getLong(2) != restaurantId) {
                  throw ApiException.unprocessable(
                      "orderId: not an order of user " + r.userId() + " at this restaurant");
                }
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE restaurants SET rating_sum = rating_sum + ?, rating_count = rating_count"
                      + " + 1 WHERE id = ?")) {
            ps.setInt(1, r.rating());
            ps.setLong(2, restaurantId);
            if (ps.executeUpdate() == 0) {
              throw ApiException.notFound("restaurant " + restaurantId + " does not exist");
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO reviews (restaurant_id, user_id, order_id, rating, comment)"
                      + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id, created_at")) {
            ps.setLong(1, restaurantId);
            ps.setLong(2, r.userId());
            if (r.orderId() == null) {
              ps.setNull(3, java.sql.Types.BIGINT);
            } else {
              ps.setLong(3, r.orderId());
            }
            ps.setInt(4, r.rating());
            ps.setString(5, r.comment());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw ApiException.conflict(
                    "orderId: order " + r.orderId() + " is already reviewed");
              }
              return new Review(
                  rs.getLong(1),
                  restaurantId,
                  r.userId(),
                  user.name(),
                  r.orderId(),
                  r.rating(),
                  r.comment(),
                  rs.getTimestamp(2).toInstant().toString());
            }
          }
        });
  }

  /**
   * Newest reviews with the reviewer's name. {@code nPlusOne} loads each reviewer with its own
   * query: the N+1 fault, the way an ORM's lazy association does it.
   */
  List<Review> reviews(long restaurantId, int limit, boolean nPlusOne) throws SQLException {
    return read(
        c -> {
          String sql =
              nPlusOne
                  ? "SELECT rv.id, rv.restaurant_id, rv.user_id, NULL, rv.order_id, rv.rating,"
                      + " rv.comment, rv.created_at FROM reviews rv WHERE rv.restaurant_id = ?"
                      + " ORDER BY rv.created_at DESC, rv.id DESC LIMIT ?"
                  : "SELECT rv.id, rv.restaurant_id, rv.user_id, u.name, rv.order_id, rv.rating,"
                      + " rv.comment, rv.created_at FROM reviews rv JOIN users u ON u.id ="
                      + " rv.user_id WHERE rv.restaurant_id = ? ORDER BY rv.created_at DESC,"
                      + " rv.id DESC LIMIT ?";
          List<Review> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, restaurantId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                long orderId = rs.getLong(5);
                Long order = rs.wasNull() ? null : orderId;
                out.add(
                    new Review(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getString(4),
                        order,
                        rs.getInt(6),
                        rs.getString(7),
                        rs.getTimestamp(8).toInstant().toString()));
              }
            }
          }
          if (!nPlusOne) {
            return out;
          }
          List<Review> named = new ArrayList<>(out.size());
          for (Review r : out) {
            String name =
                user(
                        c,
                        "SELECT id, email, name, city, created_at FROM users WHERE id = ?",
                        r.userId())
                    .map(User::name)
                    .orElse(null);
            named.add(
                new Review(
                    r.id(),
                    r.restaurantId(),
                    r.userId(),
                    name,
                    r.orderId(),
                    r.rating(),
                    r.comment(),
                    r.createdAt()));
          }
          return named;
        });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Optional<Existing> existing(Connection c, long userId, String key)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, request_hash FROM orders WHERE user_id = ? AND idempotency_key = ?")) {
      ps.setLong(1, userId);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Existing(rs.getLong(1), rs.getString(2)))
            : Optional.empty();
      }
    }
  }

  private static User requireUser(Connection c, long userId) throws SQLException {
    return user(c, "SELECT id, email, name, city, created_at FROM users WHERE id = ?", userId)
        .orElseThrow(
            () -> ApiException.unprocessable("userId: user " + userId + " does not exist"));
  }

  private static Cart cart(Connection c, long userId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ci.menu_item_id, m.restaurant_id, m.name, ci.quantity, m.price_cents"
                + " FROM cart_items ci JOIN menu_items m ON m.id = ci.menu_item_id"
                + " WHERE ci.user_id = ? ORDER BY ci.menu_item_id")) {
      ps.setLong(1, userId);
      List<CartItem> items = new ArrayList<>();
      long total = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          CartItem item =
              new CartItem(
                  rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getInt(5));
          total += (long) item.quantity() * item.unitPriceCents();
          items.add(item);
        }
      }
      return new Cart(userId, List.copyOf(items), total);
    }
  }

  private static Optional<User> user(Connection c, String sql, Object key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(user(rs)) : Optional.empty();
      }
    }
  }

  private static User user(ResultSet rs) throws SQLException {
    return new User(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getTimestamp(5).toInstant().toString());
  }

  private static Order orderHead(ResultSet rs, List<OrderLine> lines) throws SQLException {
    return new Order(
        rs.getLong(1),
        rs.getLong(2),
        rs.getLong(3),
        rs.getString(4),
        rs.getLong(5),
        lines,
        rs.getTimestamp(6).toInstant().toString(),
        rs.getTimestamp(7).toInstant().toString());
  }

  private static Restaurant restaurant(ResultSet rs) throws SQLException {
    return new Restaurant(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getDouble(6),
        rs.getDouble(7),
        rs.getInt(8),
        rs.getString(9).substring(0, 5),
        rs.getString(10).substring(0, 5),
        rs.getDouble(11),
        rs.getInt(12));
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      ps.setObject(i + 1, args.get(i));
    }
  }

  private static long scalar(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
