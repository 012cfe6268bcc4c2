package com.yumzoom.ops.marketplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OrderStatusTest {

  @Test
  void happyPathMovesForwardOnly() {
    assertThat(OrderStatus.PLACED.canBecome(OrderStatus.ACCEPTED)).isTrue();
    assertThat(OrderStatus.ACCEPTED.canBecome(OrderStatus.PREPARING)).isTrue();
    assertThat(OrderStatus.PREPARING.canBecome(OrderStatus.DELIVERED)).isTrue();
    assertThat(OrderStatus.PLACED.canBecome(OrderStatus.DELIVERED)).isFalse();
    assertThat(OrderStatus.PREPARING.canBecome(OrderStatus.ACCEPTED)).isFalse();
  }

  @Test
  void cancellationOnlyBeforeTheKitchenStarts() {
    assertThat(OrderStatus.PLACED.canBecome(OrderStatus.CANCELLED)).isTrue();
    assertThat(OrderStatus.ACCEPTED.canBecome(OrderStatus.CANCELLED)).isTrue();
    assertThat(OrderStatus.PREPARING.canBecome(OrderStatus.CANCELLED)).isFalse();
  }

  @Test
  void finalStatesGoNowhere() {
    for (OrderStatus target : OrderStatus.values()) {
      assertThat(OrderStatus.DELIVERED.canBecome(target)).isFalse();
      assertThat(OrderStatus.CANCELLED.canBecome(target)).isFalse();
    }
  }

  @Test
  void parsesWireNamesAndRejectsOthers() {
    assertThat(OrderStatus.parse("status", "preparing")).isEqualTo(OrderStatus.PREPARING);
    assertThatThrownBy(() -> OrderStatus.parse("status", "PREPARING"))
        .isInstanceOf(ApiException.class)
        .hasMessageStartingWith("status: must be one of");
    assertThatThrownBy(() -> OrderStatus.parse("status", null)).isInstanceOf(ApiException.class);
  }
}
