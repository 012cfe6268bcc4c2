package com.yumzoom.ops.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.Invalidation;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidationWireTest {
  @Test
  void roundTripsEveryKind() throws Exception {
    for (Invalidation.Kind kind : Invalidation.Kind.values()) {
      Invalidation inv = new Invalidation("node-1", kind, List.of("restaurant:42", "ünïcode:*"));
      assertThat(InvalidationWire.decode(InvalidationWire.encode(inv))).isEqualTo(inv);
    }
  }

  @Test
  void refusesUnknownVersionsKindsAndHugeCounts() {
    byte[] ok =
        InvalidationWire.encode(new Invalidation("n", Invalidation.Kind.KEYS, List.of("k")));
    byte[] badVersion = ok.clone();
    badVersion[0] = 9;
    assertThatThrownBy(() -> InvalidationWire.decode(badVersion))
        .hasMessage("invalidation version 9 unknown");
    byte[] badKind = ok.clone();
    badKind[1] = 7;
    assertThatThrownBy(() -> InvalidationWire.decode(badKind))
        .hasMessage("invalidation kind 7 unknown");
    // version, kind, origin "n", then a count of two billion values
    byte[] huge =
        ByteBuffer.allocate(9)
            .put((byte) 1)
            .put((byte) 0)
            .putShort((short) 1)
            .put((byte) 'n')
            .putInt(2_000_000_000)
            .array();
    assertThatThrownBy(() -> InvalidationWire.decode(huge))
        .hasMessage("invalidation with more than 10000 values");
  }

  @Test
  void invalidationNeedsAnOriginAndAKind() {
    assertThatThrownBy(() -> new Invalidation("", Invalidation.Kind.CLEAR, List.of()))
        .hasMessage("invalidation.origin empty");
    assertThatThrownBy(() -> new Invalidation("n", null, List.of()))
        .hasMessage("invalidation.kind missing");
  }
}
