package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only span log in front of DuckDB: one record per accepted batch, made durable with one
 * {@code force} before the batch is acknowledged.
 *
 * <p>Why: DuckDB writes every small commit through its WAL uncompressed and compresses it again at
 * checkpoint, which stalls the single writer for seconds. The log is a plain sequential write
 * (about the size of the spans) and one fsync; DuckDB then receives the spans in row-group-sized
 * transactions, which it writes compressed straight into the database file.
 *
 * <p>Format: segment files {@code segment-<first seq, 20 digits>.log}; each record is {@code [int
 * payload length][int CRC32C of the payload][payload]}, the payload being the batch's sequence
 * number, its envelopes (once per distinct array) and its rows. A batch is one record, so a batch
 * is either wholly in the log or not at all: a record cut short by a crash (length past the end, or
 * CRC mismatch) ends the log and is truncated on open. A failed write is truncated away at once, so
 * a torn record can only ever be the last one; if even that truncation fails the log refuses
 * further writes. Segments roll after {@code segmentBytes}; a segment goes once DuckDB holds every
 * batch in it ({@link #deleteThrough}).
 *
 * <p>Not thread-safe for appends: the consumer calls {@link #append} under its own lock. {@link
 * #deleteThrough} may run concurrently with appends.
 */
final class SpanLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SpanLog.class);

  static final String DIR_NAME = "spanlog";
  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".log";
  private static final int HEADER_BYTES = 8;
  private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;
  private static final int RETAINED_BUFFER_BYTES = 64 << 20;

  /** A batch read back from the log. */
  record Batch(long seq, List<SpanRow> rows) {}

  private static final class Segment {
    final long firstSeq;
    final Path path;
    volatile long lastSeq;

    Segment(long firstSeq, Path path, long lastSeq) {
      this.firstSeq = firstSeq;
      this.path = path;
      this.lastSeq = lastSeq;
    }
  }

  private final Path dir;
  private final long segmentBytes;
  // guarded by this; the last one is the active segment
  private final List<Segment> segments = new ArrayList<>();
  private FileChannel active;
  private long activeSize;
  private long nextSeq;
  private boolean broken;
  private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
  private final CRC32C crc = new CRC32C();

  private SpanLog(Path dir, long segmentBytes) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
  }

  /**
   * Opens (creating) the log in {@code dir}, truncates a torn tail, and hands every batch with a
   * sequence number above {@code flushedSeq} to {@code replay}, in order.
   */
  static SpanLog open(
      Path dir, long segmentBytes, long flushedSeq, java.util.function.Consumer<Batch> replay) {
    SpanLog log = new SpanLog(dir, segmentBytes);
    try {
      Files.createDirectories(dir);
      log.recover(flushedSeq, replay);
    } catch (IOException e) {
      log.closeQuietly();
      throw new StorageException("cannot open the span log in " + dir + ": " + e, e);
    } catch (RuntimeException e) {
      log.closeQuietly();
      throw e;
    }
    return log;
  }

  private void recover(long flushedSeq, java.util.function.Consumer<Batch> replay)
      throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
                  })
              .sorted()
              .toList();
    }
    long lastSeq = flushedSeq;
    for (Path file : files) {
      String n = file.getFileName().toString();
      long first = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
      Segment segment = new Segment(first, file, first - 1);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = ch.size();
        long pos = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        while (pos < size) {
          header.clear();
          if (size - pos < HEADER_BYTES || readFully(ch, header, pos) < HEADER_BYTES) {
            break;
          }
          header.flip();
          int length = header.getInt();
          int checksum = header.getInt();
          if (length < 12 || length > size - pos - HEADER_BYTES) {
            break;
          }
          ByteBuffer payload = ByteBuffer.allocate(length);
          if (readFully(ch, payload, pos + HEADER_BYTES) < length) {
            break;
          }
          CRC32C c = new CRC32C();
          c.update(payload.array(), 0, length);
          if ((int) c.getValue() != checksum) {
            break;
          }
          payload.flip();
          long seq = payload.getLong(0);
          segment.lastSeq = seq;
          lastSeq = Math.max(lastSeq, seq);
          if (seq > flushedSeq) {
            replay.accept(decode(payload));
          }
          pos += HEADER_BYTES + length;
        }
        if (pos < size) {
          LOG.warn("span log {}: torn record at byte {} of {}, truncating", file, pos, size);
          try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
            w.truncate(pos);
            w.force(true);
          }
        }
      }
      segments.add(segment);
    }
    nextSeq = lastSeq + 1;
    if (segments.isEmpty()) {
      startSegment();
    } else {
      Segment last = segments.getLast();
      active = FileChannel.open(last.path, StandardOpenOption.WRITE);
      activeSize = active.size();
      active.position(activeSize);
    }
  }

  private static int readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  /** The sequence number the next batch will get. */
  synchronized long nextSeq() {
    return nextSeq;
  }

  /**
   * Writes the batch as one record and forces it to disk; returns its sequence number. Reads each
   * row exactly once, into {@code copy}, so the caller keeps exactly what was logged.
   */
  long append(List<SpanRow> rows, SpanRow[] copy) {
    synchronized (this) {
      if (broken) {
        throw new StorageException("span log is unusable after a failed write; restart the server");
      }
    }
    long seq;
    synchronized (this) {
      seq = nextSeq;
    }
    ByteBuffer record = encode(seq, rows, copy);
    synchronized (this) {
      long before = activeSize;
      try {
        while (record.hasRemaining()) {
          active.write(record);
        }
        active.force(false);
      } catch (IOException | RuntimeException e) {
        try {
          active.truncate(before);
          active.position(before);
        } catch (IOException | RuntimeException t) {
          broken = true;
          e.addSuppressed(t);
        }
        throw new StorageException("writing the span log failed: " + e, e);
      }
      activeSize = before + record.limit();
      if (buffer.capacity() > RETAINED_BUFFER_BYTES) {
        // one huge batch must not pin its buffer for the life of the process
        buffer = ByteBuffer.allocate(1 << 20);
      }
      segments.getLast().lastSeq = seq;
      nextSeq = seq + 1;
      if (activeSize >= segmentBytes) {
        try {
          active.close();
          startSegment();
        } catch (IOException e) {
          // the batch is durable; the next append finds no active segment and fails loudly
          broken = true;
          LOG.error("cannot start a new span log segment", e);
        }
      }
    }
    return seq;
  }

  private void startSegment() throws IOException {
    Path path = dir.resolve(PREFIX + "%020d".formatted(nextSeq) + SUFFIX);
    active =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    activeSize = active.size();
    // the new name must survive a power loss too, not only a process kill
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // some file systems cannot sync a directory; the data itself is synced per record
    }
    segments.add(new Segment(nextSeq, path, nextSeq - 1));
  }

  /** Deletes every segment other than the active one whose batches all have seq at most this. */
  void deleteThrough(long flushedSeq) {
    List<Segment> doomed = new ArrayList<>();
    synchronized (this) {
      while (segments.size() > 1 && segments.getFirst().lastSeq <= flushedSeq) {
        doomed.add(segments.removeFirst());
      }
    }
    for (Segment s : doomed) {
      try {
        Files.deleteIfExists(s.path);
      } catch (IOException e) {
        // harmless: replay skips its batches by sequence number; the next open retries
        LOG.warn("cannot delete flushed span log segment {}: {}", s.path, e.toString());
      }
    }
  }

  /** Segment files currently kept (active included). */
  synchronized int segmentCount() {
    return segments.size();
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }

  private void closeQuietly() {
    if (active != null) {
      try {
        active.close();
      } catch (IOException ignored) {
        // every record was forced when it was written
      }
      active = null;
    }
    broken = true;
  }

  // ---- codec -------------------------------------------------------------------------------

  private ByteBuffer encode(long seq, List<SpanRow> rows, SpanRow[] copy) {
    ByteBuffer b = buffer;
    b.clear();
    b.position(HEADER_BYTES);
    b = ensure(b, 16);
    b.putLong(seq);
    b.putInt(rows.size());
    int envelopeCountAt = b.position();
    b.putInt(0);
    Map<byte[], Integer> envelopes = new IdentityHashMap<>();
    int[] envelopeIndex = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      SpanRow r = rows.get(i);
      copy[i] = r;
      Integer index = envelopes.get(r.envelope());
      if (index == null) {
        index = envelopes.size();
        envelopes.put(r.envelope(), index);
        b = ensure(b, 4 + r.envelope().length);
        b.putInt(r.envelope().length);
        b.put(r.envelope());
      }
      envelopeIndex[i] = index;
    }
    b.putInt(envelopeCountAt, envelopes.size());
    for (int i = 0; i < rows.size(); i++) {
      SpanRow r = copy[i];
      byte[] service = r.serviceName().getBytes(StandardCharsets.UTF_8);
      byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
      byte[] tags = r.tags().getBytes(StandardCharsets.UTF_8);
      b = ensure(b, 64 + 16 + service.length + name.length + tags.length + 4 + r.span().length + 4);
      b.putLong(r.traceId().high())
          .putLong(r.traceId().low())
          .putLong(r.spanId())
          .putLong(r.parentSpanId())
          .putLong(r.startEpochNanos())
          .putLong(r.durationNanos())
          .put((byte) r.kind())
          .put((byte) r.statusCode())
          .putInt(envelopeIndex[i]);
      putBytes(b, service);
      putBytes(b, name);
      putBytes(b, tags);
      putBytes(b, r.span());
    }
    buffer = b;
    int length = b.position() - HEADER_BYTES;
    if (length > MAX_RECORD_BYTES) {
      throw new StorageException("a batch of " + rows.size() + " spans is too large to log");
    }
    crc.reset();
    crc.update(b.array(), HEADER_BYTES, length);
    b.putInt(0, length);
    b.putInt(4, (int) crc.getValue());
    b.flip();
    return b;
  }

  private static void putBytes(ByteBuffer b, byte[] bytes) {
    b.putInt(bytes.length);
    b.put(bytes);
  }

  private static ByteBuffer ensure(ByteBuffer b, int more) {
    if (b.remaining() >= more) {
      return b;
    }
    long wanted = Math.max((long) b.capacity() * 2, (long) b.position() + more);
    ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(wanted, Integer.MAX_VALUE - 8));
    b.flip();
    bigger.put(b);
    return bigger;
  }

  private static Batch decode(ByteBuffer p) {
    long seq = p.getLong();
    int count = p.getInt();
    int envelopeCount = p.getInt();
    byte[][] envelopes = new byte[envelopeCount][];
    for (int i = 0; i < envelopeCount; i++) {
      envelopes[i] = bytes(p);
    }
    List<SpanRow> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long high = p.getLong();
      long low = p.getLong();
      long spanId = p.getLong();
      long parent = p.getLong();
      long start = p.getLong();
      long duration = p.getLong();
      int kind = p.get();
      int status = p.get();
      int envelope = p.getInt();
      String service = string(p);
      String name = string(p);
      String tags = string(p);
      byte[] span = bytes(p);
      rows.add(
          new SpanRow(
              new TraceId(high, low),
              spanId,
              parent,
              service,
              name,
              kind,
              start,
              duration,
              status,
              tags,
              envelopes[envelope],
              span));
    }
    return new Batch(seq, rows);
  }

  private static byte[] bytes(ByteBuffer p) {
    byte[] out = new byte[p.getInt()];
    p.get(out);
    return out;
  }

  private static String string(ByteBuffer p) {
    int n = p.getInt();
    String s = new String(p.array(), p.position(), n, StandardCharsets.UTF_8);
    p.position(p.position() + n);
    return s;
  }
}
