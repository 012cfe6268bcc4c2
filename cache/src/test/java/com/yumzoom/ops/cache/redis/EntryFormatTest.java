package com.yumzoom.ops.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.codec.EncryptionKeys;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryFormatTest {
  private final CacheEntry<String> entry =
      new CacheEntry<>("x".repeat(5000), 10, 20, 30, Set.of("restaurant:42", "menu"), 7);

  @Test
  void roundTripsWithEveryCompression() throws Exception {
    for (Compression c : Compression.values()) {
      EntryFormat<String> f = new EntryFormat<>(CacheCodec.utf8(), c, 100, null);
      byte[] bytes = f.encode("k", entry);
      assertThat(f.decode("k", bytes)).isEqualTo(entry);
      if (c != Compression.NONE) {
        assertThat(bytes.length).as(c.name()).isLessThan(500);
      }
    }
  }

  @Test
  void smallPayloadsAreNotCompressed() throws Exception {
    EntryFormat<String> f = new EntryFormat<>(CacheCodec.utf8(), Compression.ZSTD, 100, null);
    CacheEntry<String> small = new CacheEntry<>("tiny", 1, 2, 3, Set.of(), 0);
    byte[] bytes = f.encode("k", small);
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).endsWith("tiny");
  }

  @Test
  void editedHeaderFailsAuthentication() throws Exception {
    EncryptionKeys keys = EncryptionKeys.of(7, Map.of(7, new byte[16]));
    EntryFormat<String> f = new EntryFormat<>(CacheCodec.utf8(), Compression.ZSTD, 100, keys);
    byte[] bytes = f.encode("k", entry);
    bytes[20] ^= 1; // inside freshUntil: someone extending an entry's life

    assertThatThrownBy(() -> f.decode("k", bytes)).hasMessageContaining("failed authentication");
  }

  @Test
  void retiredKeyIsReported() throws Exception {
    EntryFormat<String> old =
        new EntryFormat<>(
            CacheCodec.utf8(), Compression.NONE, 0, EncryptionKeys.of(1, Map.of(1, new byte[16])));
    EntryFormat<String> dropped =
        new EntryFormat<>(
            CacheCodec.utf8(), Compression.NONE, 0, EncryptionKeys.of(2, Map.of(2, new byte[32])));
    byte[] bytes = old.encode("k", entry);

    assertThatThrownBy(() -> dropped.decode("k", bytes))
        .hasMessage("encryption key id 1 unknown (retired?)");
  }

  @Test
  void garbageIsRejected() {
    EntryFormat<String> f = new EntryFormat<>(CacheCodec.utf8(), Compression.NONE, 0, null);
    assertThatThrownBy(() -> f.decode("k", "hello".getBytes())).hasMessage("not a cache entry");
  }
}
