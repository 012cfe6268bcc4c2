package com.yumzoom.ops.cache.codec;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compression of L2 payloads above a size threshold. The algorithm is recorded in every stored
 * entry, so changing it (or the threshold) never makes existing entries unreadable.
 */
public enum Compression {
  /** Stored as encoded. */
  NONE(0),
  /** Zstandard level 3 through zstd-jni: about LZ4's speed at a better ratio for JSON. */
  ZSTD(1),
  /** JDK Deflate: no native library, for platforms zstd-jni does not ship for. */
  DEFLATE(2);

  /** Upper bound on a decompressed payload: a corrupt or hostile length must not allocate GBs. */
  public static final int MAX_DECOMPRESSED_BYTES = 64 << 20;

  private final int id;

  Compression(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  public static Compression byId(int id) {
    for (Compression c : values()) {
      if (c.id == id) {
        return c;
      }
    }
    throw new IllegalArgumentException("compression id " + id + " unknown");
  }

  public byte[] compress(byte[] in) {
    return switch (this) {
      case NONE -> in;
      case ZSTD -> Zstd.compress(in, 3);
      case DEFLATE -> {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
          d.setInput(in);
          d.finish();
          ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 2 + 16);
          byte[] buf = new byte[8192];
          while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
          }
          yield out.toByteArray();
        } finally {
          d.end();
        }
      }
    };
  }

  public byte[] decompress(byte[] in) {
    return switch (this) {
      case NONE -> in;
      case ZSTD -> {
        long size = Zstd.getFrameContentSize(in);
        if (size < 0 || size > MAX_DECOMPRESSED_BYTES) {
          throw new IllegalArgumentException(
              "zstd payload larger than " + MAX_DECOMPRESSED_BYTES + " bytes or without size");
        }
        yield Zstd.decompress(in, (int) size);
      }
      case DEFLATE -> {
        Inflater inf = new Inflater();
        try {
          inf.setInput(in);
          ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * 3 + 16);
          byte[] buf = new byte[8192];
          while (!inf.finished()) {
            int n = inf.inflate(buf);
            if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
              throw new IllegalArgumentException("deflate payload truncated");
            }
            out.write(buf, 0, n);
            if (out.size() > MAX_DECOMPRESSED_BYTES) {
              throw new IllegalArgumentException(
                  "deflate payload larger than " + MAX_DECOMPRESSED_BYTES + " bytes");
            }
          }
          yield out.toByteArray();
        } catch (DataFormatException e) {
          throw new IllegalArgumentException("deflate payload corrupt", e);
        } finally {
          inf.end();
        }
      }
    };
  }
}
