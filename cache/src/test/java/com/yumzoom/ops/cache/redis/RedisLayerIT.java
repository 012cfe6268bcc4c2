package com.yumzoom.ops.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.CacheLayer;
import com.yumzoom.ops.cache.CacheLayerContract;
import com.yumzoom.ops.cache.FakeTime;
import com.yumzoom.ops.cache.TestRedis;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.codec.EncryptionKeys;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisLayerIT extends CacheLayerContract {
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static TestRedis server;
  private static RedisL2 redis;

  @BeforeAll
  static void startRedis() {
    server = TestRedis.start();
    redis = RedisL2.standalone(server.uri());
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    server.close();
  }

  @Override
  protected CacheLayer<String> newLayer(FakeTime time) {
    return RedisLayer.create(
        redis,
        "contract" + SEQ.incrementAndGet(),
        CacheCodec.utf8(),
        Compression.ZSTD,
        64,
        null,
        time);
  }

  private static byte[] key(int fill) {
    byte[] k = new byte[32];
    java.util.Arrays.fill(k, (byte) fill);
    return k;
  }

  @Test
  void largeValuesAreStoredCompressed() {
    String big = "{\"name\":\"Chez Zoom\",\"dish\":\"ratatouille\"}".repeat(200);
    layer.put("big", entry(big));

    byte[] stored = redis.sync().get(((RedisLayer<String>) layer).redisKey("big"));
    assertThat(stored.length).isLessThan(big.length() / 5);
    assertThat(layer.get("big").value()).isEqualTo(big);
  }

  @Test
  void encryptedEntriesOpenAfterKeyRotationAndNotUnderAnotherKey() {
    String name = "secret" + SEQ.incrementAndGet();
    var v1 =
        RedisLayer.create(
            redis,
            name,
            CacheCodec.utf8(),
            Compression.ZSTD,
            8,
            EncryptionKeys.of(1, Map.of(1, key(1))),
            time);
    v1.put("card", entry("4111 1111 1111 1111"));
    byte[] stored = redis.sync().get(v1.redisKey("card"));
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("4111");

    var rotated =
        RedisLayer.create(
            redis,
            name,
            CacheCodec.utf8(),
            Compression.ZSTD,
            8,
            EncryptionKeys.of(2, Map.of(1, key(1), 2, key(2))),
            time);
    assertThat(rotated.get("card").value()).isEqualTo("4111 1111 1111 1111");

    // A sealed value copied under another key fails authentication instead of being served.
    redis.sync().set(v1.redisKey("other"), stored);
    assertThatThrownBy(() -> rotated.get("other")).hasMessageContaining("failed authentication");
    rotated.clear();
  }

  @Test
  void plaintextEntryIsRefusedWhenEncryptionIsOn() {
    String name = "mixed" + SEQ.incrementAndGet();
    var plain = RedisLayer.create(redis, name, CacheCodec.utf8(), Compression.NONE, 0, null, time);
    plain.put("k", entry("planted"));
    var sealed =
        RedisLayer.create(
            redis,
            name,
            CacheCodec.utf8(),
            Compression.NONE,
            0,
            EncryptionKeys.of(1, Map.of(1, key(3))),
            time);

    assertThatThrownBy(() -> sealed.get("k")).hasMessageContaining("plaintext entry refused");
    plain.clear();
  }

  @Test
  void tagSetLivesAsLongAsItsLongestMember() {
    long now = time.millis();
    layer.put(
        "long", new CacheEntry<>("l", now, now + 1_000, now + 500_000, java.util.Set.of("t"), 0));
    layer.put(
        "short", new CacheEntry<>("s", now, now + 1_000, now + 2_000, java.util.Set.of("t"), 0));

    String prefix = ((RedisLayer<String>) layer).redisKey("x");
    String tagKey = prefix.substring(0, prefix.length() - "v:x".length()) + "t:{t}";
    assertThat(redis.sync().pttl(tagKey)).isGreaterThan(400_000);
  }

  @Test
  void loadLockIsExclusiveUntilReleasedByItsOwner() {
    var l = (RedisLayer<String>) layer;
    String token = l.tryLock("k", Duration.ofSeconds(5));
    assertThat(token).isNotNull();
    assertThat(l.tryLock("k", Duration.ofSeconds(5))).isNull();
    assertThat(l.isLocked("k")).isTrue();

    l.unlock("k", "not-the-owner");
    assertThat(l.isLocked("k")).isTrue();

    l.unlock("k", token);
    assertThat(l.isLocked("k")).isFalse();
  }
}
