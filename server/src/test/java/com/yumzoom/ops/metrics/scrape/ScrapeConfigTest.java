package com.yumzoom.ops.metrics.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrapeConfigTest {

  @Test
  void readsPrometheusYamlWithGlobalDefaults() {
    ScrapeConfig c =
        ScrapeConfig.parse(
            """
            global:
              scrape_interval: 30s
              scrape_timeout: 20s
              evaluation_interval: 1m
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['a:9100', 'b:9100']
                    labels: {env: prod}
              - job_name: fast
                scrape_interval: 5s
                metrics_path: /probe
                params: {module: [http_2xx]}
                honor_labels: true
                sample_limit: 1000
                body_size_limit: 10MB
                static_configs:
                  - targets: ['c:80']
            """);
    assertThat(c.scrapeInterval()).isEqualTo(Duration.ofSeconds(30));
    ScrapeConfig.Job node = c.jobs().get(0);
    assertThat(node.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(node.timeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(node.metricsPath()).isEqualTo("/metrics");
    assertThat(node.bodySizeLimit()).isEqualTo(ScrapeConfig.DEFAULT_BODY_SIZE_LIMIT);
    assertThat(node.staticConfigs().getFirst().targets()).containsExactly("a:9100", "b:9100");
    ScrapeConfig.Job fast = c.jobs().get(1);
    // an unset timeout never exceeds the job's own interval
    assertThat(fast.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(fast.params()).isEqualTo(Map.of("module", List.of("http_2xx")));
    assertThat(fast.honorLabels()).isTrue();
    assertThat(fast.sampleLimit()).isEqualTo(1000);
    assertThat(fast.bodySizeLimit()).isEqualTo(10L << 20);
    assertThat(
            ScrapeTarget.url(
                Relabeler.apply(
                    ScrapeTarget.discovered(fast, "c:80", Map.of()), fast.relabelConfigs())))
        .hasToString("http://c:80/probe?module=http_2xx");
  }

  @Test
  void prometheusDurations() {
    assertThat(ScrapeConfig.parseDuration("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ScrapeConfig.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(ScrapeConfig.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(PromDurations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(PromDurations.format(Duration.ofMinutes(60))).isEqualTo("1h");
    assertThatThrownBy(() -> ScrapeConfig.parseDuration("15")).hasMessageContaining("15");
  }

  @Test
  void errorsNameTheField() {
    assertThatThrownBy(
            () ->
                ScrapeConfig.parse("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n"))
        .hasMessage("scrape_configs[0].scrape_intervall: unknown field");
    assertThatThrownBy(
            () ->
                ScrapeConfig.parse(
                    "scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: []\n"))
        .hasMessageContaining("scrape_configs[0].kubernetes_sd_configs: not supported");
    assertThatThrownBy(
            () ->
                ScrapeConfig.parse(
                    "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n"
                        + "    scrape_timeout: 10s\n"))
        .hasMessageContaining("scrape_configs[0].scrape_timeout")
        .hasMessageContaining("greater than scrape_interval");
    assertThatThrownBy(
            () -> ScrapeConfig.parse("scrape_configs:\n  - job_name: a\n  - job_name: a\n"))
        .hasMessageContaining("scrape_configs[1].job_name: \"a\" is used twice");
    assertThatThrownBy(
            () ->
                ScrapeConfig.parse(
                    "scrape_configs:\n  - job_name: a\n    static_configs:\n"
                        + "      - targets: ['http://x/metrics']\n"))
        .hasMessageContaining("scrape_configs[0].static_configs[0].targets[0]: expected host:port");
    assertThat(ScrapeConfig.parse("")).isEqualTo(ScrapeConfig.EMPTY);
  }
}
