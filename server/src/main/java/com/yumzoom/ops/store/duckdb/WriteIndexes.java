package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanTags;
import com.yumzoom.ops.store.TraceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the writer has already recorded in the small index tables ({@code envelopes}, {@code
 * span_names}, {@code tag_values}), so that steady traffic adds no rows to them.
 *
 * <p>Design: names and tag pairs are recorded per hour bucket of the span start; a pair is written
 * the first time it is seen in a bucket. Caches are bounded (LRU over entries or buckets); losing
 * an entry only means the pair is written again, and readers use DISTINCT, so a duplicate is
 * harmless. The same holds after a restart (caches start empty) and after a failed commit (the
 * caller clears everything, since staged entries were never committed). A key that reaches {@link
 * #MAX_VALUES_PER_KEY} values in a bucket stops adding values there, so ids used as attributes do
 * not grow the table; at most {@link #MAX_KEYS_PER_BUCKET} keys are recorded per bucket. Not
 * thread-safe: only the writer, under the write lock, uses it.
 */
final class WriteIndexes {

  static final long BUCKET_NANOS = TimeUnit.HOURS.toNanos(1);
  static final int MAX_VALUES_PER_KEY = 1_000;
  static final int MAX_KEYS_PER_BUCKET = 256;
  static final int MAX_TAG_BUCKETS = 3;
  static final int MAX_NAMES = 50_000;
  static final int MAX_ENVELOPES = 10_000;

  record Name(long bucket, String service, String name) {}

  record Tag(long bucket, String key, String value) {}

  /**
   * Rows the index tables need for one batch: each span's envelope id, new envelopes, names and
   * tags, and the start range of each trace's spans in the batch.
   */
  record Staged(
      long[] envelopeIds,
      Map<Long, byte[]> envelopes,
      List<Name> names,
      List<Tag> tags,
      Map<TraceId, long[]> traces) {}

  private static final class TagBucket {
    final RangeSet lines = new RangeSet();
    final Map<String, Integer> valuesPerKey = new HashMap<>();
    // keys that reached the value cap, or keys refused because the bucket has enough keys
    final RangeSet closedKeys = new RangeSet();
  }

  private final Set<Long> envelopes = lruSet(MAX_ENVELOPES);
  private final Set<Name> names = lruSet(MAX_NAMES);
  private final LinkedHashMap<Long, TagBucket> tagBuckets =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, TagBucket> eldest) {
          return size() > MAX_TAG_BUCKETS;
        }
      };

  static long bucket(long epochNanos) {
    return Math.floorDiv(epochNanos, BUCKET_NANOS);
  }

  /** Marks the batch's entries as recorded and returns the rows to insert for them. */
  Staged stage(List<SpanRow> spans) {
    long[] envelopeIds = new long[spans.size()];
    Map<Long, byte[]> newEnvelopes = new LinkedHashMap<>();
    List<Name> newNames = new ArrayList<>();
    List<Tag> newTags = new ArrayList<>();
    // ingest shares one envelope array among the spans of a scope: hash each array once
    Map<byte[], Long> hashed = new java.util.IdentityHashMap<>();
    Map<TraceId, long[]> traces = new HashMap<>();
    for (int i = 0; i < spans.size(); i++) {
      SpanRow row = spans.get(i);
      long start = row.startEpochNanos();
      long[] range = traces.get(row.traceId());
      if (range == null) {
        traces.put(row.traceId(), new long[] {start, start});
      } else {
        range[0] = Math.min(range[0], start);
        range[1] = Math.max(range[1], start);
      }
      Long id = hashed.get(row.envelope());
      if (id == null) {
        id = hash64(row.envelope());
        hashed.put(row.envelope(), id);
        if (envelopes.add(id)) {
          newEnvelopes.put(id, row.envelope());
        }
      }
      envelopeIds[i] = id;
      long bucket = bucket(row.startEpochNanos());
      Name name = new Name(bucket, row.serviceName(), row.name());
      if (names.add(name)) {
        newNames.add(name);
      }
      stageTags(bucket, row.tags(), newTags);
    }
    return new Staged(envelopeIds, newEnvelopes, newNames, newTags, traces);
  }

  private void stageTags(long bucket, String tags, List<Tag> out) {
    TagBucket b = tagBuckets.get(bucket);
    if (b == null) {
      b = new TagBucket();
      tagBuckets.put(bucket, b);
    }
    int from = 0;
    int length = tags.length();
    while (from < length) {
      int to = tags.indexOf(SpanTags.SEPARATOR, from);
      if (to < 0) {
        to = length;
      }
      if (to > from && !b.lines.contains(tags, from, to)) {
        int eq = tags.indexOf('=', from);
        if (eq > from && eq < to && !b.closedKeys.contains(tags, from, eq)) {
          String key = tags.substring(from, eq);
          Integer count = b.valuesPerKey.get(key);
          if (count == null && b.valuesPerKey.size() >= MAX_KEYS_PER_BUCKET
              || count != null && count >= MAX_VALUES_PER_KEY) {
            b.closedKeys.add(key);
          } else {
            b.lines.add(tags.substring(from, to));
            b.valuesPerKey.put(key, count == null ? 1 : count + 1);
            out.add(new Tag(bucket, key, tags.substring(eq + 1, to)));
          }
        }
      }
      from = to + 1;
    }
  }

  /** Forgets everything: after a failed commit, or after retention deleted index rows. */
  void clear() {
    envelopes.clear();
    names.clear();
    tagBuckets.clear();
  }

  /**
   * 64-bit FNV-1a over the bytes, then MurmurHash3's finalizer to spread the bits. Envelopes are
   * few (one per resource and scope), so a collision among them is vanishingly unlikely.
   */
  static long hash64(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= bytes.length;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private static <T> Set<T> lruSet(int capacity) {
    return java.util.Collections.newSetFromMap(
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<T, Boolean> eldest) {
            return size() > capacity;
          }
        });
  }
}
