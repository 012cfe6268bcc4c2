package com.yumzoom.ops.cache.redis;

import com.yumzoom.ops.cache.Invalidation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Binary form of an {@link Invalidation} on the pub/sub channel: version, kind, origin, values. */
final class InvalidationWire {
  private static final int VERSION = 1;

  /** A hostile or corrupt message must not make a node allocate without bound. */
  static final int MAX_VALUES = 10_000;

  private InvalidationWire() {}

  static byte[] encode(Invalidation inv) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(buf);
      out.writeByte(VERSION);
      out.writeByte(inv.kind().ordinal());
      out.writeUTF(inv.origin());
      out.writeInt(inv.values().size());
      for (String v : inv.values()) {
        out.writeUTF(v);
      }
      out.flush();
      return buf.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Invalidation decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int version = in.readByte();
    if (version != VERSION) {
      throw new IOException("invalidation version " + version + " unknown");
    }
    int kind = in.readByte();
    Invalidation.Kind[] kinds = Invalidation.Kind.values();
    if (kind < 0 || kind >= kinds.length) {
      throw new IOException("invalidation kind " + kind + " unknown");
    }
    String origin = in.readUTF();
    int n = in.readInt();
    if (n < 0 || n > MAX_VALUES) {
      throw new IOException("invalidation with more than " + MAX_VALUES + " values");
    }
    List<String> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(in.readUTF());
    }
    return new Invalidation(origin, kinds[kind], values);
  }
}
