package com.yumzoom.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextParserTest {

  @Test
  void parsesHelpTypeLabelsAndTimestamps() {
    String text =
        """
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000

        # a free comment
        metric_without_timestamp_and_labels 12.47
        """;
    List<Sample> samples = PrometheusTextParser.parse(text, 42);
    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).labels().toString())
        .isEqualTo("http_requests_total{code=\"200\", method=\"post\"}");
    assertThat(samples.get(0).value()).isEqualTo(1027);
    assertThat(samples.get(0).tMs()).isEqualTo(1395066363000L);
    assertThat(samples.get(1).value()).isEqualTo(3);
    assertThat(samples.get(2).labels().map()).containsOnlyKeys("__name__");
    assertThat(samples.get(2).value()).isEqualTo(12.47);
    assertThat(samples.get(2).tMs()).isEqualTo(42);
  }

  @Test
  void unescapesLabelValues() {
    List<Sample> samples =
        PrometheusTextParser.parse(
            "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find"
                + " file:\\n\\\"FILE.TXT\\\"\",} 1.458255915e9\n",
            0);
    assertThat(samples).hasSize(1);
    assertThat(samples.get(0).labels().get("path")).isEqualTo("C:\\DIR\\FILE.TXT");
    assertThat(samples.get(0).labels().get("error")).isEqualTo("Cannot find file:\n\"FILE.TXT\"");
    assertThat(samples.get(0).value()).isEqualTo(1.458255915e9);
  }

  @Test
  void parsesSpecialValuesAndNegativeTimestamps() {
    List<Sample> samples =
        PrometheusTextParser.parse("a NaN\nb +Inf\nc -Inf\nd -3982045 -1\ne 1e-3\n", 0);
    assertThat(samples).extracting(Sample::value).element(0).matches(v -> Double.isNaN(v));
    assertThat(samples.get(1).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(samples.get(2).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(samples.get(3).value()).isEqualTo(-3982045);
    assertThat(samples.get(3).tMs()).isEqualTo(-1);
    assertThat(samples.get(4).value()).isEqualTo(0.001);
  }

  @Test
  void keepsHistogramAndSummarySampleNames() {
    String text =
        """
        # TYPE rpc_duration_seconds histogram
        rpc_duration_seconds_bucket{le="0.05"} 24054
        rpc_duration_seconds_bucket{le="+Inf"} 144320
        rpc_duration_seconds_sum 53423
        rpc_duration_seconds_count 144320
        # TYPE rpc_quantiles summary
        rpc_quantiles{quantile="0.99"} 76656
        """;
    List<Sample> samples = PrometheusTextParser.parse(text, 0);
    assertThat(samples)
        .extracting(s -> s.labels().get("__name__"))
        .containsExactly(
            "rpc_duration_seconds_bucket",
            "rpc_duration_seconds_bucket",
            "rpc_duration_seconds_sum",
            "rpc_duration_seconds_count",
            "rpc_quantiles");
    assertThat(samples.get(1).labels().get("le")).isEqualTo("+Inf");
  }

  @Test
  void errorsNameTheLine() {
    assertThatThrownBy(() -> PrometheusTextParser.parse("ok 1\n\nbad{a=\"x} 1\n", 0))
        .hasMessage("line 3: unterminated value of label a");
    assertThatThrownBy(() -> PrometheusTextParser.parse("a 1\nb one\n", 0))
        .hasMessage("line 2: invalid value \"one\"");
    assertThatThrownBy(() -> PrometheusTextParser.parse("a 1 12.5\n", 0))
        .hasMessage("line 1: invalid timestamp \"12.5\" (expected integer milliseconds)");
    assertThatThrownBy(() -> PrometheusTextParser.parse("# TYPE a kind\n", 0))
        .hasMessage("line 1: unknown metric type \"kind\" for a");
    assertThatThrownBy(() -> PrometheusTextParser.parse("a{b=\"\\t\"} 1\n", 0))
        .hasMessage("line 1: invalid escape \\t in the value of label b");
    assertThatThrownBy(() -> PrometheusTextParser.parse("a\n", 0))
        .hasMessage("line 1: metric a has no value");
    assertThatThrownBy(() -> PrometheusTextParser.parse("{a=\"b\"} 1\n", 0))
        .hasMessage("line 1: expected a metric name, got \"{a=\"b\"} 1\"");
    assertThatThrownBy(() -> PrometheusTextParser.parse("a{b=\"1\",b=\"2\"} 1\n", 0))
        .hasMessage("line 1: duplicate label b");
    assertThatThrownBy(() -> PrometheusTextParser.parse("a 1 2 3\n", 0))
        .hasMessage("line 1: unexpected text after the timestamp: \"3\"");
  }

  @Test
  void openMetricsTimestampsInSecondsExemplarsSkippedCreatedDropped() {
    String text =
        """
        # TYPE orders counter
        # UNIT orders_seconds seconds
        orders_total{shop="a"} 17 1700000000.5 # {trace_id="abc"} 1 1700000000.1
        orders_created{shop="a"} 1699990000
        # TYPE build_created gauge
        build_created 3
        # TYPE latency histogram
        latency_bucket{le="+Inf"} 4 # {trace_id="x"} 0.3
        latency_created 1699990000
        # EOF
        """;
    List<Sample> samples = PrometheusTextParser.parseOpenMetrics(text, 42);
    assertThat(samples)
        .extracting(x -> x.labels().get("__name__"))
        .containsExactly("orders_total", "build_created", "latency_bucket");
    assertThat(samples.get(0).tMs()).isEqualTo(1_700_000_000_500L);
    assertThat(samples.get(1).tMs()).isEqualTo(42);
    assertThat(samples.get(2).value()).isEqualTo(4);
  }

  @Test
  void openMetricsNeedsEofAtTheEnd() {
    assertThatThrownBy(() -> PrometheusTextParser.parseOpenMetrics("a 1\n", 0))
        .hasMessage("line 1: OpenMetrics text does not end with # EOF");
    assertThatThrownBy(() -> PrometheusTextParser.parseOpenMetrics("# EOF\na 1\n", 0))
        .hasMessage("line 2: unexpected text after # EOF");
    assertThat(PrometheusTextParser.parseOpenMetrics("a 1\n# EOF", 0)).hasSize(1);
  }
}
