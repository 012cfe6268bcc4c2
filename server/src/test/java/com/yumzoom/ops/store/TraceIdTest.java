package com.yumzoom.ops.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TraceIdTest {

  @Test
  void hexAndBytesRoundTrip() {
    TraceId id = TraceId.fromHex("0af7651916cd43dd8448eb211c80319c");
    assertThat(id.toHex()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(TraceId.fromBytes(id.toBytes())).isEqualTo(id);
    assertThat(id.isValid()).isTrue();
  }

  @Test
  void zipkinSixtyFourBitIdsArePaddedWithZeros() {
    assertThat(TraceId.fromHex("8448eb211c80319c").toHex())
        .isEqualTo("00000000000000008448eb211c80319c");
  }

  @Test
  void badInputNamesTheProblem() {
    assertThatThrownBy(() -> TraceId.fromHex("abc"))
        .hasMessage("traceId must be 32 hex characters, got 3 characters");
    assertThatThrownBy(() -> TraceId.fromHex("zz000000000000000000000000000000"))
        .hasMessageContaining("traceId is not hexadecimal");
    assertThat(new TraceId(0, 0).isValid()).isFalse();
  }
}
