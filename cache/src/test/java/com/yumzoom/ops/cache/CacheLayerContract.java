package com.yumzoom.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CacheLayer} must do; each implementation runs it by extending this class (the
 * way Zipkin tests its storage backends).
 */
public abstract class CacheLayerContract {
  protected final FakeTime time = new FakeTime();
  protected CacheLayer<String> layer;

  /** A new, empty layer whose expiry follows {@code time}. */
  protected abstract CacheLayer<String> newLayer(FakeTime time);

  @BeforeEach
  void createLayer() {
    layer = newLayer(time);
  }

  @AfterEach
  void closeLayer() {
    layer.clear();
    layer.close();
  }

  protected CacheEntry<String> entry(String value, String... tags) {
    long now = time.millis();
    return new CacheEntry<>(value, now, now + 60_000, now + 120_000, Set.of(tags), 5_000_000);
  }

  @Test
  void storedEntryComesBackWithItsTimesAndTags() {
    CacheEntry<String> e = entry("pizza", "restaurant:42", "city:paris");
    layer.put("restaurant:42", e);

    assertThat(layer.get("restaurant:42")).isEqualTo(e);
    assertThat(layer.get("restaurant:43")).isNull();
  }

  @Test
  void getAllReturnsThePresentUnexpiredEntriesOnly() {
    CacheEntry<String> a = entry("a");
    CacheEntry<String> b = entry(null);
    layer.put("k:a", a);
    layer.put("k:b", b);
    layer.put("k:old", entry("old"));
    time.advance(Duration.ofSeconds(30));
    CacheEntry<String> c = entry("c");
    layer.put("k:c", c);
    time.advance(Duration.ofSeconds(100));

    // k:a, k:b and k:old expired (120 s after their write); k:c has 20 s left.
    assertThat(layer.getAll(List.of("k:a", "k:b", "k:old", "k:c", "k:none")))
        .containsOnlyKeys("k:c")
        .containsEntry("k:c", c);
    assertThat(layer.getAll(List.of())).isEmpty();
  }

  @Test
  void getAllKeepsNegativeEntries() {
    CacheEntry<String> a = entry("a");
    CacheEntry<String> absent = entry(null);
    layer.put("k:a", a);
    layer.put("k:absent", absent);

    assertThat(layer.getAll(List.of("k:a", "k:absent", "k:none")))
        .containsOnly(Map.entry("k:a", a), Map.entry("k:absent", absent));
  }

  @Test
  void negativeEntryRoundTrips() {
    CacheEntry<String> e = entry(null);
    layer.put("restaurant:404", e);

    CacheEntry<String> back = layer.get("restaurant:404");
    assertThat(back).isNotNull();
    assertThat(back.negative()).isTrue();
    assertThat(back.expiresAt()).isEqualTo(e.expiresAt());
  }

  @Test
  void entryIsGoneOnceItsExpiryPasses() {
    layer.put("k", entry("v"));
    time.advance(Duration.ofSeconds(119));
    assertThat(layer.get("k")).isNotNull();

    time.advance(Duration.ofSeconds(1));
    assertThat(layer.get("k")).isNull();
  }

  @Test
  void alreadyExpiredEntryIsNotStored() {
    layer.put("k", entry("old"));
    long now = time.millis();
    layer.put("k", new CacheEntry<>("v", now - 10, now - 5, now, Set.of(), 0));

    assertThat(layer.get("k")).isNull();
  }

  @Test
  void invalidateRemovesOnlyThatKey() {
    layer.put("a", entry("1"));
    layer.put("b", entry("2"));

    layer.invalidate("a");

    assertThat(layer.get("a")).isNull();
    assertThat(layer.get("b")).isNotNull();
  }

  @Test
  void patternRemovesExactlyTheMatchingKeys() {
    for (String k :
        new String[] {
          "restaurant:1:menu",
          "restaurant:1:reviews",
          "restaurant:2:menu",
          "restaurant:10:menu",
          "user:1"
        }) {
      layer.put(k, entry(k));
    }

    assertThat(layer.invalidatePattern("restaurant:1:*")).isEqualTo(2);
    assertThat(layer.get("restaurant:1:menu")).isNull();
    assertThat(layer.get("restaurant:1:reviews")).isNull();
    assertThat(layer.get("restaurant:10:menu")).isNotNull();

    assertThat(layer.invalidatePattern("restaurant:?:men[a-u]")).isEqualTo(1);
    assertThat(layer.get("restaurant:2:menu")).isNull();
    assertThat(layer.get("restaurant:10:menu")).isNotNull();
    assertThat(layer.get("user:1")).isNotNull();
  }

  @Test
  void patternMetacharactersCanBeEscaped() {
    layer.put("q:a*b", entry("literal star"));
    layer.put("q:axxb", entry("other"));

    assertThat(layer.invalidatePattern("q:a\\*b")).isEqualTo(1);
    assertThat(layer.get("q:a*b")).isNull();
    assertThat(layer.get("q:axxb")).isNotNull();
  }

  @Test
  void tagRemovesEveryEntryCarryingIt() {
    layer.put("restaurant:42", entry("r", "restaurant:42"));
    layer.put("menu:42", entry("m", "restaurant:42"));
    layer.put("search:pizza", entry("s", "restaurant:42", "restaurant:7"));
    layer.put("restaurant:7", entry("r7", "restaurant:7"));

    assertThat(layer.invalidateTag("restaurant:42")).isEqualTo(3);

    assertThat(layer.get("restaurant:42")).isNull();
    assertThat(layer.get("menu:42")).isNull();
    assertThat(layer.get("search:pizza")).isNull();
    assertThat(layer.get("restaurant:7")).isNotNull();
    assertThat(layer.invalidateTag("restaurant:42")).isZero();
  }

  @Test
  void clearRemovesEverything() {
    layer.put("a", entry("1", "t"));
    layer.put("b", entry("2"));

    layer.clear();

    assertThat(layer.get("a")).isNull();
    assertThat(layer.get("b")).isNull();
    assertThat(layer.invalidateTag("t")).isZero();
  }
}
