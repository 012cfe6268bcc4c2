package com.yumzoom.ops.cache.l1;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {
  private static boolean m(String glob, String key) {
    return Glob.compile(glob).matcher(key).matches();
  }

  @Test
  void followsRedisGlobRules() {
    assertThat(m("restaurant:*", "restaurant:42:menu")).isTrue();
    assertThat(m("restaurant:?", "restaurant:42")).isFalse();
    assertThat(m("r[ae]d", "red")).isTrue();
    assertThat(m("r[^e]d", "red")).isFalse();
    assertThat(m("r[a-c]d", "rbd")).isTrue();
    assertThat(m("r[a-c]d", "rdd")).isFalse();
    assertThat(m("a\\*b", "a*b")).isTrue();
    assertThat(m("a\\*b", "axb")).isFalse();
  }

  @Test
  void regexMetacharactersInKeysAreLiteral() {
    assertThat(m("price:(1.5)+", "price:(1.5)+")).isTrue();
    assertThat(m("price:(1.5)+", "price:1x5")).isFalse();
    assertThat(m("a[.]b", "a.b")).isTrue();
    assertThat(m("a[.]b", "axb")).isFalse();
    assertThat(m("open[", "open[")).isTrue();
  }
}
