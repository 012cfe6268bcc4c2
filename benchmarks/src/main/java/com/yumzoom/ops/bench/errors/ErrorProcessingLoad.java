package com.yumzoom.ops.bench.errors;

import com.sun.management.OperatingSystemMXBean;
import com.yumzoom.ops.errors.Categorizer;
import com.yumzoom.ops.errors.ErrorEvent;
import com.yumzoom.ops.errors.ErrorTracking;
import com.yumzoom.ops.errors.Grouping;
import com.yumzoom.ops.errors.Occurrence;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Error processing measured in CPU time as well as wall time, because on a shared machine wall time
 * mostly measures the neighbours: per event, the CPU that parse + fingerprint + categorise costs,
 * and the CPU of the whole process (callers, the single writer, DuckDB's threads, GC) to store
 * events through the error store in batches; plus events/s and submit-to-acknowledge latency.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Xmx1g -cp benchmarks/target/benchmarks.jar \
 *     com.yumzoom.ops.bench.errors.ErrorProcessingLoad [rounds=10] [batch=500]
 * </pre>
 */
public final class ErrorProcessingLoad {

  private static volatile long sink;

  private ErrorProcessingLoad() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    String[] traces = ErrorTraces.sample(4096, 7);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    Grouping grouping = Grouping.defaults();
    for (int round = 0; round < rounds; round++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      int n = 20_000;
      for (int i = 0; i < n; i++) {
        ErrorEvent e = ErrorEvent.parse(traces[i & 4095], Map.of());
        sink +=
            grouping.fingerprint(e).hash().hashCode() + Categorizer.categorize(e.trace()).ordinal();
      }
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      System.out.printf(
          "group  round %d: %.1f us CPU/event = %.0f events per CPU-second; wall %.0f events/s%n",
          round, cpu / 1e3 / n, n / (cpu / 1e9), n / (wall / 1e9));
    }

    Path dir = Files.createTempDirectory("errors-load");
    try (ErrorTracking tracking =
        ErrorTracking.open(dir, ErrorTracking.Settings.defaults(), Clock.systemUTC())) {
      int k = 0;
      for (int round = 0; round < rounds; round++) {
        long proc0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        int n = 0;
        long[] latencies = new long[Math.max(1, 4000 / batch)];
        for (int b = 0; b < latencies.length; b++) {
          List<Occurrence> list = new ArrayList<>(batch);
          for (int i = 0; i < batch; i++) {
            list.add(
                new Occurrence(
                    Occurrence.newId(),
                    System.currentTimeMillis(),
                    "api",
                    ErrorEvent.parse(traces[k++ & 4095], Map.of("region", "eu")),
                    "error",
                    "",
                    "",
                    "load",
                    "user-" + (k & 255),
                    "{}",
                    "{}",
                    "1.0",
                    "production"));
          }
          long t0 = System.nanoTime();
          tracking.pipeline().submit(list).join();
          latencies[b] = System.nanoTime() - t0;
          n += batch;
        }
        long proc = os.getProcessCpuTime() - proc0;
        long wall = System.nanoTime() - wall0;
        Arrays.sort(latencies);
        System.out.printf(
            "store  round %d (batch %d): %.1f us process CPU/event = %.0f events per CPU-second;"
                + " wall %.0f events/s; submit p50 %.1f ms, p99 %.1f ms%n",
            round,
            batch,
            proc / 1e3 / n,
            n / (proc / 1e9),
            n / (wall / 1e9),
            latencies[latencies.length / 2] / 1e6,
            latencies[(int) (latencies.length * 0.99)] / 1e6);
      }
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
