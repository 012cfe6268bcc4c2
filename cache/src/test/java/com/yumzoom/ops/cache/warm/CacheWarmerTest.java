package com.yumzoom.ops.cache.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.FakeTime;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CacheWarmerTest {
  private final FakeTime time = new FakeTime();
  private final List<String> loadOrder = new ArrayList<>();
  private final List<Duration> sleeps = new ArrayList<>();
  private final MultiLayerCache<String> cache =
      MultiLayerCache.builder("restaurants", CacheCodec.utf8())
          .strategy(CacheStrategy.L1_ONLY)
          .clock(time)
          .l1Maintenance(Runnable::run)
          .build();

  private CacheWarmer.Builder<String> warmer() {
    return CacheWarmer.builder(cache)
        .clock(time)
        .sleeper(
            d -> {
              sleeps.add(d);
              time.advance(d);
            });
  }

  private String load(String key) {
    loadOrder.add(key);
    return "v:" + key;
  }

  @Test
  void setsRunHighestPriorityFirstAndFillTheCache() {
    var w =
        warmer()
            .rate(1000)
            .set("menus", 1, () -> List.of("menu:1"), this::load)
            .set("popular", 10, () -> List.of("restaurant:42", "restaurant:7"), this::load)
            .build();

    List<CacheWarmer.SetResult> results = w.warmNow();

    assertThat(loadOrder).containsExactly("restaurant:42", "restaurant:7", "menu:1");
    assertThat(results)
        .containsExactly(
            new CacheWarmer.SetResult("popular", 2, 2, 0, false),
            new CacheWarmer.SetResult("menus", 1, 1, 0, false));
    assertThat(cache.getIfPresent("restaurant:42")).isEqualTo("v:restaurant:42");
  }

  @Test
  void rateLimitSpacesTheKeys() {
    List<String> keys = IntStream.range(0, 11).mapToObj(i -> "r:" + i).toList();
    warmer().rate(10).set("popular", 1, () -> keys, this::load).build().warmNow();

    // 11 keys at 10 per second: the first at once, then ten waits of 100 ms.
    assertThat(sleeps).hasSize(10).allMatch(d -> d.equals(Duration.ofMillis(100)));
  }

  @Test
  void alreadyCachedKeysAreNotLoadedAgain() {
    var w = warmer().rate(1000).set("popular", 1, () -> List.of("a", "b"), this::load).build();
    w.warmNow();
    w.warmNow();
    assertThat(loadOrder).containsExactly("a", "b");
  }

  @Test
  void failuresAreCountedAndTheRunGoesOn() {
    var w =
        warmer()
            .rate(1000)
            .set(
                "flaky",
                2,
                () -> List.of("bad", "good"),
                key -> {
                  if (key.equals("bad")) {
                    throw new IllegalStateException("db down");
                  }
                  return "ok";
                })
            .set(
                "broken",
                1,
                () -> {
                  throw new IllegalStateException("cannot list");
                },
                this::load)
            .build();

    assertThat(w.warmNow())
        .containsExactly(
            new CacheWarmer.SetResult("flaky", 2, 1, 1, false),
            new CacheWarmer.SetResult("broken", 0, 0, 0, true));
  }

  @Test
  void maxKeysPerSetCapsOneRun() {
    List<String> keys = IntStream.range(0, 100).mapToObj(i -> "r:" + i).toList();
    var w = warmer().rate(1000).maxKeysPerSet(5).set("popular", 1, () -> keys, this::load).build();
    assertThat(w.warmNow()).containsExactly(new CacheWarmer.SetResult("popular", 5, 5, 0, false));
  }

  @Test
  void configurationIsValidated() {
    assertThatThrownBy(() -> warmer().build()).hasMessage("warmer has no set");
    assertThatThrownBy(() -> warmer().rate(0))
        .hasMessage("warmer.rate outside (0, 1000000] keys per second");
    assertThatThrownBy(() -> warmer().every(Duration.ZERO))
        .hasMessage("warmer.every must be positive");
  }
}
