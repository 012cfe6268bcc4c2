package com.yumzoom.ops.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Sends the pool's requests from {@code concurrency} virtual threads, each with one request in
 * flight (a closed loop, like an OpenTelemetry Collector's exporter queue with that many
 * consumers), optionally paced to a span rate.
 *
 * <p>A request counts in the warmup or the measurement by the time its acknowledgement arrived; the
 * measurement ends when the last in-flight request completes, so the rate is acknowledged spans
 * over the time it really took. 429 and 503 are overload signals: the sender waits for Retry-After
 * (or an exponential backoff) and sends the same body again, as OTLP exporters do; other statuses
 * and I/O errors are failures and are not retried.
 */
final class LoadRun {

  record Settings(
      URI url,
      Duration warmup,
      Duration duration,
      int concurrency,
      long targetSpansPerSecond,
      long totalSpans,
      int maxRetries,
      Duration reportInterval,
      int sampleSize) {

    Settings {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
      }
      if (targetSpansPerSecond < 0 || totalSpans < 0 || maxRetries < 0 || sampleSize < 0) {
        throw new IllegalArgumentException(
            "target-rate, total-spans, max-retries and trace-ids-count must not be negative");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive, got " + duration);
      }
    }
  }

  /** Counts of one phase. Latencies in microseconds. */
  static final class Phase {
    final LongAdder okRequests = new LongAdder();
    final LongAdder okSpans = new LongAdder();
    final LongAdder okBytes = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final Histogram latencyMicros = new ConcurrentHistogram(3);
  }

  record SentTrace(String traceIdHex, int spanCount, String rootService, String rootName) {}

  record Result(
      Phase measured,
      Phase warmup,
      double measuredSeconds,
      double clientCpuSeconds,
      List<String> errors,
      List<SentTrace> sample) {

    double spansPerSecond() {
      return measuredSeconds <= 0 ? 0 : measured.okSpans.sum() / measuredSeconds;
    }
  }

  private final RequestPool pool;
  private final Settings settings;
  private final HttpClient client;
  private final LongSupplier nanoTime;
  private final PrintStream progress;
  private final long salt;

  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong claimedSpans = new AtomicLong();
  private final AtomicLong lastCompletion = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final AtomicInteger errorCount = new AtomicInteger();
  private final Reservoir reservoir;
  private final Phase warmup = new Phase();
  private final Phase measured = new Phase();
  private volatile long measureStart;
  private volatile long deadline;
  private volatile long nextSlot;

  LoadRun(
      RequestPool pool,
      Settings settings,
      HttpClient client,
      LongSupplier nanoTime,
      long salt,
      PrintStream progress) {
    this.pool = pool;
    this.settings = settings;
    this.client = client;
    this.nanoTime = nanoTime;
    this.salt = salt;
    this.progress = progress;
    this.reservoir = new Reservoir(settings.sampleSize());
  }

  static HttpClient httpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  Result run() throws InterruptedException {
    long start = nanoTime.getAsLong();
    measureStart = start + settings.warmup().toNanos();
    deadline = measureStart + settings.duration().toNanos();
    nextSlot = start;
    lastCompletion.set(measureStart);
    long cpuAtMeasureStart = settings.warmup().isZero() ? processCpuNanos() : -1;
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < settings.concurrency(); i++) {
        workers.submit(this::sendLoop);
      }
      workers.shutdown();
      long lastReport = start;
      long lastSpans = 0;
      long interval = settings.reportInterval().toNanos();
      while (!workers.awaitTermination(Math.min(interval, 1_000_000_000L), TimeUnit.NANOSECONDS)) {
        long now = nanoTime.getAsLong();
        if (cpuAtMeasureStart < 0 && now >= measureStart) {
          cpuAtMeasureStart = processCpuNanos();
        }
        if (now - lastReport >= interval) {
          long spans = warmup.okSpans.sum() + measured.okSpans.sum();
          progress.printf(
              "  t=%5.1fs %s acked %,12d spans  %,10.0f spans/s  rejected %,d  failed %,d  in flight %d%n",
              (now - start) / 1e9,
              now < measureStart ? "warmup " : "measure",
              spans,
              (spans - lastSpans) / ((now - lastReport) / 1e9),
              warmup.rejected.sum() + measured.rejected.sum(),
              warmup.failed.sum() + measured.failed.sum(),
              inFlight.get());
          lastReport = now;
          lastSpans = spans;
        }
      }
    }
    if (cpuAtMeasureStart < 0) {
      cpuAtMeasureStart = processCpuNanos();
    }
    double cpu = (processCpuNanos() - cpuAtMeasureStart) / 1e9;
    double seconds = Math.max(0, lastCompletion.get() - measureStart) / 1e9;
    return new Result(measured, warmup, seconds, cpu, List.copyOf(errors), reservoir.snapshot());
  }

  private void sendLoop() {
    // One buffer per sender, reused: the send is synchronous and a 2xx/429/503 response comes
    // after the whole body was read, so the buffer is free again when send() returns. Allocating
    // 400 KB per request instead would make the generator's own GC a factor.
    byte[] buffer = pool.newBuffer();
    while (true) {
      if (nanoTime.getAsLong() >= deadline) {
        return;
      }
      long seq = sequence.getAndIncrement();
      RequestPool.Template template = pool.template(seq);
      if (settings.totalSpans() > 0
          && claimedSpans.addAndGet(template.spanCount()) > settings.totalSpans()) {
        return;
      }
      pace(template.spanCount());
      long high = RequestPool.traceIdHigh(salt, seq);
      int length = pool.patch(template, high, buffer);
      HttpRequest request =
          HttpRequest.newBuilder(settings.url())
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", pool.format().contentType)
              .POST(HttpRequest.BodyPublishers.ofByteArray(buffer, 0, length))
              .build();
      send(request, template, high, length);
    }
  }

  private void send(HttpRequest request, RequestPool.Template template, long high, int length) {
    for (int attempt = 0; ; attempt++) {
      long t0 = nanoTime.getAsLong();
      inFlight.incrementAndGet();
      HttpResponse<byte[]> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        long t1 = completed();
        phase(t1).failed.increment();
        error("I/O error: " + e);
        LockSupport.parkNanos(backoffNanos(attempt)); // do not spin while the server is down
        return;
      } catch (InterruptedException e) {
        inFlight.decrementAndGet();
        Thread.currentThread().interrupt();
        return;
      }
      long t1 = completed();
      Phase phase = phase(t1);
      int status = response.statusCode();
      if (status / 100 == 2) {
        phase.okRequests.increment();
        phase.okSpans.add(template.spanCount());
        phase.okBytes.add(length);
        phase.latencyMicros.recordValue(Math.max(1, (t1 - t0) / 1_000));
        RequestPool.SampleTrace t =
            template.traces().get(ThreadLocalRandom.current().nextInt(template.traces().size()));
        reservoir.offer(
            new SentTrace(
                RequestPool.traceIdHex(high, t.traceIdLow()),
                t.spanCount(),
                t.rootService(),
                t.rootName()));
        return;
      }
      if (status == 429 || status == 503) {
        phase.rejected.increment();
        if (attempt >= settings.maxRetries() || t1 >= deadline) {
          phase.dropped.add(template.spanCount());
          return;
        }
        long wait = retryAfterNanos(response).orElse(backoffNanos(attempt));
        LockSupport.parkNanos(Math.min(wait, Math.max(0, deadline - t1)));
        continue;
      }
      phase.failed.increment();
      error(
          "HTTP "
              + status
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8)
                  .substring(0, Math.min(300, response.body().length)));
      return;
    }
  }

  private long completed() {
    long t = nanoTime.getAsLong();
    inFlight.decrementAndGet();
    lastCompletion.accumulateAndGet(t, Math::max);
    return t;
  }

  private Phase phase(long completedAt) {
    return completedAt < measureStart ? warmup : measured;
  }

  /** Claims the next send slot of a fixed-rate schedule and waits for it. */
  private void pace(int spans) {
    if (settings.targetSpansPerSecond() <= 0) {
      return;
    }
    long interval = spans * 1_000_000_000L / settings.targetSpansPerSecond();
    long slot;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      // After a stall (server slow, retries) start again from now rather than bursting to catch up.
      slot = Math.max(nextSlot, now - interval);
      nextSlot = slot + interval;
    }
    long wait = slot - nanoTime.getAsLong();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private static long backoffNanos(int attempt) {
    return Math.min(5_000_000_000L, 100_000_000L << Math.min(attempt, 6));
  }

  private static Optional<Long> retryAfterNanos(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .flatMap(
            v -> {
              try {
                return Optional.of(Math.max(0, Long.parseLong(v.trim())) * 1_000_000_000L);
              } catch (NumberFormatException e) {
                return Optional.empty(); // an HTTP date; fall back to our own backoff
              }
            });
  }

  private void error(String message) {
    if (errorCount.incrementAndGet() <= 10) {
      errors.add(message);
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** Uniform sample of acknowledged traces (algorithm R). */
  static final class Reservoir {
    private final int capacity;
    private final List<SentTrace> items;
    private final ReentrantLock lock = new ReentrantLock();
    private long seen;

    Reservoir(int capacity) {
      this.capacity = capacity;
      this.items = new ArrayList<>(capacity);
    }

    void offer(SentTrace t) {
      if (capacity == 0) {
        return;
      }
      lock.lock();
      try {
        seen++;
        if (items.size() < capacity) {
          items.add(t);
        } else {
          long j = ThreadLocalRandom.current().nextLong(seen);
          if (j < capacity) {
            items.set((int) j, t);
          }
        }
      } finally {
        lock.unlock();
      }
    }

    List<SentTrace> snapshot() {
      lock.lock();
      try {
        return List.copyOf(items);
      } finally {
        lock.unlock();
      }
    }
  }
}
