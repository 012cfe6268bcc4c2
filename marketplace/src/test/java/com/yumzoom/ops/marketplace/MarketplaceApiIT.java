package com.yumzoom.ops.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The marketplace API against a real embedded PostgreSQL (one per class), seeded small, with the
 * in-process cache on so that invalidation is exercised by every write.
 */
class MarketplaceApiIT {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T12:00:00Z"), ZoneOffset.UTC);
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static MarketplaceService service;

  record Reply(int status, JsonNode body) {}

  @BeforeAll
  static void start() {
    service =
        MarketplaceService.start(
            MarketplaceService.Options.defaults()
                .withPort(0)
                .withTelemetry(false, Map.of())
                .withCaching(true, null)
                .withSeed(SeedGenerator.Volumes.small()),
            CLOCK);
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
  }

  static Reply call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  static JsonNode ok(String method, String path, String body, String... headers) throws Exception {
    Reply r = call(method, path, body, headers);
    assertThat(r.status()).as(method + " " + path + " -> " + r.body()).isBetween(200, 201);
    return r.body();
  }

  /** A user and one available item of a restaurant: what an order needs. */
  static long[] orderable() throws Exception {
    for (long r = 1; r < 60; r++) {
      for (JsonNode item : ok("GET", "/api/restaurants/" + r + "/menu", null).get("items")) {
        if (item.get("available").asBoolean()) {
          return new long[] {r, item.get("id").asLong()};
        }
      }
    }
    throw new AssertionError("no orderable item");
  }

  @Test
  void searchMatchesTextAndFilters() throws Exception {
    JsonNode all = ok("GET", "/api/restaurants/search?limit=100", null).get("hits");
    assertThat(all.size()).isEqualTo(60);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i - 1).get("restaurant").get("rating").asDouble())
          .isGreaterThanOrEqualTo(all.get(i).get("restaurant").get("rating").asDouble());
    }
    String cuisine = all.get(0).get("restaurant").get("cuisine").asText();
    JsonNode byCuisine = ok("GET", "/api/restaurants/search?cuisine=" + cuisine, null).get("hits");
    assertThat(byCuisine.size()).isPositive();
    byCuisine.forEach(
        h -> assertThat(h.get("restaurant").get("cuisine").asText()).isEqualTo(cuisine));

    JsonNode text =
        ok("GET", "/api/restaurants/search?q=" + cuisine + "&maxPrice=4", null).get("hits");
    assertThat(text.size()).isPositive();

    JsonNode cheap = ok("GET", "/api/restaurants/search?maxPrice=1&limit=100", null).get("hits");
    cheap.forEach(h -> assertThat(h.get("restaurant").get("priceLevel").asInt()).isEqualTo(1));

    // 12:00 UTC: every restaurant that is open at noon, none that is not.
    JsonNode open = ok("GET", "/api/restaurants/search?openNow=true&limit=100", null).get("hits");
    open.forEach(
        h -> {
          String opens = h.get("restaurant").get("opensAt").asText();
          String closes = h.get("restaurant").get("closesAt").asText();
          assertThat(
                  opens.compareTo("12:00") <= 0
                      && (closes.compareTo("12:00") > 0 || closes.compareTo(opens) < 0))
              .as(opens + "-" + closes)
              .isTrue();
        });
    assertThat(open.size()).isLessThan(60);

    JsonNode near =
        ok("GET", "/api/restaurants/search?sort=distance&lat=48.8566&lon=2.3522&limit=10", null)
            .get("hits");
    java.util.List<Long> expected = new java.util.ArrayList<>();
    java.util.List<JsonNode> sorted = new java.util.ArrayList<>();
    all.forEach(sorted::add);
    sorted.sort(
        java.util.Comparator.comparingDouble(
            h ->
                Geo.distanceKm(
                    48.8566,
                    2.3522,
                    h.get("restaurant").get("lat").asDouble(),
                    h.get("restaurant").get("lon").asDouble())));
    sorted.stream().limit(10).forEach(h -> expected.add(h.get("restaurant").get("id").asLong()));
    java.util.List<Long> actual = new java.util.ArrayList<>();
    near.forEach(h -> actual.add(h.get("restaurant").get("id").asLong()));
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void slowQueryFaultGivesTheSameAnswer() throws Exception {
    JsonNode fast = ok("GET", "/api/restaurants/search?q=kitchen&limit=100", null);
    service.faults().set(Faults.Fault.SLOW_QUERY, true);
    try {
      JsonNode slow = ok("GET", "/api/restaurants/search?q=kitchen&limit=100", null);
      assertThat(slow.get("hits").size()).isEqualTo(fast.get("hits").size()).isPositive();
    } finally {
      service.faults().set(Faults.Fault.SLOW_QUERY, false);
    }
  }

  @Test
  void validationNamesFieldAndLimit() throws Exception {
    Reply limit = call("GET", "/api/restaurants/search?limit=1000", null);
    assertThat(limit.status()).isEqualTo(400);
    assertThat(limit.body().get("error").asText()).isEqualTo("bad_request");
    assertThat(limit.body().get("message").asText()).contains("limit").contains("(limit 100)");

    Reply quantity =
        call(
            "POST",
            "/api/orders",
            "{\"userId\":1,\"restaurantId\":1,\"items\":[{\"menuItemId\":1,\"quantity\":99}]}");
    assertThat(quantity.status()).isEqualTo(400);
    assertThat(quantity.body().get("message").asText())
        .isEqualTo("items[0].quantity: must be an integer from 1 to 50 (limit 50)");

    Reply rating = call("POST", "/api/restaurants/1/reviews", "{\"userId\":1,\"rating\":9}");
    assertThat(rating.status()).isEqualTo(400);
    assertThat(rating.body().get("message").asText()).startsWith("rating:").contains("(limit 5)");

    Reply notJson = call("POST", "/api/orders", "{nope");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(call("GET", "/api/restaurants/99999", null).status()).isEqualTo(404);
    assertThat(call("GET", "/api/restaurants/abc", null).status()).isEqualTo(400);
    Reply method = call("DELETE", "/api/restaurants/1", null);
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.body().get("error").asText()).isEqualTo("method_not_allowed");
    Reply tooLarge = call("POST", "/api/users", "{\"name\":\"" + "x".repeat(70_000) + "\"}");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.body().get("message").asText())
        .isEqualTo("body: larger than 65536 bytes (limit 65536)");
  }

  @Test
  void idempotencyKeyReplaysSameOrderAndRejectsOtherBody() throws Exception {
    long[] ri = orderable();
    String body =
        "{\"userId\":3,\"restaurantId\":"
            + ri[0]
            + ",\"items\":[{\"menuItemId\":"
            + ri[1]
            + ",\"quantity\":2}]}";
    Reply first = call("POST", "/api/orders", body, "Idempotency-Key", "k-123");
    assertThat(first.status()).isEqualTo(201);
    Reply again = call("POST", "/api/orders", body, "Idempotency-Key", "k-123");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("id").asLong()).isEqualTo(first.body().get("id").asLong());
    String other = body.replace("\"quantity\":2", "\"quantity\":3");
    Reply conflict = call("POST", "/api/orders", other, "Idempotency-Key", "k-123");
    assertThat(conflict.status()).isEqualTo(422);
    assertThat(conflict.body().get("message").asText()).startsWith("Idempotency-Key:");
    Reply fresh = call("POST", "/api/orders", body);
    assertThat(fresh.status()).isEqualTo(201);
    assertThat(fresh.body().get("id").asLong()).isNotEqualTo(first.body().get("id").asLong());
    assertThat(first.body().get("totalCents").asLong()).isPositive();
  }

  @Test
  void orderStatusFlowRejectsInvalidTransitions() throws Exception {
    long[] ri = orderable();
    JsonNode order =
        ok(
            "POST",
            "/api/orders",
            "{\"userId\":4,\"restaurantId\":"
                + ri[0]
                + ",\"items\":[{\"menuItemId\":"
                + ri[1]
                + ",\"quantity\":1}]}");
    long id = order.get("id").asLong();
    assertThat(order.get("status").asText()).isEqualTo("placed");
    Reply skip = call("POST", "/api/orders/" + id + "/status", "{\"status\":\"delivered\"}");
    assertThat(skip.status()).isEqualTo(409);
    assertThat(skip.body().get("message").asText()).contains("cannot go from placed to delivered");
    for (String s : new String[] {"accepted", "preparing", "delivered"}) {
      assertThat(
              ok("POST", "/api/orders/" + id + "/status", "{\"status\":\"" + s + "\"}")
                  .get("status")
                  .asText())
          .isEqualTo(s);
    }
    assertThat(call("POST", "/api/orders/" + id + "/status", "{\"status\":\"cancelled\"}").status())
        .isEqualTo(409);
    assertThat(call("POST", "/api/orders/" + id + "/status", "{\"status\":\"eaten\"}").status())
        .isEqualTo(400);
  }

  @Test
  void reviewUpdatesRatingThroughTheCacheAndStatistics() throws Exception {
    long[] ri = orderable();
    long restaurant = ri[0];
    JsonNode before = ok("GET", "/api/restaurants/" + restaurant, null);
    JsonNode statsBefore = ok("GET", "/api/restaurants/" + restaurant + "/stats", null);
    ok("GET", "/api/restaurants/search?limit=100", null); // cache the search page
    JsonNode order =
        ok(
            "POST",
            "/api/orders",
            "{\"userId\":5,\"restaurantId\":"
                + restaurant
                + ",\"items\":[{\"menuItemId\":"
                + ri[1]
                + ",\"quantity\":1}]}");
    ok(
        "POST",
        "/api/restaurants/" + restaurant + "/reviews",
        "{\"userId\":5,\"orderId\":"
            + order.get("id").asLong()
            + ",\"rating\":1,\"comment\":\"cold\"}");
    JsonNode after = ok("GET", "/api/restaurants/" + restaurant, null);
    assertThat(after.get("ratingCount").asInt()).isEqualTo(before.get("ratingCount").asInt() + 1);
    JsonNode statsAfter = ok("GET", "/api/restaurants/" + restaurant + "/stats", null);
    assertThat(statsAfter.get("orders").asLong()).isEqualTo(statsBefore.get("orders").asLong() + 1);
    assertThat(statsAfter.get("ratingCount").asInt()).isEqualTo(after.get("ratingCount").asInt());
    JsonNode hit = null;
    for (JsonNode h : ok("GET", "/api/restaurants/search?limit=100", null).get("hits")) {
      if (h.get("restaurant").get("id").asLong() == restaurant) {
        hit = h.get("restaurant");
      }
    }
    assertThat(hit).isNotNull();
    assertThat(hit.get("ratingCount").asInt()).isEqualTo(after.get("ratingCount").asInt());
    Reply twice =
        call(
            "POST",
            "/api/restaurants/" + restaurant + "/reviews",
            "{\"userId\":5,\"orderId\":" + order.get("id").asLong() + ",\"rating\":5}");
    assertThat(twice.status()).isEqualTo(409);
    JsonNode reviews = ok("GET", "/api/restaurants/" + restaurant + "/reviews", null);
    assertThat(reviews.get(0).get("comment").asText()).isEqualTo("cold");
    service.faults().set(Faults.Fault.N_PLUS_ONE, true);
    try {
      assertThat(ok("GET", "/api/restaurants/" + restaurant + "/reviews", null)).isEqualTo(reviews);
    } finally {
      service.faults().set(Faults.Fault.N_PLUS_ONE, false);
    }
  }

  @Test
  void usersByIdAndEmailAndCartCheckout() throws Exception {
    assertThat(call("GET", "/api/users?email=new.person@example.com", null).status())
        .isEqualTo(404);
    JsonNode user =
        ok(
            "POST",
            "/api/users",
            "{\"email\":\"New.Person@example.com\",\"name\":\"New Person\",\"city\":\"Paris\"}");
    assertThat(ok("GET", "/api/users?email=new.person@example.com", null).get("id"))
        .isEqualTo(user.get("id"));
    assertThat(ok("GET", "/api/users/" + user.get("id").asLong(), null).get("name").asText())
        .isEqualTo("New Person");
    assertThat(
            call(
                    "POST",
                    "/api/users",
                    "{\"email\":\"new.person@EXAMPLE.com\",\"name\":\"X\",\"city\":\"Paris\"}")
                .status())
        .isEqualTo(409);
    assertThat(
            call("POST", "/api/users", "{\"email\":\"nope\",\"name\":\"X\",\"city\":\"Paris\"}")
                .status())
        .isEqualTo(400);

    long userId = user.get("id").asLong();
    long[] ri = orderable();
    JsonNode cart = ok("PUT", "/api/users/" + userId + "/cart/items/" + ri[1], "{\"quantity\":3}");
    assertThat(cart.get("items").size()).isEqualTo(1);
    assertThat(cart.get("totalCents").asLong()).isPositive();
    JsonNode order = ok("POST", "/api/users/" + userId + "/cart/checkout", null);
    assertThat(order.get("totalCents").asLong()).isEqualTo(cart.get("totalCents").asLong());
    assertThat(ok("GET", "/api/users/" + userId + "/cart", null).get("items").size()).isZero();
    assertThat(call("POST", "/api/users/" + userId + "/cart/checkout", null).status())
        .isEqualTo(422);
  }

  @Test
  void faultsSwitchOverAdminEndpoint() throws Exception {
    ok("POST", "/admin/faults/error-burst", "{\"enabled\":true}");
    int failures = 0;
    try {
      for (int i = 0; i < 40; i++) {
        Reply r = call("GET", "/api/restaurants/" + (1 + i % 50), null);
        if (r.status() == 500) {
          failures++;
          assertThat(r.body().get("message").asText()).contains("SQLTransientConnectionException");
        } else {
          assertThat(r.status()).isEqualTo(200);
        }
      }
    } finally {
      ok("POST", "/admin/faults/error-burst?enabled=false", null);
    }
    assertThat(failures).isBetween(1, 39);
    assertThat(ok("GET", "/admin/faults", null).get("error-burst").asBoolean()).isFalse();
    assertThat(call("POST", "/admin/faults/gremlins", null).status()).isEqualTo(404);
  }

  @Test
  void seedIsReproducible() throws Exception {
    try (Connection c = service.database().dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE seedcheck");
    }
    String url = service.database().jdbcUrl().replace("/postgres?", "/seedcheck?");
    try (Database other =
        Database.open(new Database.Settings(url, "postgres", "postgres", 2, null))) {
      new SeedGenerator(SeedGenerator.Volumes.small(), 42, CLOCK).seed(other.dataSource());
      String checksum =
          "SELECT md5(string_agg(concat_ws(',', id, name, cuisine, lat, lon, price_level),"
              + " ';' ORDER BY id)) FROM restaurants";
      String orders =
          "SELECT md5(string_agg(concat_ws(',', id, user_id, restaurant_id, total_cents, created_at),"
              + " ';' ORDER BY id)) FROM orders WHERE id <= 1500";
      assertThat(scalar(other, checksum)).isEqualTo(scalar(service.database(), checksum));
      assertThat(scalar(other, orders)).isEqualTo(scalar(service.database(), orders));
    }
  }

  static String scalar(Database db, String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
