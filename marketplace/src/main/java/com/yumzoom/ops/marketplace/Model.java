package com.yumzoom.ops.marketplace;

import java.util.List;

/** The marketplace's data, as the API answers it and as the cache stores it (JSON). */
public final class Model {
  private Model() {}

  public record Restaurant(
      long id,
      String name,
      String cuisine,
      String description,
      String city,
      double lat,
      double lon,
      int priceLevel,
      String opensAt,
      String closesAt,
      double rating,
      int ratingCount) {}

  public record MenuItem(
      long id,
      long restaurantId,
      String name,
      String description,
      String category,
      int priceCents,
      boolean available) {}

  public record Menu(long restaurantId, List<MenuItem> items) {}

  public record User(long id, String email, String name, String city, String createdAt) {}

  public record CartItem(
      long menuItemId, long restaurantId, String name, int quantity, int unitPriceCents) {}

  public record Cart(long userId, List<CartItem> items, long totalCents) {}

  public record OrderLine(long menuItemId, int quantity, int unitPriceCents) {}

  public record Order(
      long id,
      long userId,
      long restaurantId,
      String status,
      long totalCents,
      List<OrderLine> items,
      String createdAt,
      String updatedAt) {}

  public record Review(
      long id,
      long restaurantId,
      long userId,
      String userName,
      Long orderId,
      int rating,
      String comment,
      String createdAt) {}

  public record SearchHit(Restaurant restaurant, Double distanceKm) {}

  public record SearchResult(List<SearchHit> hits) {}

  public record Statistics(
      long restaurantId,
      String since,
      long orders,
      long delivered,
      long cancelled,
      long active,
      long revenueCents,
      double averageOrderCents,
      double rating,
      int ratingCount) {}

  /** What the traffic generator needs to build plausible requests. */
  public record Catalog(
      long maxRestaurantId, long maxUserId, List<String> cuisines, List<String> cities) {}

  // Requests, validated by Validation before they reach the store.

  public record NewUser(String email, String name, String city) {}

  public record NewOrderLine(long menuItemId, int quantity) {}

  public record NewOrder(long userId, long restaurantId, List<NewOrderLine> items) {}

  public record NewReview(long userId, Long orderId, int rating, String comment) {}

  public enum Sort {
    RATING,
    DISTANCE
  }

  public record SearchQuery(
      String text,
      String cuisine,
      Integer maxPrice,
      boolean openNow,
      Sort sort,
      Double lat,
      Double lon,
      int limit) {}
}
