package com.yumzoom.ops.bench;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import zipkin2.Span;
import zipkin2.codec.SpanBytesDecoder;

/**
 * The decode cost an ingest server pays per request: one 512-span request of the load generator's
 * traces, parsed from OTLP protobuf (what our server receives) and from Zipkin v2 JSON (what the
 * Zipkin server receives), in the same run.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar IngestDecodeBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class IngestDecodeBenchmark {

  private byte[] otlpProto;
  private byte[] zipkinJson;

  @Setup
  public void encode() {
    long now = System.currentTimeMillis() * 1_000_000L;
    List<List<SyntheticSpan>> traces =
        new TraceFactory(new SplittableRandom(1), now, 30_000_000_000L).nextBatch(512);
    otlpProto = RequestPool.template(RequestPool.Format.OTLP_PROTO, traces).body();
    zipkinJson = RequestPool.template(RequestPool.Format.ZIPKIN_JSON, traces).body();
  }

  @Benchmark
  public ExportTraceServiceRequest otlpProtoParse() throws Exception {
    return ExportTraceServiceRequest.parseFrom(otlpProto);
  }

  @Benchmark
  public List<Span> zipkinJsonDecode() {
    return SpanBytesDecoder.JSON_V2.decodeList(zipkinJson);
  }
}
