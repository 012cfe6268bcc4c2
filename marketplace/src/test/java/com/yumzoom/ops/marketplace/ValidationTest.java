package com.yumzoom.ops.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.marketplace.Model.NewOrder;
import com.yumzoom.ops.marketplace.Model.NewOrderLine;
import com.yumzoom.ops.marketplace.Model.SearchQuery;
import com.yumzoom.ops.marketplace.Model.Sort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationTest {

  static NewOrder order(String json) {
    return Validation.newOrder(Validation.parse(json));
  }

  @Test
  void acceptsAValidOrder() {
    NewOrder o =
        order("{\"userId\":1,\"restaurantId\":2,\"items\":[{\"menuItemId\":3,\"quantity\":4}]}");
    assertThat(o).isEqualTo(new NewOrder(1, 2, List.of(new NewOrderLine(3, 4))));
  }

  @Test
  void orderErrorsNameTheFieldPathAndLimit() {
    assertThatThrownBy(() -> order("{\"restaurantId\":2,\"items\":[]}"))
        .hasMessage("userId: must be a positive integer");
    assertThatThrownBy(() -> order("{\"userId\":1,\"restaurantId\":2,\"items\":[]}"))
        .hasMessage("items: must be a non-empty array (limit 50)");
    assertThatThrownBy(
            () ->
                order(
                    "{\"userId\":1,\"restaurantId\":2,\"items\":[{\"menuItemId\":3,\"quantity\":1},"
                        + "{\"menuItemId\":-3,\"quantity\":1}]}"))
        .hasMessage("items[1].menuItemId: must be a positive integer");
    assertThatThrownBy(
            () ->
                order(
                    "{\"userId\":1,\"restaurantId\":2,\"items\":[{\"menuItemId\":3,\"quantity\":51}]}"))
        .hasMessage("items[0].quantity: must be an integer from 1 to 50 (limit 50)");
    StringBuilder many = new StringBuilder("{\"userId\":1,\"restaurantId\":2,\"items\":[");
    for (int i = 1; i <= 51; i++) {
      many.append(i > 1 ? "," : "").append("{\"menuItemId\":").append(i).append(",\"quantity\":1}");
    }
    assertThatThrownBy(() -> order(many + "]}")).hasMessage("items: too many lines (limit 50)");
    assertThatThrownBy(() -> Validation.parse("[1]")).hasMessage("body: must be a JSON object");
  }

  @Test
  void reviewAndUserErrors() {
    assertThatThrownBy(() -> Validation.newReview(Validation.parse("{\"userId\":1,\"rating\":0}")))
        .hasMessage("rating: must be an integer from 1 to 5 (limit 5)");
    String longComment = "x".repeat(Validation.MAX_COMMENT + 1);
    assertThatThrownBy(
            () ->
                Validation.newReview(
                    Validation.parse(
                        "{\"userId\":1,\"rating\":3,\"comment\":\"" + longComment + "\"}")))
        .hasMessage("comment: longer than 2000 characters (limit 2000)");
    assertThatThrownBy(
            () ->
                Validation.newUser(
                    Validation.parse("{\"email\":\"a@b\",\"name\":\"A\",\"city\":\"Paris\"}")))
        .hasMessage("email: not an email address");
  }

  @Test
  void searchParameters() {
    SearchQuery q =
        Validation.searchQuery(
            Map.of("q", "pizza", "cuisine", "Italian", "sort", "distance", "lat", "1", "lon", "2")
                ::get);
    assertThat(q.cuisine()).isEqualTo("italian");
    assertThat(q.sort()).isEqualTo(Sort.DISTANCE);
    assertThat(q.limit()).isEqualTo(20);
    assertThatThrownBy(() -> Validation.searchQuery(Map.of("sort", "distance")::get))
        .hasMessage("lat: required when sort=distance");
    assertThatThrownBy(() -> Validation.searchQuery(Map.of("limit", "0")::get))
        .hasMessage("limit: must be an integer from 1 to 100 (limit 100)");
    assertThatThrownBy(() -> Validation.searchQuery(Map.of("lat", "91", "lon", "0")::get))
        .hasMessageStartingWith("lat: must be a number from -90");
    assertThatThrownBy(() -> Validation.searchQuery(Map.of("maxPrice", "5")::get))
        .hasMessage("maxPrice: must be an integer from 1 to 4 (limit 4)");
  }

  @Test
  void idempotencyKeyLength() {
    assertThat(Validation.idempotencyKey(null)).isNull();
    assertThat(Validation.idempotencyKey("abc")).isEqualTo("abc");
    assertThatThrownBy(() -> Validation.idempotencyKey("k".repeat(129)))
        .hasMessage("Idempotency-Key: must be 1 to 128 characters (limit 128)");
  }

  @Test
  void requestHashIgnoresLineOrderButNotQuantities() {
    NewOrder a = new NewOrder(1, 2, List.of(new NewOrderLine(3, 1), new NewOrderLine(4, 2)));
    NewOrder b = new NewOrder(1, 2, List.of(new NewOrderLine(4, 2), new NewOrderLine(3, 1)));
    NewOrder c = new NewOrder(1, 2, List.of(new NewOrderLine(4, 3), new NewOrderLine(3, 1)));
    assertThat(Marketplace.requestHash(a)).isEqualTo(Marketplace.requestHash(b));
    assertThat(Marketplace.requestHash(a)).isNotEqualTo(Marketplace.requestHash(c));
  }

  @Test
  void distanceIsGreatCircle() {
    // Paris to London, about 344 km.
    assertThat(Geo.distanceKm(48.8566, 2.3522, 51.5072, -0.1276)).isBetween(340.0, 348.0);
    assertThat(Geo.distanceKm(10, 10, 10, 10)).isZero();
  }
}
