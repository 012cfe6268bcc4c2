package com.yumzoom.ops.errors;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Single-thread parse + fingerprint throughput and latency over the labelled corpus, and message
 * normalisation cost. A rough figure for sizing, not a benchmark (those belong in the benchmarks
 * module, under JMH).
 *
 * <pre>
 * java -cp server/target/test-classes:server/target/classes \
 *     com.yumzoom.ops.errors.GroupingThroughput [seconds]
 * </pre>
 */
public final class GroupingThroughput {

  private static volatile long blackhole;

  private GroupingThroughput() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    List<String> traces =
        new ErrorCorpus(1L)
            .generate(CorpusFaults.ALL, 20, 20).stream()
                .map(ErrorCorpus.Occurrence::stackTrace)
                .toList();
    List<String> messages =
        traces.stream().map(t -> StackTraceParser.parse(t).rootCause().message()).toList();
    Grouping grouping = Grouping.create(GroupingCorpusTest.RULES, List.of());
    long deadline = System.nanoTime() + (long) (seconds * 1e9) / 2;
    long[] latencies = new long[1 << 20];
    int n = 0;
    long start = System.nanoTime();
    while (System.nanoTime() < deadline) {
      for (String t : traces) {
        long t0 = System.nanoTime();
        blackhole += grouping.fingerprint(ErrorEvent.parse(t, Map.of())).hash().hashCode();
        latencies[n++ & (latencies.length - 1)] = System.nanoTime() - t0;
      }
    }
    double perSecond = n / ((System.nanoTime() - start) / 1e9);
    long[] sorted = Arrays.copyOf(latencies, Math.min(n, latencies.length));
    Arrays.sort(sorted);
    System.out.printf(
        "parse+fingerprint: %.0f events/s, p50 %.1f us, p99 %.1f us, max %.1f us (%d events)%n",
        perSecond,
        sorted[sorted.length / 2] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[sorted.length - 1] / 1e3,
        n);
    deadline = System.nanoTime() + (long) (seconds * 1e9) / 2;
    long count = 0;
    long chars = 0;
    start = System.nanoTime();
    while (System.nanoTime() < deadline) {
      for (String m : messages) {
        blackhole += MessageNormalizer.normalize(m).length();
        chars += m.length();
        count++;
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "normalize: %.0f messages/s, %.0f ns/message, %.0f MB/s of message text%n",
        count / elapsed, elapsed * 1e9 / count, chars / elapsed / 1e6);
  }
}
