package com.yumzoom.ops.bench.errors;

import com.yumzoom.ops.errors.Categorizer;
import com.yumzoom.ops.errors.ErrorEvent;
import com.yumzoom.ops.errors.ErrorTracking;
import com.yumzoom.ops.errors.Grouping;
import com.yumzoom.ops.errors.Occurrence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Error processing cost per event, in one run:
 *
 * <ul>
 *   <li>{@code group}: parse the printed stack trace, fingerprint ({@code grouping-v1}) and
 *       categorise, one event per operation (throughput and, with {@code -bm sample}, latency
 *       percentiles);
 *   <li>{@code naiveMessageHash}: the alternative the issue measures our grouping against, a hash
 *       of the raw message (fast, but splits every fault whose message carries data);
 *   <li>{@code storeBatch}: 500 events through the error store (grouping, issue lookup, one group
 *       commit to DuckDB on disk, acknowledged) per operation;
 *   <li>{@code storeOne}: one event per operation from 8 threads, acknowledged after its commit:
 *       the latency a client of {@code POST /api/errors/events} sees, without HTTP.
 * </ul>
 *
 * The events are Java (with cause chains), JavaScript (V8) and Python traces of 30 faults with
 * varying numbers, ids and line numbers, like production traffic.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ErrorGroupingBenchmark -bm thrpt -tu s
 * java -jar benchmarks/target/benchmarks.jar ErrorGroupingBenchmark -bm sample -tu us
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class ErrorGroupingBenchmark {

  static final int FAULTS = 30;
  static final int EVENTS = 4_096;
  static final int BATCH = 500;

  private final Grouping grouping = Grouping.defaults();
  private String[] traces;
  private final AtomicInteger next = new AtomicInteger();
  private Path dir;
  private ErrorTracking tracking;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    traces = new String[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      traces[i] = ErrorTraces.trace(random.nextInt(FAULTS), random);
    }
    dir = Files.createTempDirectory("errors-bench");
    tracking = ErrorTracking.open(dir, ErrorTracking.Settings.defaults(), Clock.systemUTC());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    tracking.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private String nextTrace() {
    return traces[next.getAndIncrement() & (EVENTS - 1)];
  }

  @Benchmark
  public Object group() {
    ErrorEvent event = ErrorEvent.parse(nextTrace(), Map.of());
    return new Object[] {grouping.fingerprint(event), Categorizer.categorize(event.trace())};
  }

  @Benchmark
  public int naiveMessageHash() {
    String t = nextTrace();
    int eol = t.indexOf('\n');
    return (eol < 0 ? t : t.substring(0, eol)).hashCode();
  }

  private Occurrence occurrence() {
    return new Occurrence(
        Occurrence.newId(),
        System.currentTimeMillis(),
        "api",
        ErrorEvent.parse(nextTrace(), Map.of("region", "eu")),
        "error",
        "",
        "",
        "bench",
        "user-" + (next.get() & 255),
        "{}",
        "{}",
        "1.0",
        "production");
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  @BenchmarkMode(Mode.Throughput)
  public Object storeBatch() {
    List<Occurrence> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      batch.add(occurrence());
    }
    return tracking.pipeline().submit(batch).join();
  }

  @Benchmark
  @Threads(8)
  public Object storeOne() {
    return tracking.pipeline().submit(List.of(occurrence())).join();
  }
}
