package com.yumzoom.ops.cache.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {
  record Restaurant(long id, String name, List<String> dishes) {}

  @Test
  void jsonRoundTripsRecordsAndGenericTypes() throws Exception {
    JsonCodec<Restaurant> codec = JsonCodec.of(Restaurant.class);
    Restaurant r = new Restaurant(42, "Chez Zoom", List.of("soup", "tart"));
    assertThat(codec.decode(codec.encode(r))).isEqualTo(r);

    JsonCodec<List<Restaurant>> list = JsonCodec.of(new TypeReference<List<Restaurant>>() {});
    assertThat(list.decode(list.encode(List.of(r)))).containsExactly(r);
  }

  @Test
  void jsonIgnoresFieldsANewerNodeAdded() throws Exception {
    JsonCodec<Restaurant> codec = JsonCodec.of(Restaurant.class);
    byte[] newer = "{\"id\":1,\"name\":\"A\",\"dishes\":[],\"rating\":4.5}".getBytes();
    assertThat(codec.decode(newer)).isEqualTo(new Restaurant(1, "A", List.of()));
  }

  @Test
  void decompressionRefusesOversizedOrCorruptInput() {
    assertThatThrownBy(() -> Compression.DEFLATE.decompress(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Compression.byId(3)).hasMessage("compression id 3 unknown");
  }

  @Test
  void keysAreValidated() {
    assertThatThrownBy(() -> EncryptionKeys.of(1, Map.of(1, new byte[10])))
        .hasMessage("encryption.key 1 must be 16, 24 or 32 bytes, was 10");
    assertThatThrownBy(() -> EncryptionKeys.of(2, Map.of(1, new byte[16])))
        .hasMessage("encryption.currentKeyId 2 has no key");
    assertThatThrownBy(() -> EncryptionKeys.of(300, Map.of(300, new byte[16])))
        .hasMessage("encryption.keyId 300 outside 0..255");
  }

  @Test
  void sealingIsRandomizedAndBoundToAssociatedData() {
    EncryptionKeys keys = EncryptionKeys.of(1, Map.of(1, new byte[32]));
    byte[] a = keys.seal("menu".getBytes(), "k1".getBytes());
    byte[] b = keys.seal("menu".getBytes(), "k1".getBytes());
    assertThat(a).isNotEqualTo(b);
    assertThat(keys.open(a, "k1".getBytes())).isEqualTo("menu".getBytes());
    assertThatThrownBy(() -> keys.open(a, "k2".getBytes()))
        .hasMessage("encrypted payload failed authentication");
  }
}
