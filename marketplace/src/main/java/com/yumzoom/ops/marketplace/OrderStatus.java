package com.yumzoom.ops.marketplace;

import java.util.Locale;
import java.util.Set;

/**
 * The order life cycle: placed -> accepted -> preparing -> delivered, with cancellation possible
 * until the kitchen starts. Delivered and cancelled are final.
 */
enum OrderStatus {
  PLACED,
  ACCEPTED,
  PREPARING,
  DELIVERED,
  CANCELLED;

  Set<OrderStatus> next() {
    return switch (this) {
      case PLACED -> Set.of(ACCEPTED, CANCELLED);
      case ACCEPTED -> Set.of(PREPARING, CANCELLED);
      case PREPARING -> Set.of(DELIVERED);
      case DELIVERED, CANCELLED -> Set.of();
    };
  }

  boolean canBecome(OrderStatus target) {
    return next().contains(target);
  }

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static OrderStatus parse(String field, String value) {
    if (value != null) {
      for (OrderStatus s : values()) {
        if (s.wire().equals(value)) {
          return s;
        }
      }
    }
    throw ApiException.badRequest(
        field + ": must be one of placed, accepted, preparing, delivered, cancelled");
  }
}
