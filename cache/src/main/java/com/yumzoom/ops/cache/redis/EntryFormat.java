package com.yumzoom.ops.cache.redis;

import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.codec.EncryptionKeys;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The bytes of one L2 entry:
 *
 * <pre>
 * 'Y' version flags | writtenAt freshUntil expiresAt loadNanos (4 x int64) | tagCount (u16) tags
 * (modified UTF-8) | payload (to the end)
 * </pre>
 *
 * flags: bit 0 negative, bits 1-2 compression id, bit 3 encrypted. The payload is the codec's
 * bytes, compressed when longer than the threshold (and only kept compressed if that saved space),
 * then sealed with AES-GCM when keys are configured; the Redis key and the header are the
 * associated data. With keys configured, plaintext entries are refused: anyone who can write to
 * Redis could otherwise plant values.
 */
final class EntryFormat<V> {
  private static final byte MAGIC = 'Y';
  private static final byte VERSION = 1;
  private static final int NEGATIVE = 1;
  private static final int ENCRYPTED = 8;

  private final CacheCodec<V> codec;
  private final Compression compression;
  private final int compressAbove;
  private final EncryptionKeys keys;

  EntryFormat(
      CacheCodec<V> codec, Compression compression, int compressAbove, EncryptionKeys keys) {
    if (compressAbove < 0) {
      throw new IllegalArgumentException("l2.compressAboveBytes negative");
    }
    this.codec = codec;
    this.compression = compression;
    this.compressAbove = compressAbove;
    this.keys = keys;
  }

  byte[] encode(String redisKey, CacheEntry<V> e) throws Exception {
    byte[] payload = new byte[0];
    Compression used = Compression.NONE;
    if (!e.negative()) {
      payload = codec.encode(e.value());
      if (compression != Compression.NONE && payload.length > compressAbove) {
        byte[] packed = compression.compress(payload);
        if (packed.length < payload.length) {
          payload = packed;
          used = compression;
        }
      }
    }
    int flags = (e.negative() ? NEGATIVE : 0) | (used.id() << 1) | (keys != null ? ENCRYPTED : 0);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + payload.length);
    DataOutputStream out = new DataOutputStream(buf);
    out.writeByte(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(flags);
    out.writeLong(e.writtenAt());
    out.writeLong(e.freshUntil());
    out.writeLong(e.expiresAt());
    out.writeLong(e.loadNanos());
    out.writeShort(e.tags().size());
    for (String t : e.tags()) {
      out.writeUTF(t);
    }
    out.flush();
    if (keys != null) {
      payload = keys.seal(payload, associated(redisKey, buf.toByteArray()));
    }
    out.write(payload);
    out.flush();
    return buf.toByteArray();
  }

  CacheEntry<V> decode(String redisKey, byte[] bytes) throws Exception {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
    if (bytes.length < 3 || in.readByte() != MAGIC) {
      throw new IOException("not a cache entry");
    }
    int version = in.readByte();
    if (version != VERSION) {
      throw new IOException("entry format version " + version + " unknown");
    }
    int flags = in.readByte();
    long writtenAt = in.readLong();
    long freshUntil = in.readLong();
    long expiresAt = in.readLong();
    long loadNanos = in.readLong();
    int tagCount = in.readUnsignedShort();
    if (tagCount > CacheEntry.MAX_TAGS) {
      throw new IOException("entry has more than " + CacheEntry.MAX_TAGS + " tags");
    }
    Set<String> tags = new HashSet<>(tagCount * 2);
    for (int i = 0; i < tagCount; i++) {
      tags.add(in.readUTF());
    }
    int headerLength = bytes.length - in.available();
    byte[] payload = Arrays.copyOfRange(bytes, headerLength, bytes.length);
    boolean encrypted = (flags & ENCRYPTED) != 0;
    if (keys != null && !encrypted) {
      throw new IOException("plaintext entry refused: encryption is configured");
    }
    if (encrypted) {
      if (keys == null) {
        throw new IOException("encrypted entry but no encryption keys configured");
      }
      payload = keys.open(payload, associated(redisKey, Arrays.copyOf(bytes, headerLength)));
    }
    V value = null;
    if ((flags & NEGATIVE) == 0) {
      payload = Compression.byId((flags >> 1) & 3).decompress(payload);
      value = codec.decode(payload);
    }
    return new CacheEntry<>(value, writtenAt, freshUntil, expiresAt, tags, loadNanos);
  }

  private static byte[] associated(String redisKey, byte[] header) {
    byte[] k = redisKey.getBytes(StandardCharsets.UTF_8);
    byte[] aad = Arrays.copyOf(k, k.length + 1 + header.length);
    aad[k.length] = 0;
    System.arraycopy(header, 0, aad, k.length + 1, header.length);
    return aad;
  }
}
