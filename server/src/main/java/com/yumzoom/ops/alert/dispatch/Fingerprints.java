package com.yumzoom.ops.alert.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alert fingerprints as Prometheus' {@code model.LabelSet.Fingerprint} computes them (64-bit FNV-1a
 * over the sorted names and values, each followed by the byte 0xff), printed as 16 hex digits like
 * Alertmanager's API, so the same alert has the same fingerprint here and there.
 */
public final class Fingerprints {

  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private Fingerprints() {}

  public static String of(Map<String, String> labels) {
    long h = OFFSET;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      h = add(h, e.getKey());
      h = (h ^ 0xff) * PRIME;
      h = add(h, e.getValue());
      h = (h ^ 0xff) * PRIME;
    }
    return String.format("%016x", h);
  }

  private static long add(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * PRIME;
    }
    return h;
  }
}
