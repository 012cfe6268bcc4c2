package com.yumzoom.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MillisClockTest {
  @Test
  void followsTheWallClockWithinASecondAndNeverGoesBack() {
    MillisClock clock = MillisClock.system();
    long previous = clock.millis();
    for (int i = 0; i < 100_000; i++) {
      long now = clock.millis();
      assertThat(now).isGreaterThanOrEqualTo(previous);
      previous = now;
    }
    assertThat(Math.abs(clock.millis() - System.currentTimeMillis())).isLessThan(1_000);
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }
}
