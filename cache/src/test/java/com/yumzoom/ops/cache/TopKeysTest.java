package com.yumzoom.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopKeysTest {
  @Test
  void keepsEveryKeyAboveTheGuaranteeInBoundedSpace() {
    TopKeys top = new TopKeys(16);
    // Two heavy keys (250 and 125 times) among 1,000 one-off keys, interleaved: 1,375 offers, so
    // Space-Saving with 16 counters guarantees every key seen more than 86 times is kept.
    for (int i = 0; i < 1000; i++) {
      top.offer("noise:" + i);
      if (i % 4 == 0) {
        top.offer("restaurant:42");
      }
      if (i % 8 == 0) {
        top.offer("restaurant:7");
      }
    }

    var result = top.top(2);
    assertThat(result)
        .extracting(CacheReport.KeyCount::key)
        .containsExactly("restaurant:42", "restaurant:7");
    // Space-Saving over-estimates by at most the recorded error, never under-estimates.
    CacheReport.KeyCount first = result.get(0);
    assertThat(first.count()).isGreaterThanOrEqualTo(250);
    assertThat(first.count() - first.error()).isLessThanOrEqualTo(250);
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new TopKeys(0)).hasMessage("topKeys.capacity must be positive");
  }
}
