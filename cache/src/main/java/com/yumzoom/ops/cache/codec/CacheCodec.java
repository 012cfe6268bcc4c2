package com.yumzoom.ops.cache.codec;

/**
 * Turns values into the bytes stored in L2 and back. Implementations must be thread-safe.
 *
 * @param <V> value type
 */
public interface CacheCodec<V> {
  byte[] encode(V value) throws Exception;

  V decode(byte[] bytes) throws Exception;

  /** UTF-8 strings stored as they are; handy for HTML fragments and pre-rendered JSON. */
  static CacheCodec<String> utf8() {
    return new CacheCodec<>() {
      @Override
      public byte[] encode(String value) {
        return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      }
    };
  }
}
