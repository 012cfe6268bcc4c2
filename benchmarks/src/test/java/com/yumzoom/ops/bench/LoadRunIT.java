package com.yumzoom.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The send loop against a real loopback server that rejects every third request with 429. */
class LoadRunIT {

  @Test
  void retriesRejectedRequestsUntilEverySpanIsAcknowledged() throws Exception {
    RequestPool pool =
        RequestPool.build(
            RequestPool.Format.OTLP_PROTO,
            3,
            512,
            new TraceFactory(new SplittableRandom(1), 1_795_000_000_000_000_000L, 1_000_000_000L));
    try (LoopbackSink sink = new LoopbackSink(3)) {
      LoadRun.Settings settings =
          new LoadRun.Settings(
              URI.create(sink.url("/v1/traces")),
              Duration.ZERO,
              Duration.ofMinutes(2), // a cap only: the run ends after totalSpans
              2,
              0,
              512 * 12,
              20,
              Duration.ofSeconds(5),
              100);
      LoadRun.Result result =
          new LoadRun(
                  pool,
                  settings,
                  LoadRun.httpClient(),
                  System::nanoTime,
                  17,
                  new PrintStream(OutputStream.nullOutputStream()))
              .run();

      assertThat(result.measured().okSpans.sum()).isEqualTo(512 * 12);
      assertThat(result.measured().okRequests.sum()).isEqualTo(12);
      assertThat(result.measured().rejected.sum()).isEqualTo(sink.requests() - 12).isPositive();
      assertThat(result.measured().failed.sum()).isZero();
      assertThat(result.measured().latencyMicros.getTotalCount()).isEqualTo(12);
      assertThat(result.errors()).isEmpty();
      assertThat(result.sample()).hasSize(12);
      assertThat(
              result.sample().stream()
                  .map(LoadRun.SentTrace::traceIdHex)
                  .collect(Collectors.toSet()))
          .hasSize(12)
          .allSatisfy(id -> assertThat(id).matches("[0-9a-f]{32}"));
    }
  }
}
