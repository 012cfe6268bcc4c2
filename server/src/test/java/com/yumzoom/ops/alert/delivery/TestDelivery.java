package com.yumzoom.ops.alert.delivery;

import com.yumzoom.ops.config.YumzoomConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** Builds an {@link AlertDelivery} for tests: manual clock, fixed jitter, real DuckDB and HTTP. */
final class TestDelivery {

  private TestDelivery() {}

  static YumzoomConfig.AlertDeliverySettings settings() {
    return new YumzoomConfig.AlertDeliverySettings(
        null,
        2,
        5,
        Duration.ofHours(1),
        Duration.ofSeconds(10),
        Duration.ofMinutes(1),
        Duration.ofSeconds(5),
        1000,
        "https://ops.example",
        Duration.ofDays(1),
        Duration.ofDays(30),
        Set.of("critical"));
  }

  static AlertDelivery open(DeliveryConfig config, Path dataDir, Clock clock) {
    return new AlertDelivery(
        config,
        settings(),
        dataDir,
        clock,
        () -> Long.MIN_VALUE,
        ChannelSender.defaultClient(Duration.ofSeconds(2)));
  }
}
