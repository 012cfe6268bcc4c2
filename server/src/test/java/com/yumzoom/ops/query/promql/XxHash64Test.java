package com.yumzoom.ops.query.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XxHash64Test {
  @Test
  void matchesPublishedReferenceValues() {
    // Reference values of XXH64 with seed 0 (xxhash test vectors / cespare/xxhash tests).
    assertThat(XxHash64.hash(new byte[0])).isEqualTo(0xef46db3751d8e999L);
    assertThat(XxHash64.hash("a".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xd24ec4f1a98c6e5bL);
    assertThat(XxHash64.hash("abc".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0x44bc2cf5ad770999L);
    assertThat(
            XxHash64.hash(
                "Nobody inspects the spammish repetition".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0xfbcea83c8a378bf1L);
  }
}
