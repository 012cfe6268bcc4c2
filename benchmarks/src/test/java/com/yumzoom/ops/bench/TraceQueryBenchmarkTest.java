package com.yumzoom.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TraceQueryBenchmarkTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void countsSpansOfATempoTraceAndAZipkinTrace() throws Exception {
    String tempo =
        """
        {"batches":[
          {"resource":{},"scopeSpans":[{"spans":[{"spanId":"a"},{"spanId":"b"}]},{"spans":[{}]}]},
          {"resource":{},"scopeSpans":[{"spans":[{"spanId":"c"}]}]}]}
        """;
    assertThat(
            TraceQueryBenchmark.countSpans(MAPPER.readTree(tempo), TraceQueryBenchmark.Api.TEMPO))
        .isEqualTo(4);
    assertThat(
            TraceQueryBenchmark.countSpans(
                MAPPER.readTree("[{\"id\":\"1\"},{\"id\":\"2\"}]"), TraceQueryBenchmark.Api.ZIPKIN))
        .isEqualTo(2);
  }

  @Test
  void tempoSearchesAreLogfmtOverTheWindow() {
    TraceQueryBenchmark.QueryMaker maker =
        new TraceQueryBenchmark.QueryMaker(
            TraceQueryBenchmark.Api.TEMPO, new SplittableRandom(3), 1000, 4600, 20);
    String service = maker.search(new TraceQueryBenchmark.Kind("s"), 0).pathAndQuery();
    assertThat(service)
        .matches("/api/search\\?tags=service\\.name%3D%22[a-z-]+%22&limit=20&start=1000&end=4600");
    String duration = maker.search(new TraceQueryBenchmark.Kind("d"), 2).pathAndQuery();
    assertThat(duration).contains("&minDuration=").contains("ms&limit=20");
  }

  @Test
  void zipkinSearchesUseServiceNameAndMicroseconds() {
    TraceQueryBenchmark.QueryMaker maker =
        new TraceQueryBenchmark.QueryMaker(
            TraceQueryBenchmark.Api.ZIPKIN, new SplittableRandom(3), 1000, 4600, 20);
    String duration = maker.search(new TraceQueryBenchmark.Kind("d"), 2).pathAndQuery();
    assertThat(duration)
        .startsWith("/api/v2/traces?limit=20&serviceName=")
        .containsPattern("&minDuration=(50000|100000|250000)&")
        .endsWith("&endTs=4600000&lookback=3600000");
  }

  @Test
  void spanCountersAreMetricsNamedWithSpans() {
    assertThat(
            TraceQueryBenchmark.isSpanCounter(
                "zipkin_collector_spans_total{transport=\"http\",} 5"))
        .isTrue();
    assertThat(TraceQueryBenchmark.isSpanCounter("yumzoom_ingest_spans 7")).isTrue();
    assertThat(
            TraceQueryBenchmark.isSpanCounter(
                "armeria_server_connections_lifespan_seconds_max{protocol=\"h1c\",} 25.2"))
        .isFalse();
  }

  @Test
  void durationsReadTheUsualShorthands() {
    assertThat(DurationConverter.parse("60s")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationConverter.parse("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("15")).isEqualTo(Duration.ofSeconds(15));
  }
}
