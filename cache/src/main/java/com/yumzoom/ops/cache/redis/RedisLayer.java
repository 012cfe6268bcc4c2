package com.yumzoom.ops.cache.redis;

import com.yumzoom.ops.cache.CacheEntry;
import com.yumzoom.ops.cache.Invalidation;
import com.yumzoom.ops.cache.SharedLayer;
import com.yumzoom.ops.cache.codec.CacheCodec;
import com.yumzoom.ops.cache.codec.Compression;
import com.yumzoom.ops.cache.codec.EncryptionKeys;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L2 on Redis through Lettuce. Keys of cache {@code name}:
 *
 * <ul>
 *   <li>{@code yzc:name:v:KEY} the entry ({@link EntryFormat}), with a Redis TTL at its expiry;
 *   <li>{@code yzc:name:t:{TAG}} a set of the KEYs carrying the tag, living as long as its longest
 *       member (extended by a script, since {@code PEXPIRE GT} needs Redis 7);
 *   <li>{@code yzc:name:l:KEY} the cross-node load lock;
 *   <li>channel {@code yzc:name:inval} the invalidation broadcast.
 * </ul>
 *
 * Pattern invalidation uses SCAN (never KEYS, which blocks Redis) with MATCH on the escaped prefix.
 * Tag invalidation drains the set with SPOP so that a key tagged while the invalidation runs is
 * either drained too or stays in the set for the next one; it is never lost.
 *
 * @param <V> value type
 */
public final class RedisLayer<V> implements SharedLayer<V> {
  private static final Logger log = LoggerFactory.getLogger(RedisLayer.class);
  private static final int BATCH = 256;
  private static final String TAG_ADD =
      "redis.call('SADD', KEYS[1], ARGV[1]) "
          + "if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then "
          + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 1";
  private static final String UNLOCK =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) "
          + "else return 0 end";

  private final RedisL2 redis;
  private final String prefix;
  private final String valuePrefix;
  private final String tagPrefix;
  private final String lockPrefix;
  private final String channel;
  private final EntryFormat<V> format;
  private final Clock clock;
  private final List<Runnable> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

  private RedisLayer(RedisL2 redis, String cacheName, EntryFormat<V> format, Clock clock) {
    this.redis = redis;
    this.prefix = "yzc:" + cacheName + ":";
    this.valuePrefix = prefix + "v:";
    this.tagPrefix = prefix + "t:";
    this.lockPrefix = prefix + "l:";
    this.channel = prefix + "inval";
    this.format = format;
    this.clock = clock;
  }

  /**
   * The L2 layer of one cache.
   *
   * @param cacheName validated by the cache builder ({@code [A-Za-z0-9._-]{1,64}})
   * @param compressAboveBytes payloads longer than this are compressed
   * @param keys AES-GCM keys, or null to store plaintext
   */
  public static <V> RedisLayer<V> create(
      RedisL2 redis,
      String cacheName,
      CacheCodec<V> codec,
      Compression compression,
      int compressAboveBytes,
      EncryptionKeys keys,
      Clock clock) {
    return new RedisLayer<>(
        redis, cacheName, new EntryFormat<>(codec, compression, compressAboveBytes, keys), clock);
  }

  @Override
  public String name() {
    return "l2";
  }

  /** The Redis key holding {@code key}'s entry, for operations and tests. */
  public String redisKey(String key) {
    return valuePrefix + key;
  }

  /** The stored bytes of an entry as this layer would write them (tests plant entries with it). */
  public byte[] encode(String key, CacheEntry<V> entry) throws Exception {
    return format.encode(redisKey(key), entry);
  }

  @Override
  public CacheEntry<V> get(String key) {
    String rk = redisKey(key);
    byte[] bytes = redis.sync().get(rk);
    if (bytes == null) {
      return null;
    }
    CacheEntry<V> e;
    try {
      e = format.decode(rk, bytes);
    } catch (Exception ex) {
      throw new IllegalStateException("l2 entry " + rk + " unreadable: " + ex.getMessage(), ex);
    }
    return e.expiresAt() <= clock.millis() ? null : e;
  }

  /** One MGET (split per slot by Lettuce in cluster mode) instead of a round trip per key. */
  @Override
  public Map<String, CacheEntry<V>> getAll(List<String> keys) {
    Map<String, CacheEntry<V>> found = new HashMap<>();
    if (keys.isEmpty()) {
      return found;
    }
    String[] redisKeys = new String[keys.size()];
    Map<String, String> keyOf = new HashMap<>();
    for (int i = 0; i < redisKeys.length; i++) {
      redisKeys[i] = redisKey(keys.get(i));
      keyOf.put(redisKeys[i], keys.get(i));
    }
    long now = clock.millis();
    for (KeyValue<String, byte[]> kv : redis.sync().mget(redisKeys)) {
      if (!kv.hasValue()) {
        continue;
      }
      CacheEntry<V> e;
      try {
        e = format.decode(kv.getKey(), kv.getValue());
      } catch (Exception ex) {
        throw new IllegalStateException(
            "l2 entry " + kv.getKey() + " unreadable: " + ex.getMessage(), ex);
      }
      if (e.expiresAt() > now) {
        found.put(keyOf.get(kv.getKey()), e);
      }
    }
    return found;
  }

  @Override
  public void put(String key, CacheEntry<V> entry) {
    long ttl = entry.expiresAt() - clock.millis();
    String rk = redisKey(key);
    if (ttl <= 0) {
      redis.sync().del(rk);
      return;
    }
    byte[] bytes;
    try {
      bytes = format.encode(rk, entry);
    } catch (Exception ex) {
      throw new IllegalStateException("l2 entry " + rk + " not encodable: " + ex.getMessage(), ex);
    }
    if (entry.tags().isEmpty()) {
      redis.sync().psetex(rk, ttl, bytes);
      return;
    }
    // One round trip for the value and every tag set.
    var async = redis.async();
    List<RedisFuture<?>> futures = new ArrayList<>(1 + entry.tags().size());
    futures.add(async.psetex(rk, ttl, bytes));
    byte[] member = key.getBytes(StandardCharsets.UTF_8);
    byte[] ttlArg = Long.toString(ttl).getBytes(StandardCharsets.US_ASCII);
    for (String tag : entry.tags()) {
      futures.add(
          async.eval(
              TAG_ADD, ScriptOutputType.INTEGER, new String[] {tagKey(tag)}, member, ttlArg));
    }
    await(futures);
  }

  @Override
  public void invalidate(String key) {
    redis.sync().del(redisKey(key));
  }

  @Override
  public long invalidatePattern(String glob) {
    return deleteMatching(escapeGlob(valuePrefix) + glob);
  }

  @Override
  public long invalidateTag(String tag) {
    RedisClusterCommands<String, byte[]> sync = redis.sync();
    String tk = tagKey(tag);
    long removed = 0;
    // Bounded: a tag with more members than this is left for the next invalidation, logged.
    for (int round = 0; round < 100_000; round++) {
      List<byte[]> members = new ArrayList<>(sync.spop(tk, BATCH));
      if (members.isEmpty()) {
        return removed;
      }
      String[] keys = new String[members.size()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = valuePrefix + new String(members.get(i), StandardCharsets.UTF_8);
      }
      removed += sync.del(keys);
    }
    log.warn(
        "tag {} still has members after {} keys; left for the next invalidation", tag, removed);
    return removed;
  }

  @Override
  public void clear() {
    deleteMatching(escapeGlob(prefix) + "[vt]:*");
  }

  @Override
  public long size() {
    return -1;
  }

  @Override
  public long evictions() {
    return -1;
  }

  @Override
  public void publish(Invalidation invalidation) {
    redis.publish(channel, InvalidationWire.encode(invalidation));
  }

  @Override
  public void subscribe(Listener listener) {
    java.util.function.Consumer<byte[]> onMessage =
        bytes -> {
          Invalidation inv;
          try {
            inv = InvalidationWire.decode(bytes);
          } catch (Exception e) {
            log.warn("unreadable invalidation on {} ignored", channel, e);
            return;
          }
          listener.onInvalidation(inv);
        };
    RedisL2.ConnectionListener onConnection =
        new RedisL2.ConnectionListener() {
          @Override
          public void disconnected() {
            listener.onDisconnected();
          }

          @Override
          public void resubscribed() {
            listener.onResubscribed();
          }
        };
    redis.subscribe(channel, onMessage, onConnection);
    subscriptions.add(() -> redis.unsubscribe(channel, onMessage, onConnection));
  }

  /** Stops listening; the Redis connections stay open for their owner. */
  @Override
  public void close() {
    subscriptions.forEach(Runnable::run);
    subscriptions.clear();
  }

  @Override
  public String tryLock(String key, Duration ttl) {
    String token = UUID.randomUUID().toString();
    String ok =
        redis
            .sync()
            .set(
                lockPrefix + key,
                token.getBytes(StandardCharsets.US_ASCII),
                SetArgs.Builder.nx().px(ttl.toMillis()));
    return "OK".equals(ok) ? token : null;
  }

  @Override
  public void unlock(String key, String token) {
    redis
        .sync()
        .eval(
            UNLOCK,
            ScriptOutputType.INTEGER,
            new String[] {lockPrefix + key},
            token.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public boolean isLocked(String key) {
    return redis.sync().exists(lockPrefix + key) > 0;
  }

  private String tagKey(String tag) {
    // The braces make the tag the cluster hash tag, keeping a tag's set on one slot.
    return tagPrefix + "{" + tag + "}";
  }

  private long deleteMatching(String match) {
    RedisClusterCommands<String, byte[]> sync = redis.sync();
    ScanArgs args = ScanArgs.Builder.matches(match).limit(500);
    long removed = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    // Bounded by the keyspace: SCAN guarantees termination; the cap guards a misbehaving server.
    for (int round = 0; round < 1_000_000; round++) {
      KeyScanCursor<String> page = sync.scan(cursor, args);
      List<String> keys = page.getKeys();
      for (int i = 0; i < keys.size(); i += BATCH) {
        removed +=
            sync.del(keys.subList(i, Math.min(keys.size(), i + BATCH)).toArray(String[]::new));
      }
      if (page.isFinished()) {
        break;
      }
      cursor = page;
    }
    return removed;
  }

  private void await(List<RedisFuture<?>> futures) {
    long timeout = redis.commandTimeout().toMillis();
    if (!LettuceFutures.awaitAll(
        timeout, TimeUnit.MILLISECONDS, futures.toArray(RedisFuture[]::new))) {
      throw new IllegalStateException("l2 write not acknowledged within " + timeout + " ms");
    }
  }

  /** Escapes Redis glob metacharacters so a literal prefix matches only itself. */
  static String escapeGlob(String literal) {
    StringBuilder b = new StringBuilder(literal.length() + 4);
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }
}
