package com.yumzoom.ops.errors;

import com.google.protobuf.InvalidProtocolBufferException;
import com.yumzoom.ops.store.SpanRow;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Occurrences from committed spans: every span event named {@code exception} becomes one, linked to
 * its trace, span and service.
 *
 * <p>{@link #accept} runs on the span group-commit thread, so it only hands the batch over (a
 * reference, no copy) to this extractor's own thread; when more than {@code maxPendingSpans} spans
 * are waiting, the batch is dropped and counted instead of slowing span ingest. The extractor skips
 * spans whose bytes do not contain {@code exception} at all without parsing them, so the cost per
 * span without an exception is one byte scan.
 */
public final class SpanErrorExtractor implements Consumer<List<SpanRow>>, AutoCloseable {

  static final int DEFAULT_MAX_PENDING_SPANS = 200_000;
  private static final Logger LOG = LoggerFactory.getLogger(SpanErrorExtractor.class);
  private static final byte[] NEEDLE = "exception".getBytes(StandardCharsets.US_ASCII);

  private final ErrorPipeline pipeline;
  private final int maxPendingSpans;
  private final LinkedBlockingQueue<List<SpanRow>> queue = new LinkedBlockingQueue<>();
  private final AtomicLong pending = new AtomicLong();
  private final LongAdder droppedSpans = new LongAdder();
  private final LongAdder extracted = new LongAdder();
  private final Thread worker;
  private volatile boolean running = true;

  SpanErrorExtractor(ErrorPipeline pipeline, int maxPendingSpans) {
    this.pipeline = pipeline;
    this.maxPendingSpans = maxPendingSpans;
    this.worker = Thread.ofPlatform().daemon().name("yumzoom-errors-spans").unstarted(this::run);
    worker.start();
  }

  @Override
  public void accept(List<SpanRow> rows) {
    if (!running || rows.isEmpty()) {
      return;
    }
    int n = rows.size();
    if (pending.addAndGet(n) > maxPendingSpans) {
      pending.addAndGet(-n);
      droppedSpans.add(n);
      return;
    }
    // the writer clears its list after the listener returns: keep our own reference list
    queue.add(List.copyOf(rows));
  }

  private void run() {
    while (running || !queue.isEmpty()) {
      List<SpanRow> rows;
      try {
        rows = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.interrupted();
        continue;
      }
      if (rows == null) {
        continue;
      }
      try {
        List<Occurrence> found = extract(rows);
        if (!found.isEmpty()) {
          extracted.add(found.size());
          pipeline.offer(found);
        }
      } catch (RuntimeException e) {
        LOG.warn("extracting errors from {} spans failed; continuing", rows.size(), e);
      } finally {
        pending.addAndGet(-rows.size());
      }
    }
  }

  /** The exception events of these spans. */
  static List<Occurrence> extract(List<SpanRow> rows) {
    List<Occurrence> out = new ArrayList<>();
    for (SpanRow row : rows) {
      if (!contains(row.span(), NEEDLE)) {
        continue;
      }
      Span span;
      try {
        span = Span.parseFrom(row.span());
      } catch (InvalidProtocolBufferException e) {
        continue;
      }
      OtlpExceptions.Resource resource = null;
      Map<String, String> tags = null;
      for (int i = 0; i < span.getEventsCount(); i++) {
        Span.Event ev = span.getEvents(i);
        if (!"exception".equals(ev.getName())) {
          continue;
        }
        Map<String, String> attributes = OtlpExceptions.strings(ev.getAttributesList());
        if (!OtlpExceptions.hasException(attributes)
            && !attributes.containsKey("exception.message")) {
          continue;
        }
        if (resource == null) {
          resource = resource(row);
          tags = tags(row, span);
        }
        long ts = ev.getTimeUnixNano() > 0 ? ev.getTimeUnixNano() : row.startEpochNanos();
        String traceId = row.traceId().toHex();
        String spanId = String.format("%016x", row.spanId());
        try {
          out.add(
              OtlpExceptions.occurrence(
                  attributes,
                  resource,
                  "otlp-span",
                  Math.max(1, ts / 1_000_000),
                  traceId,
                  spanId,
                  "error",
                  tags,
                  OtlpExceptions.occurrenceSeed(
                      traceId, spanId, attributes, traceId, spanId, Integer.toString(i))));
        } catch (IllegalArgumentException e) {
          LOG.debug("span event is not a usable exception: {}", e.getMessage());
        }
      }
    }
    return out;
  }

  /**
   * The span name as {@code transaction}, and the query of a database span (semantic conventions
   * {@code db.query.text}, formerly {@code db.statement}) so a database error's suggested fix can
   * show it.
   */
  private static Map<String, String> tags(SpanRow row, Span span) {
    Map<String, String> tags = new java.util.HashMap<>();
    tags.put("transaction", OtlpExceptions.cut(row.name(), Occurrence.MAX_TAG_VALUE));
    Map<String, String> attributes = OtlpExceptions.strings(span.getAttributesList());
    String query = attributes.getOrDefault("db.query.text", attributes.get("db.statement"));
    if (query != null && !query.isBlank()) {
      tags.put("db.statement", OtlpExceptions.cut(query, Occurrence.MAX_TAG_VALUE));
    }
    return tags;
  }

  private static OtlpExceptions.Resource resource(SpanRow row) {
    try {
      ResourceSpans rs = ResourceSpans.parseFrom(row.envelope());
      OtlpExceptions.Resource r = OtlpExceptions.Resource.of(rs.getResource().getAttributesList());
      return new OtlpExceptions.Resource(
          row.serviceName(), r.release(), r.environment(), r.platform());
    } catch (InvalidProtocolBufferException e) {
      return new OtlpExceptions.Resource(row.serviceName(), "", "", Platform.JAVA);
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0, end = haystack.length - needle.length; i <= end; i++) {
      if (haystack[i] != needle[0]) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Spans dropped because the extractor was behind. */
  public long droppedSpans() {
    return droppedSpans.sum();
  }

  public long extractedEvents() {
    return extracted.sum();
  }

  /** Extracts what is pending, then stops. Call before closing the pipeline. */
  @Override
  public void close() {
    running = false;
    boolean interrupted = false;
    while (worker.isAlive()) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
