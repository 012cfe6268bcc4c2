package com.yumzoom.ops.marketplace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.marketplace.Model.NewOrder;
import com.yumzoom.ops.marketplace.Model.NewOrderLine;
import com.yumzoom.ops.marketplace.Model.NewReview;
import com.yumzoom.ops.marketplace.Model.NewUser;
import com.yumzoom.ops.marketplace.Model.SearchQuery;
import com.yumzoom.ops.marketplace.Model.Sort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns request bodies and query parameters into validated requests. Every rejection names the
 * field and the limit, so a client can fix its request without reading our code.
 */
final class Validation {

  static final int MAX_TEXT = 200;
  static final int MAX_COMMENT = 2_000;
  static final int MAX_ORDER_LINES = 50;
  static final int MAX_QUANTITY = 50;
  static final int MAX_SEARCH_LIMIT = 100;
  static final int MAX_IDEMPOTENCY_KEY = 128;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Validation() {}

  static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw ApiException.badRequest("body: must be a JSON object");
    }
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject()) {
        throw ApiException.badRequest("body: must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw ApiException.badRequest("body: not valid JSON");
    }
  }

  static NewUser newUser(JsonNode body) {
    String email = text(body, "email", 254, true);
    if (!EMAIL.matcher(email).matches()) {
      throw ApiException.badRequest("email: not an email address");
    }
    return new NewUser(
        email, text(body, "name", MAX_TEXT, true), text(body, "city", MAX_TEXT, true));
  }

  static NewOrder newOrder(JsonNode body) {
    long userId = id(body, "userId");
    long restaurantId = id(body, "restaurantId");
    JsonNode items = body.get("items");
    if (items == null || !items.isArray() || items.isEmpty()) {
      throw ApiException.badRequest(
          "items: must be a non-empty array (limit " + MAX_ORDER_LINES + ")");
    }
    if (items.size() > MAX_ORDER_LINES) {
      throw ApiException.badRequest("items: too many lines (limit " + MAX_ORDER_LINES + ")");
    }
    List<NewOrderLine> lines = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String path = "items[" + i + "]";
      if (!item.isObject()) {
        throw ApiException.badRequest(path + ": must be an object");
      }
      long menuItemId = id(item, path + ".menuItemId", "menuItemId");
      int quantity = intIn(item, path + ".quantity", "quantity", 1, MAX_QUANTITY);
      lines.add(new NewOrderLine(menuItemId, quantity));
    }
    return new NewOrder(userId, restaurantId, List.copyOf(lines));
  }

  static NewReview newReview(JsonNode body) {
    long userId = id(body, "userId");
    Long orderId = body.hasNonNull("orderId") ? id(body, "orderId") : null;
    int rating = intIn(body, "rating", "rating", 1, 5);
    String comment = body.hasNonNull("comment") ? text(body, "comment", MAX_COMMENT, false) : "";
    return new NewReview(userId, orderId, rating, comment);
  }

  static String idempotencyKey(String header) {
    if (header == null) {
      return null;
    }
    if (header.isBlank() || header.length() > MAX_IDEMPOTENCY_KEY) {
      throw ApiException.badRequest(
          "Idempotency-Key: must be 1 to "
              + MAX_IDEMPOTENCY_KEY
              + " characters (limit "
              + MAX_IDEMPOTENCY_KEY
              + ")");
    }
    return header;
  }

  static SearchQuery searchQuery(Function<String, String> param) {
    String text = optionalText(param.apply("q"), "q", MAX_TEXT);
    String cuisine = optionalText(param.apply("cuisine"), "cuisine", MAX_TEXT);
    Integer maxPrice =
        param.apply("maxPrice") == null ? null : intParam(param, "maxPrice", 1, 4, 4);
    boolean openNow = Boolean.parseBoolean(param.apply("openNow"));
    String sortText = param.apply("sort");
    Sort sort;
    if (sortText == null || sortText.equals("rating")) {
      sort = Sort.RATING;
    } else if (sortText.equals("distance")) {
      sort = Sort.DISTANCE;
    } else {
      throw ApiException.badRequest("sort: must be rating or distance");
    }
    Double lat = doubleParam(param, "lat", -90, 90);
    Double lon = doubleParam(param, "lon", -180, 180);
    if ((lat == null) != (lon == null)) {
      throw ApiException.badRequest((lat == null ? "lat" : "lon") + ": lat and lon go together");
    }
    if (sort == Sort.DISTANCE && lat == null) {
      throw ApiException.badRequest("lat: required when sort=distance");
    }
    int limit =
        param.apply("limit") == null
            ? 20
            : intParam(param, "limit", 1, MAX_SEARCH_LIMIT, MAX_SEARCH_LIMIT);
    return new SearchQuery(
        text,
        cuisine == null ? null : cuisine.toLowerCase(Locale.ROOT),
        maxPrice,
        openNow,
        sort,
        lat,
        lon,
        limit);
  }

  static long pathId(String name, String value) {
    try {
      long id = Long.parseLong(value);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(name + ": must be a positive integer");
  }

  static int intParam(Function<String, String> param, String name, int min, int max, int limit) {
    String value = param.apply(name);
    try {
      int v = Integer.parseInt(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(
        name + ": must be an integer from " + min + " to " + max + " (limit " + limit + ")");
  }

  private static Double doubleParam(
      Function<String, String> param, String name, double min, double max) {
    String value = param.apply(name);
    if (value == null) {
      return null;
    }
    try {
      double v = Double.parseDouble(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(name + ": must be a number from " + min + " to " + max);
  }

  private static String optionalText(String value, String name, int max) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.length() > max) {
      throw ApiException.badRequest(
          name + ": longer than " + max + " characters (limit " + max + ")");
    }
    return value.strip();
  }

  private static long id(JsonNode body, String name) {
    return id(body, name, name);
  }

  private static long id(JsonNode body, String path, String name) {
    JsonNode v = body.get(name);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() <= 0) {
      throw ApiException.badRequest(path + ": must be a positive integer");
    }
    return v.asLong();
  }

  private static int intIn(JsonNode body, String path, String name, int min, int max) {
    JsonNode v = body.get(name);
    if (v == null
        || !v.isIntegralNumber()
        || !v.canConvertToInt()
        || v.asInt() < min
        || v.asInt() > max) {
      throw ApiException.badRequest(
          path + ": must be an integer from " + min + " to " + max + " (limit " + max + ")");
    }
    return v.asInt();
  }

  private static String text(JsonNode body, String name, int max, boolean required) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      if (required) {
        throw ApiException.badRequest(name + ": required");
      }
      return "";
    }
    if (!v.isTextual()) {
      throw ApiException.badRequest(name + ": must be a string");
    }
    String s = v.asText().strip();
    if (required && s.isEmpty()) {
      throw ApiException.badRequest(name + ": must not be empty");
    }
    if (s.length() > max) {
      throw ApiException.badRequest(
          name + ": longer than " + max + " characters (limit " + max + ")");
    }
    return s;
  }
}
