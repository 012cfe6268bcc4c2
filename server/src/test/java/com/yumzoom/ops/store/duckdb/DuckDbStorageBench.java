package com.yumzoom.ops.store.duckdb;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TestSpans;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.TraceQuery;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Load figures for the DuckDB backend alone (not a test): write throughput through the real
 * consumer, bytes per span on disk, and read latencies at the resulting size.
 *
 * <pre>
 * ./mvnw -B -o -q -pl server test-compile
 * java -Xmx4g --enable-native-access=ALL-UNNAMED \
 *   -cp "server/target/test-classes:server/target/classes:$(cat cp.txt)" \
 *   com.yumzoom.ops.store.duckdb.DuckDbStorageBench [spans=3000000] [batch=10000] [dir=tmp]
 * </pre>
 *
 * (cp.txt from {@code ./mvnw -pl server dependency:build-classpath -Dmdep.outputFile=cp.txt
 * -Dmdep.includeScope=test}). Traffic comes from {@link TestSpans.Generator}: 3 to 14 spans per
 * trace, 10 to 30 attributes per span. A pool of batches is generated once and replayed with fresh
 * trace ids and later timestamps, so the generator's cost stays out of the figures.
 */
public final class DuckDbStorageBench {

  private static final long GAP_NANOS = 10_000_000L; // 10 ms between traces at generation

  private DuckDbStorageBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    long total = Long.parseLong(opts.getOrDefault("spans", "3000000"));
    int batchSize = Integer.parseInt(opts.getOrDefault("batch", "10000"));
    String threshold =
        opts.getOrDefault("checkpoint", DuckDbStorage.Options.DEFAULTS.checkpointThreshold());
    Path dir =
        opts.containsKey("dir")
            ? Path.of(opts.get("dir"))
            : Files.createTempDirectory("yumzoom-bench");

    System.out.printf("generating a pool of %d-span batches...%n", batchSize);
    TestSpans.Generator generator = new TestSpans.Generator(7, TestSpans.BASE);
    List<List<SpanRow>> pool = new ArrayList<>();
    int poolSpans = 0;
    long spanBytes = 0;
    while (poolSpans < 200_000) {
      List<SpanRow> batch = generator.batch(batchSize, GAP_NANOS);
      pool.add(batch);
      poolSpans += batch.size();
      spanBytes += batch.stream().mapToLong(r -> r.span().length).sum();
    }
    long poolNanos = pool.getLast().getLast().startEpochNanos() - TestSpans.BASE + GAP_NANOS;
    System.out.printf(
        "pool: %d spans, span payload %d bytes on average, tags %d chars%n",
        poolSpans,
        spanBytes / poolSpans,
        pool.getFirst().stream().mapToInt(r -> r.tags().length()).sum() / pool.getFirst().size());

    // mode=direct: every batch is its own DuckDB transaction (the default path), for a
    // same-session comparison; mode=log: span log + head + row-group flushes
    boolean direct = opts.getOrDefault("mode", "log").equals("direct");
    DuckDbStorage.SpanLogOptions d = DuckDbStorage.SpanLogOptions.DEFAULTS;
    DuckDbStorage.Options options =
        new DuckDbStorage.Options(
            DuckDbStorage.Options.DEFAULTS.memoryLimit(),
            DuckDbStorage.Options.DEFAULTS.threads(),
            threshold,
            DuckDbStorage.Options.DEFAULTS.readers(),
            new DuckDbStorage.SpanLogOptions(
                d.segmentBytes(),
                d.flushRows(),
                d.flushAge(),
                d.headMaxRows(),
                d.headMaxBytes(),
                d.fullWait(),
                !direct));
    SplittableRandom random = new SplittableRandom(1);
    List<TraceId> sample = new ArrayList<>();
    long written = 0;
    List<Long> latencies = new ArrayList<>();
    long nanos = 0;
    long overloads = 0;
    long cpu0 = processCpu();
    long io0 = diskWrites();
    System.out.println("mode: " + (direct ? "direct (one DuckDB transaction per batch)" : "log"));
    try (DuckDbStorage storage = DuckDbStorage.open(dir, options)) {
      com.yumzoom.ops.store.SpanConsumer consumer = storage.spanConsumer();
      long wall0 = System.nanoTime();
      for (int cycle = 0; written < total; cycle++) {
        for (List<SpanRow> template : pool) {
          List<SpanRow> batch = remap(template, cycle, poolNanos);
          long t0 = System.nanoTime();
          while (true) {
            try {
              consumer.accept(batch);
              break;
            } catch (com.yumzoom.ops.pipeline.OverloadedException e) {
              // what a client does on 429: retry the same batch (accept already waited)
              overloads++;
            }
          }
          long took = System.nanoTime() - t0;
          latencies.add(took);
          nanos += took;
          written += batch.size();
          if (random.nextInt(20) == 0 || sample.isEmpty()) {
            sample.add(batch.get(random.nextInt(batch.size())).traceId());
          }
          if (written >= total) {
            break;
          }
        }
        System.out.printf(
            "  %,d spans, %.0f spans/s so far%n",
            written, written / ((System.nanoTime() - wall0) / 1e9));
      }
      // the run ends when DuckDB holds everything, so the flusher's work counts
      long drain0 = System.nanoTime();
      storage.flushHead();
      System.out.printf(
          "drained the head in %.1f s; %d flushes in the run%n",
          (System.nanoTime() - drain0) / 1e9, storage.flushCount());
      long wall = System.nanoTime() - wall0;
      double cpu = (processCpu() - cpu0) / 1e9;
      var threads = ManagementFactory.getThreadMXBean();
      for (long id : threads.getAllThreadIds()) {
        var info = threads.getThreadInfo(id);
        long threadCpu = threads.getThreadCpuTime(id);
        if (info != null && threadCpu > 1_000_000_000L) {
          System.out.printf("  thread %s: %.1f CPU-s%n", info.getThreadName(), threadCpu / 1e9);
        }
      }
      System.out.printf("  process: %.1f CPU-s%n", cpu);
      long io = diskWrites() - io0;
      long t0 = System.nanoTime();
      storage.checkpoint();
      long checkpointNanos = System.nanoTime() - t0;
      double cpuWithCheckpoint = (processCpu() - cpu0) / 1e9;
      System.out.printf(
          "including the final checkpoint: %.0f spans per process CPU-second%n",
          written / cpuWithCheckpoint);
      long fileBytes = Files.size(storage.file());
      System.out.printf(
          "write: %,d spans in %.1f s = %.0f spans/s (in accept: %.0f spans/s; %.0f spans per"
              + " process CPU-second)%n",
          written, wall / 1e9, written / (wall / 1e9), written / (nanos / 1e9), written / cpu);
      System.out.printf("overloaded (head full) and retried: %d times%n", overloads);
      System.out.printf(
          "accept latency per %d-span batch: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
          batchSize, pct(latencies, 0.5), pct(latencies, 0.99), pct(latencies, 1.0));
      System.out.printf(
          "written to disk while writing (span log + WAL + database file): %.0f bytes/span%n",
          io / (double) written);
      System.out.printf(
          "final checkpoint %.1f s; file %,d bytes = %.0f bytes/span%n",
          checkpointNanos / 1e9, fileBytes, fileBytes / (double) written);

      long end = TestSpans.BASE + (written / poolSpans + 1) * poolNanos;
      long lastHour = end - TestSpans.HOUR;
      var store = storage.spanStore();
      time("trace by id", 200, () -> store.trace(sample.get(random.nextInt(sample.size()))));
      time(
          "search service=checkout, last hour, limit 20",
          50,
          () -> store.search(query("checkout", Map.of(), lastHour, end)));
      time(
          "search tag http.route=/api/cart + error, last hour",
          50,
          () ->
              store.search(
                  new TraceQuery(
                      null,
                      null,
                      Map.of("http.route", "/api/cart"),
                      0,
                      Long.MAX_VALUE,
                      true,
                      lastHour,
                      end,
                      20)));
      time(
          "search tag user.id=u-4242, whole range",
          20,
          () -> store.search(query(null, Map.of("user.id", "u-4242"), TestSpans.BASE, end)));
      time(
          "search minDuration 300ms, whole range",
          20,
          () ->
              store.search(
                  new TraceQuery(
                      null,
                      null,
                      Map.of(),
                      300 * TestSpans.MS,
                      Long.MAX_VALUE,
                      false,
                      TestSpans.BASE,
                      end,
                      20)));
      time(
          "operationStats per operation, last hour",
          20,
          () -> store.operationStats(null, true, lastHour, end));
      time(
          "operationStats per service, whole range",
          5,
          () -> store.operationStats(null, false, TestSpans.BASE, end));
      time("tagKeys, whole range", 20, () -> store.tagKeys(TestSpans.BASE, end));
      time(
          "tagValues http.route, whole range",
          20,
          () -> store.tagValues("http.route", TestSpans.BASE, end, 100));
      time("serviceNames", 20, store::serviceNames);
      time("spanCount", 20, store::spanCount);
    }
    if (!opts.containsKey("dir")) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static TraceQuery query(String service, Map<String, String> tags, long start, long end) {
    return new TraceQuery(service, null, tags, 0, Long.MAX_VALUE, false, start, end, 20);
  }

  /** The template batch with ids unique to this cycle and times shifted past earlier cycles. */
  private static List<SpanRow> remap(List<SpanRow> template, int cycle, long poolNanos) {
    if (cycle == 0) {
      return template;
    }
    long shift = cycle * poolNanos;
    long salt = cycle * 0x9E3779B97F4A7C15L;
    List<SpanRow> out = new ArrayList<>(template.size());
    for (SpanRow r : template) {
      out.add(
          new SpanRow(
              new TraceId(r.traceId().high() ^ salt, r.traceId().low()),
              r.spanId(),
              r.parentSpanId(),
              r.serviceName(),
              r.name(),
              r.kind(),
              r.startEpochNanos() + shift,
              r.durationNanos(),
              r.statusCode(),
              r.tags(),
              r.envelope(),
              r.span()));
    }
    return out;
  }

  private static void time(String what, int runs, Supplier<?> query) {
    query.get(); // warm
    long[] took = new long[runs];
    Object last = null;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      last = query.get();
      took[i] = System.nanoTime() - t0;
    }
    Arrays.sort(took);
    int size = last instanceof List<?> l ? l.size() : -1;
    System.out.printf(
        "%-52s p50 %7.1f ms  p95 %7.1f ms  p99 %7.1f ms  (%d runs, %s results)%n",
        what,
        took[runs / 2] / 1e6,
        took[(int) Math.min(runs - 1, Math.ceil(runs * 0.95) - 1)] / 1e6,
        took[(int) Math.min(runs - 1, Math.ceil(runs * 0.99) - 1)] / 1e6,
        runs,
        size < 0 ? String.valueOf(last) : String.valueOf(size));
  }

  private static double pct(List<Long> values, double q) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i] / 1e6;
  }

  /** Bytes this process caused to be written to storage, from Linux's /proc/self/io. */
  private static long diskWrites() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring("write_bytes:".length()).trim());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: report 0
    }
    return 0;
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
