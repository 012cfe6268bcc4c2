package com.yumzoom.ops.cache.l1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.CacheLayer;
import com.yumzoom.ops.cache.CacheLayerContract;
import com.yumzoom.ops.cache.FakeTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CaffeineLayerTest extends CacheLayerContract {

  @Override
  protected CacheLayer<String> newLayer(FakeTime time) {
    return CaffeineLayer.bySize(1_000, time, Runnable::run);
  }

  @Test
  void sizeBoundEvictsAndCountsEvictions() {
    CaffeineLayer<String> small = CaffeineLayer.bySize(10, time, Runnable::run);
    for (int i = 0; i < 100; i++) {
      small.put("k" + i, entry("v" + i));
    }
    small.cleanUp();

    assertThat(small.size()).isEqualTo(10);
    assertThat(small.evictions()).isEqualTo(90);
  }

  @Test
  void expiryIsNotCountedAsEviction() {
    CaffeineLayer<String> l = CaffeineLayer.bySize(10, time, Runnable::run);
    l.put("k", entry("v"));
    time.advance(Duration.ofMinutes(5));
    l.cleanUp();

    assertThat(l.size()).isZero();
    assertThat(l.evictions()).isZero();
  }

  @Test
  void expiredEntriesNobodyReadsAreSweptByALaterWrite() {
    CaffeineLayer<String> l = CaffeineLayer.bySize(100, time, Runnable::run);
    for (int i = 0; i < 20; i++) {
      l.put("old" + i, entry("v"));
    }
    time.advance(Duration.ofMinutes(5));
    l.put("new", entry("v"));
    // The write came after the sweep interval, so the 20 expired entries are gone without a read.
    assertThat(l.size()).isEqualTo(1);
    assertThat(l.get("new")).isNotNull();
    assertThat(l.evictions()).isZero();
  }

  @Test
  void anExpiredEntryIsNeverReturnedEvenBeforeTheSweep() {
    CaffeineLayer<String> l = CaffeineLayer.bySize(100, time, Runnable::run);
    l.put("k", entry("v"));
    time.advance(Duration.ofMinutes(5));
    assertThat(l.get("k")).isNull();
    assertThat(l.size()).isZero();
  }

  @Test
  void weightBoundUsesTheWeigher() {
    CaffeineLayer<String> l = CaffeineLayer.byWeight(100, String::length, time, Runnable::run);
    l.put("big", entry("x".repeat(80)));
    l.put("big2", entry("y".repeat(80)));
    l.cleanUp();

    assertThat(l.size()).isEqualTo(1);
  }

  @Test
  void boundsMustBePositive() {
    assertThatThrownBy(() -> CaffeineLayer.bySize(0, time, Runnable::run))
        .hasMessage("l1.maximumSize must be positive");
    assertThatThrownBy(() -> CaffeineLayer.byWeight(0, String::length, time, Runnable::run))
        .hasMessage("l1.maximumWeight must be positive");
  }
}
