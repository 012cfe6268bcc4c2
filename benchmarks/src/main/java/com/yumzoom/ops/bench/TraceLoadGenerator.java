package com.yumzoom.ops.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trace ingest load generator: sends realistic traces in batches of 512 spans over OTLP/HTTP
 * protobuf or Zipkin v2 JSON, and reports the sustained acknowledged span rate and the
 * acknowledgement latency.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar com.yumzoom.ops.bench.TraceLoadGenerator \
 *     --format otlp-proto --url http://127.0.0.1:4318/v1/traces --duration 60s
 * </pre>
 */
@Command(
    name = "trace-load",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Sends realistic traces and reports sustained acknowledged spans/s.")
public final class TraceLoadGenerator implements Callable<Integer> {

  @Option(
      names = "--format",
      defaultValue = "otlp-proto",
      description = "otlp-proto (POST /v1/traces) or zipkin-json (POST /api/v2/spans).")
  String format;

  @Option(
      names = "--url",
      description =
          "Endpoint; default http://127.0.0.1:4318/v1/traces (otlp-proto) or"
              + " http://127.0.0.1:9411/api/v2/spans (zipkin-json).")
  URI url;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "Measured duration after the warmup (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Unmeasured sending before the measurement (default ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      description = "Requests in flight (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--target-rate",
      defaultValue = "0",
      description = "Cap in spans/s; 0 sends as fast as acknowledgements allow.")
  long targetRate;

  @Option(
      names = "--total-spans",
      defaultValue = "0",
      description = "Stop after sending this many spans (0: run for the duration).")
  long totalSpans;

  @Option(names = "--spans-per-request", defaultValue = "512")
  int spansPerRequest;

  @Option(
      names = "--pool-requests",
      defaultValue = "64",
      description = "Distinct prebuilt request bodies (default ${DEFAULT-VALUE}).")
  int poolRequests;

  @Option(names = "--seed", description = "Seed for the trace shapes (default: random).")
  Long seed;

  @Option(
      names = "--max-retries",
      defaultValue = "20",
      description = "Retries of one request answered 429/503 before it counts as dropped.")
  int maxRetries;

  @Option(
      names = "--trace-ids-out",
      description = "Write a sample of acknowledged trace ids here, for TraceQueryBenchmark.")
  Path traceIdsOut;

  @Option(names = "--trace-ids-count", defaultValue = "2000")
  int traceIdsCount;

  @Option(
      names = "--result-file",
      description = "Also write the figures as key=value lines (sourceable by bash).")
  Path resultFile;

  @Option(names = "--report-interval", defaultValue = "5s", converter = DurationConverter.class)
  Duration reportInterval;

  @Option(
      names = "--self-test",
      description =
          "Send to a built-in loopback sink that answers 200 at once, to show the generator's own"
              + " ceiling.")
  boolean selfTest;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TraceLoadGenerator()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    RequestPool.Format fmt = RequestPool.Format.parse(format);
    PrintStream out = System.out;
    long seedValue = seed != null ? seed : System.nanoTime();
    long buildStart = System.nanoTime();
    TraceFactory factory =
        new TraceFactory(
            new SplittableRandom(seedValue),
            System.currentTimeMillis() * 1_000_000L,
            Duration.ofSeconds(30).toNanos());
    RequestPool pool = RequestPool.build(fmt, poolRequests, spansPerRequest, factory);
    long bodyBytes = pool.templates().stream().mapToLong(t -> t.body().length).sum();
    out.printf(
        Locale.ROOT,
        "built %d requests x %d spans (%s, avg %,d bytes/request, %.0f bytes/span) in %.1f s%n",
        pool.size(),
        spansPerRequest,
        fmt.flag,
        bodyBytes / pool.size(),
        bodyBytes / (double) (pool.size() * (long) spansPerRequest),
        (System.nanoTime() - buildStart) / 1e9);

    LoopbackSink sink = selfTest ? new LoopbackSink(0) : null;
    try {
      URI target = target(fmt, sink);
      LoadRun.Settings settings =
          new LoadRun.Settings(
              target,
              warmup,
              duration,
              concurrency,
              targetRate,
              totalSpans,
              maxRetries,
              reportInterval,
              traceIdsOut == null ? 0 : traceIdsCount);
      out.printf(
          "sending to %s: warmup %ds, measure %ds, concurrency %d%s%s%n",
          target,
          warmup.toSeconds(),
          duration.toSeconds(),
          concurrency,
          targetRate > 0 ? ", capped at %,d spans/s".formatted(targetRate) : "",
          totalSpans > 0 ? ", at most %,d spans".formatted(totalSpans) : "");
      LoadRun.Result result =
          new LoadRun(
                  pool,
                  settings,
                  LoadRun.httpClient(),
                  System::nanoTime,
                  new SplittableRandom().nextLong(),
                  out)
              .run();
      report(out, fmt, target, result);
      if (sink != null) {
        out.printf(
            "sink received   %,d requests, %,d MB%n", sink.requests(), sink.bodyBytes() >> 20);
      }
      if (traceIdsOut != null) {
        writeTraceIds(traceIdsOut, result.sample());
        out.printf("wrote %d trace ids to %s%n", result.sample().size(), traceIdsOut);
      }
      if (resultFile != null) {
        Files.writeString(resultFile, resultLines(fmt, result), StandardCharsets.UTF_8);
      }
      return result.measured().okSpans.sum() > 0 ? 0 : 1;
    } finally {
      if (sink != null) {
        sink.close();
      }
    }
  }

  private URI target(RequestPool.Format fmt, LoopbackSink sink) {
    String path = fmt == RequestPool.Format.OTLP_PROTO ? "/v1/traces" : "/api/v2/spans";
    if (sink != null) {
      return URI.create(sink.url(path));
    }
    if (url != null) {
      return url;
    }
    return URI.create(
        fmt == RequestPool.Format.OTLP_PROTO
            ? "http://127.0.0.1:4318/v1/traces"
            : "http://127.0.0.1:9411/api/v2/spans");
  }

  private void report(PrintStream out, RequestPool.Format fmt, URI target, LoadRun.Result r) {
    LoadRun.Phase m = r.measured();
    Histogram h = m.latencyMicros;
    int cores = Runtime.getRuntime().availableProcessors();
    out.println();
    out.printf("== trace ingest: %s -> %s ==%n", fmt.flag, target);
    out.printf(Locale.ROOT, "measured        %.1f s%n", r.measuredSeconds());
    out.printf(
        Locale.ROOT,
        "acknowledged    %,d spans = %,.0f spans/s sustained%n",
        m.okSpans.sum(),
        r.spansPerSecond());
    out.printf(
        "requests        ok %,d  rejected 429/503 %,d  failed %,d  dropped spans %,d%n",
        m.okRequests.sum(), m.rejected.sum(), m.failed.sum(), m.dropped.sum());
    out.printf(
        Locale.ROOT,
        "ack latency ms  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getMaxValue() / 1e3);
    out.printf(
        Locale.ROOT,
        "bytes           %.1f MB/s sent%n",
        r.measuredSeconds() <= 0 ? 0 : m.okBytes.sum() / 1e6 / r.measuredSeconds());
    out.printf(
        Locale.ROOT,
        "client cpu      %.2f cores on average, of %d (this process%s)%n",
        r.measuredSeconds() <= 0 ? 0 : r.clientCpuSeconds() / r.measuredSeconds(),
        cores,
        selfTest ? ", sink included" : "");
    if (!r.errors().isEmpty()) {
      out.println("first errors:");
      r.errors().forEach(e -> out.println("  " + e));
    }
  }

  static String resultLines(RequestPool.Format fmt, LoadRun.Result r) {
    LoadRun.Phase m = r.measured();
    Histogram h = m.latencyMicros;
    List<String> lines = new ArrayList<>();
    lines.add("format=" + fmt.flag);
    lines.add("measured_seconds=" + fmt1(r.measuredSeconds()));
    lines.add("acked_spans=" + m.okSpans.sum());
    lines.add("spans_per_sec=" + Math.round(r.spansPerSecond()));
    lines.add("ok_requests=" + m.okRequests.sum());
    lines.add("rejected_requests=" + m.rejected.sum());
    lines.add("failed_requests=" + m.failed.sum());
    lines.add("dropped_spans=" + m.dropped.sum());
    lines.add("p50_ms=" + fmt1(h.getValueAtPercentile(50) / 1e3));
    lines.add("p90_ms=" + fmt1(h.getValueAtPercentile(90) / 1e3));
    lines.add("p99_ms=" + fmt1(h.getValueAtPercentile(99) / 1e3));
    lines.add("max_ms=" + fmt1(h.getMaxValue() / 1e3));
    lines.add(
        "client_cpu_cores="
            + fmt1(r.measuredSeconds() <= 0 ? 0 : r.clientCpuSeconds() / r.measuredSeconds()));
    return String.join("\n", lines) + "\n";
  }

  private static String fmt1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static void writeTraceIds(Path file, List<LoadRun.SentTrace> sample) throws IOException {
    List<String> lines = new ArrayList<>(sample.size() + 1);
    lines.add("# traceIdHex\tspanCount\trootService\trootName");
    for (LoadRun.SentTrace t : sample) {
      lines.add(
          t.traceIdHex() + "\t" + t.spanCount() + "\t" + t.rootService() + "\t" + t.rootName());
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
  }
}
