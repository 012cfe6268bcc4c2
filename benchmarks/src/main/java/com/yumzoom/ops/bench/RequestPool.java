package com.yumzoom.ops.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Request bodies built before the run, so that generating spans never limits the send rate.
 *
 * <p>Design: building and encoding 512 realistic spans costs milliseconds, much more than sending
 * them over loopback. So a pool of templates is encoded up front, and each send copies a template
 * into the sender's buffer and overwrites the high 8 bytes of every trace id with a value unique to
 * that send (a counter through the SplitMix64 finalizer, a bijection, so distinct sends never share
 * it). The low 8 bytes stay the template's, distinct between the traces of a template. Fresh trace
 * ids therefore cost one memcpy per request. The id positions are found once per template by
 * looking the template's own ids up in its encoded bytes, and checked: every span of every trace
 * must be found exactly once.
 */
final class RequestPool {

  enum Format {
    OTLP_PROTO("otlp-proto", "application/x-protobuf"),
    ZIPKIN_JSON("zipkin-json", "application/json");

    final String flag;
    final String contentType;

    Format(String flag, String contentType) {
      this.flag = flag;
      this.contentType = contentType;
    }

    static Format parse(String flag) {
      for (Format f : values()) {
        if (f.flag.equals(flag)) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "format must be otlp-proto or zipkin-json, got '" + flag + "'");
    }
  }

  /** What the query benchmark needs to know about a trace that was sent. */
  record SampleTrace(long traceIdLow, int spanCount, String rootService, String rootName) {}

  /** One encoded request and where its trace ids sit. */
  record Template(byte[] body, int[] idOffsets, List<SampleTrace> traces, int spanCount) {}

  private static final byte[] JSON_TRACE_ID = "\"traceId\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final Format format;
  private final List<Template> templates;
  private final int maxBodyLength;

  private RequestPool(Format format, List<Template> templates) {
    this.format = format;
    this.templates = List.copyOf(templates);
    this.maxBodyLength = templates.stream().mapToInt(t -> t.body().length).max().orElse(0);
  }

  static RequestPool build(Format format, int requests, int spansPerRequest, TraceFactory factory) {
    if (requests < 1) {
      throw new IllegalArgumentException("pool.requests must be at least 1, got " + requests);
    }
    List<Template> templates = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      templates.add(template(format, factory.nextBatch(spansPerRequest)));
    }
    return new RequestPool(format, templates);
  }

  static Template template(Format format, List<List<SyntheticSpan>> traces) {
    List<SyntheticSpan> spans = traces.stream().flatMap(List::stream).toList();
    byte[] body =
        switch (format) {
          case OTLP_PROTO -> OtlpRequests.request(spans).toByteArray();
          case ZIPKIN_JSON -> ZipkinRequests.encode(spans);
        };
    Map<Long, Integer> byHigh = new HashMap<>();
    long[] lows = new long[traces.size()];
    List<SampleTrace> samples = new ArrayList<>(traces.size());
    for (int i = 0; i < traces.size(); i++) {
      List<SyntheticSpan> trace = traces.get(i);
      ByteBuffer id = ByteBuffer.wrap(trace.getFirst().traceId());
      if (byHigh.put(id.getLong(0), i) != null) {
        throw new IllegalStateException("two traces of one template share a trace id prefix");
      }
      lows[i] = id.getLong(8);
      SyntheticSpan root = trace.getFirst();
      samples.add(new SampleTrace(lows[i], trace.size(), root.instance().service(), root.name()));
    }
    int[] found = new int[traces.size()];
    int[] offsets =
        switch (format) {
          case OTLP_PROTO -> findBinary(body, byHigh, lows, found);
          case ZIPKIN_JSON -> findHex(body, byHigh, lows, found);
        };
    for (int i = 0; i < traces.size(); i++) {
      if (found[i] != traces.get(i).size()) {
        throw new IllegalStateException(
            "trace "
                + i
                + " has "
                + traces.get(i).size()
                + " spans but its id was found "
                + found[i]
                + " times in the encoded request");
      }
    }
    return new Template(body, offsets, List.copyOf(samples), spans.size());
  }

  private static int[] findBinary(
      byte[] body, Map<Long, Integer> byHigh, long[] lows, int[] found) {
    ByteBuffer buf = ByteBuffer.wrap(body);
    List<Integer> offsets = new ArrayList<>();
    for (int i = 0; i + 16 <= body.length; i++) {
      Integer trace = byHigh.get(buf.getLong(i));
      if (trace != null && buf.getLong(i + 8) == lows[trace]) {
        offsets.add(i);
        found[trace]++;
        i += 15;
      }
    }
    return offsets.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] findHex(byte[] body, Map<Long, Integer> byHigh, long[] lows, int[] found) {
    List<Integer> offsets = new ArrayList<>();
    for (int i = indexOf(body, JSON_TRACE_ID, 0); i >= 0; i = indexOf(body, JSON_TRACE_ID, i)) {
      int at = i + JSON_TRACE_ID.length;
      long high = Long.parseUnsignedLong(new String(body, at, 16, StandardCharsets.US_ASCII), 16);
      long low =
          Long.parseUnsignedLong(new String(body, at + 16, 16, StandardCharsets.US_ASCII), 16);
      Integer trace = byHigh.get(high);
      if (trace != null && lows[trace] == low) {
        offsets.add(at);
        found[trace]++;
      }
      i = at + 32;
    }
    return offsets.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  Format format() {
    return format;
  }

  int size() {
    return templates.size();
  }

  Template template(long sequence) {
    return templates.get((int) Long.remainderUnsigned(sequence, templates.size()));
  }

  List<Template> templates() {
    return templates;
  }

  /** A buffer large enough for every template. */
  byte[] newBuffer() {
    return new byte[maxBodyLength];
  }

  /** Copies {@code t} into {@code dst} with {@code traceIdHigh} in every trace id; its length. */
  int patch(Template t, long traceIdHigh, byte[] dst) {
    byte[] body = t.body();
    System.arraycopy(body, 0, dst, 0, body.length);
    if (format == Format.OTLP_PROTO) {
      for (int at : t.idOffsets()) {
        for (int k = 7; k >= 0; k--) {
          dst[at + 7 - k] = (byte) (traceIdHigh >>> (8 * k));
        }
      }
    } else {
      for (int at : t.idOffsets()) {
        for (int k = 15; k >= 0; k--) {
          dst[at + 15 - k] = HEX_DIGITS[(int) (traceIdHigh >>> (4 * k)) & 0xf];
        }
      }
    }
    return body.length;
  }

  /** The trace-id high half of send number {@code sequence} of a run salted with {@code salt}. */
  static long traceIdHigh(long salt, long sequence) {
    long z = salt + sequence * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return z == 0 ? 1 : z;
  }

  static String traceIdHex(long high, long low) {
    return "%016x%016x".formatted(high, low);
  }
}
