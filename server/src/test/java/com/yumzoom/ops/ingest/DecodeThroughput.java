package com.yumzoom.ops.ingest;

import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.codec.SpanBytesEncoder;

/**
 * Single-thread decode throughput for a 512-span batch with 20 attributes per span. A rough figure
 * for sizing, not a benchmark (those live in the benchmarks module, under JMH).
 *
 * <pre>
 * java -cp server/target/test-classes:server/target/classes:$CLASSPATH \
 *     com.yumzoom.ops.ingest.DecodeThroughput [seconds-per-case]
 * </pre>
 */
public final class DecodeThroughput {

  private static final int SPANS = 512;
  private static final int ATTRIBUTES = 20;

  private static volatile long blackhole;

  private DecodeThroughput() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    OtlpTraceDecoder otlp = new OtlpTraceDecoder(IngestLimits.DEFAULTS);
    ZipkinSpanDecoder zipkin = new ZipkinSpanDecoder(IngestLimits.DEFAULTS);
    ExportTraceServiceRequest request = OtlpTestData.batch(SPANS, ATTRIBUTES);
    byte[] protobuf = request.toByteArray();
    byte[] json = OtlpJson.print(request).getBytes(StandardCharsets.UTF_8);
    byte[] zipkinJson = zipkinBatch();
    System.out.printf(
        "batch: %d spans x %d attributes; protobuf %d bytes, OTLP/JSON %d bytes, Zipkin JSON %d"
            + " bytes%n",
        SPANS, ATTRIBUTES, protobuf.length, json.length, zipkinJson.length);

    run("protobuf bytes -> rows (HTTP and gRPC)", seconds, r -> decode(otlp, protobuf));
    run(
        "request object -> rows (after OTLP/JSON)",
        seconds,
        r -> otlp.decode(request).rows().size());
    run(
        "protobuf parse alone (for comparison)",
        seconds,
        r -> parse(protobuf).getResourceSpansCount() * (SPANS / 4));
    run("OTLP/JSON bytes -> rows", seconds, r -> otlp.decode(parseJson(json)).rows().size());
    run("Zipkin JSON bytes -> rows", seconds, r -> zipkin.decode(zipkinJson).rows().size());
    run(
        "Zipkin JSON parse alone (for comparison)",
        seconds,
        r -> zipkin2.codec.SpanBytesDecoder.JSON_V2.decodeList(zipkinJson).size());
  }

  private static void run(String name, double seconds, ToIntFunction<Void> batch) {
    long warmupEnd = System.nanoTime() + (long) (seconds * 0.5e9);
    long sink = 0;
    while (System.nanoTime() < warmupEnd) {
      sink += batch.applyAsInt(null);
    }
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long spans = 0;
    long batches = 0;
    long now;
    do {
      spans += batch.applyAsInt(null);
      batches++;
      now = System.nanoTime();
    } while (now < end);
    double elapsed = (now - start) / 1e9;
    System.out.printf(
        "%-44s %,10.0f spans/s  (%,.0f batches/s, %.3f ms/batch)%n",
        name, SPANS * batches / elapsed, batches / elapsed, elapsed * 1000 / batches);
    blackhole += sink + spans; // keeps the results alive
  }

  private static int decode(OtlpTraceDecoder decoder, byte[] bytes) {
    try {
      return decoder.decode(bytes).rows().size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ExportTraceServiceRequest parse(byte[] bytes) {
    try {
      return ExportTraceServiceRequest.parseFrom(bytes);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ExportTraceServiceRequest parseJson(byte[] bytes) {
    try {
      return OtlpJson.parse(bytes, ExportTraceServiceRequest.newBuilder()).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] zipkinBatch() {
    List<Span> spans = new ArrayList<>(SPANS);
    for (int i = 0; i < SPANS; i++) {
      Span.Builder b =
          Span.newBuilder()
              .traceId(String.format("%016x%016x", 0x5b8efff798038103L, 1000L + i / 8))
              .id(i + 1L)
              .parentId(i % 8 == 0 ? null : Long.toHexString(i))
              .kind(Span.Kind.SERVER)
              .name("get /api/v1/orders/{id}")
              .timestamp(1_700_000_000_000_000L + i)
              .duration(1500)
              .localEndpoint(Endpoint.newBuilder().serviceName("service-" + (i % 4)).build());
      for (int a = 0; a < ATTRIBUTES; a++) {
        b.putTag("app.attribute." + a, "value-" + a + "-" + i + "-lorem-ipsum-dolor");
      }
      spans.add(b.build());
    }
    return SpanBytesEncoder.JSON_V2.encodeList(spans);
  }
}
