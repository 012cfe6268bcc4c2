package com.yumzoom.ops.store;

import java.util.HexFormat;

/**
 * A 128-bit W3C/OTLP trace id held as two longs, so the store can compare it as two fixed-width
 * integer columns instead of a 32-character string.
 */
public record TraceId(long high, long low) {

  private static final HexFormat HEX = HexFormat.of();

  /** Parses 32 (or, for Zipkin's 64-bit ids, 16) lower- or upper-case hex characters. */
  public static TraceId fromHex(String hex) {
    if (hex == null) {
      throw new IllegalArgumentException("traceId is missing");
    }
    String h = hex.trim();
    if (h.length() == 16) {
      return new TraceId(0, parseLong(h, 0));
    }
    if (h.length() != 32) {
      throw new IllegalArgumentException(
          "traceId must be 32 hex characters, got " + h.length() + " characters");
    }
    return new TraceId(parseLong(h, 0), parseLong(h, 16));
  }

  /** Reads 16 big-endian bytes, as OTLP carries them. */
  public static TraceId fromBytes(byte[] bytes) {
    if (bytes.length != 16) {
      throw new IllegalArgumentException("traceId must be 16 bytes, got " + bytes.length);
    }
    return new TraceId(readLong(bytes, 0), readLong(bytes, 8));
  }

  public boolean isValid() {
    return high != 0 || low != 0;
  }

  public String toHex() {
    return HEX.toHexDigits(high) + HEX.toHexDigits(low);
  }

  public byte[] toBytes() {
    byte[] out = new byte[16];
    writeLong(out, 0, high);
    writeLong(out, 8, low);
    return out;
  }

  @Override
  public String toString() {
    return toHex();
  }

  static long parseLong(String hex, int from) {
    try {
      return HexFormat.fromHexDigitsToLong(hex, from, from + 16);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("traceId is not hexadecimal: " + hex, e);
    }
  }

  /** Big-endian long at {@code offset}; shared with span ids. */
  public static long readLong(byte[] bytes, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes[offset + i] & 0xFFL);
    }
    return v;
  }

  public static void writeLong(byte[] out, int offset, long v) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) v;
      v >>>= 8;
    }
  }
}
