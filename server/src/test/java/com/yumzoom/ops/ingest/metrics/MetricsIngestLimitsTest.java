package com.yumzoom.ops.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.config.MetricsSettings;
import com.yumzoom.ops.metrics.duckdb.DuckDbSampleStore;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cardinality explosion over OTLP against the real store: a partial success naming the limit. */
class MetricsIngestLimitsTest {

  @TempDir Path dir;

  @Test
  void cardinalityExplosionIsAPartialSuccessNamingMetricAndLimit() {
    Clock clock = Clock.fixed(Instant.parse("2026-05-01T00:00:00Z"), ZoneOffset.UTC);
    MetricsSettings d = MetricsSettings.DEFAULTS;
    MetricsSettings settings =
        new MetricsSettings(
            1_000,
            5,
            d.maxLabelsPerSeries(),
            d.headSamplesPerSeries(),
            d.queueMaxSamples(),
            d.retentionRaw(),
            d.retention5m(),
            d.retention1h(),
            null);
    try (DuckDbSampleStore store = DuckDbSampleStore.open(dir, settings, clock)) {
      MetricsIngestStats stats = new MetricsIngestStats();
      MetricsIngest ingest = new MetricsIngest(new OtlpMetricsTranslator(100, clock), store, stats);
      Gauge.Builder gauge = Gauge.newBuilder();
      for (int i = 0; i < 20; i++) {
        gauge.addDataPoints(
            NumberDataPoint.newBuilder()
                .setTimeUnixNano(clock.millis() * 1_000_000L)
                .setAsDouble(i)
                .addAttributes(
                    KeyValue.newBuilder()
                        .setKey("user_id")
                        .setValue(AnyValue.newBuilder().setStringValue("u" + i))));
      }
      ExportMetricsServiceRequest request =
          ExportMetricsServiceRequest.newBuilder()
              .addResourceMetrics(
                  ResourceMetrics.newBuilder()
                      .addScopeMetrics(
                          ScopeMetrics.newBuilder()
                              .addMetrics(
                                  Metric.newBuilder().setName("cart_items").setGauge(gauge))))
              .build();
      ExportMetricsServiceResponse response = ingest.export(request);
      assertThat(response.getPartialSuccess().getRejectedDataPoints()).isEqualTo(15);
      assertThat(response.getPartialSuccess().getErrorMessage())
          .startsWith("metric cart_items: series limit reached")
          .contains("(metrics.max-series-per-metric, limit 5)");
      assertThat(store.seriesCount()).isEqualTo(5);
      assertThat(store.rejections().perMetricLimit()).isEqualTo(15);
      assertThat(stats.requests()).isEqualTo(1);
      assertThat(stats.samplesStored()).isEqualTo(5);
      assertThat(stats.pointsRejected()).isEqualTo(15);
    }
  }
}
