package com.yumzoom.ops.query.promql;

/**
 * xxHash64 with seed 0, as Prometheus hashes label sets ({@code labels.Labels.Hash}); used so that
 * limit_ratio selects the same series Prometheus does.
 */
final class XxHash64 {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  private static long read64(byte[] b, int i) {
    long r = 0;
    for (int k = 7; k >= 0; k--) {
      r = (r << 8) | (b[i + k] & 0xffL);
    }
    return r;
  }

  private static long read32(byte[] b, int i) {
    long r = 0;
    for (int k = 3; k >= 0; k--) {
      r = (r << 8) | (b[i + k] & 0xffL);
    }
    return r;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long val) {
    acc ^= round(0, val);
    return acc * P1 + P4;
  }

  static long hash(byte[] b) {
    int n = b.length;
    int i = 0;
    long h;
    if (n >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      for (; i + 32 <= n; i += 32) {
        v1 = round(v1, read64(b, i));
        v2 = round(v2, read64(b, i + 8));
        v3 = round(v3, read64(b, i + 16));
        v4 = round(v4, read64(b, i + 24));
      }
      h =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += n;
    for (; i + 8 <= n; i += 8) {
      h ^= round(0, read64(b, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (i + 4 <= n) {
      h ^= read32(b, i) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    for (; i < n; i++) {
      h ^= (b[i] & 0xffL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  /** Prometheus' Labels.Hash: name, 0xff, value, 0xff for each label in name order. */
  static long labelsHash(Labels l) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (var e : l.map().entrySet()) {
      out.writeBytes(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.write(0xff);
      out.writeBytes(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.write(0xff);
    }
    return hash(out.toByteArray());
  }
}
