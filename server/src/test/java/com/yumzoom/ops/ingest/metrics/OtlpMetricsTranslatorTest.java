package com.yumzoom.ops.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.Values;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OtlpMetricsTranslatorTest {

  private static final long T_NANOS = 1_700_000_000_123_456_789L;
  private static final long T_MS = 1_700_000_000_123L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(42_000), ZoneOffset.UTC);

  private final OtlpMetricsTranslator translator = new OtlpMetricsTranslator(2, CLOCK);

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  private static ExportMetricsServiceRequest request(Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("service.namespace", "shop"))
                        .addAttributes(attr("service.instance.id", "pod-1"))
                        .addAttributes(attr("host.name", "node-a")))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .setScope(
                            InstrumentationScope.newBuilder().setName("lib").setVersion("1.2"))
                        .addAllMetrics(List.of(metrics))))
        .build();
  }

  /** The labels every sample of {@link #request} carries, plus name and extras. */
  private static Labels labels(String name, String... extra) {
    Map<String, String> m = new TreeMap<>();
    m.put("__name__", name);
    m.put("job", "shop/checkout");
    m.put("instance", "pod-1");
    m.put("otel_scope_name", "lib");
    m.put("otel_scope_version", "1.2");
    for (int i = 0; i < extra.length; i += 2) {
      m.put(extra[i], extra[i + 1]);
    }
    return Labels.of(m);
  }

  private static NumberDataPoint.Builder point(double v) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(T_NANOS).setAsDouble(v);
  }

  /** Samples without target_info, keyed by labels. */
  private static Map<Labels, Double> values(OtlpMetricsTranslator.Translation t) {
    Map<Labels, Double> m = new LinkedHashMap<>();
    for (Sample s : t.samples()) {
      if (!s.labels().get("__name__").equals("target_info")) {
        m.put(s.labels(), s.value());
      }
    }
    return m;
  }

  @Test
  void gaugeGetsUnitAndRatioSuffixAndSanitisedLabels() {
    Metric temp =
        Metric.newBuilder()
            .setName("room.temperature")
            .setUnit("Cel")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(point(21.5).addAttributes(attr("room-name", "kitchen"))))
            .build();
    Metric util =
        Metric.newBuilder()
            .setName("cpu.utilization")
            .setUnit("1")
            .setGauge(
                Gauge.newBuilder().addDataPoints(point(0.25).addAttributes(attr("1cpu", "x"))))
            .build();
    var t = translator.translate(request(temp, util));
    assertThat(values(t))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                labels("room_temperature_celsius", "room_name", "kitchen"), 21.5,
                labels("cpu_utilization_ratio", "key_1cpu", "x"), 0.25));
    assertThat(t.samples()).allMatch(s -> s.tMs() == T_MS);
    assertThat(t.rejectedPoints()).isZero();
  }

  @Test
  void targetInfoCarriesTheOtherResourceAttributes() {
    Metric g =
        Metric.newBuilder()
            .setName("g")
            .setGauge(Gauge.newBuilder().addDataPoints(point(1)))
            .build();
    var t = translator.translate(request(g));
    assertThat(t.samples())
        .contains(
            new Sample(
                Labels.of(
                    Map.of(
                        "__name__", "target_info",
                        "job", "shop/checkout",
                        "instance", "pod-1",
                        "host_name", "node-a")),
                T_MS,
                1));
  }

  @Test
  void monotonicCumulativeSumIsACounterWithTotal() {
    Metric m =
        Metric.newBuilder()
            .setName("http.server.request.duration")
            .setUnit("ms")
            .setSum(
                Sum.newBuilder()
                    .setIsMonotonic(true)
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(point(7).setAsInt(7)))
            .build();
    Metric total =
        Metric.newBuilder()
            .setName("requests_total")
            .setUnit("{request}")
            .setSum(
                Sum.newBuilder()
                    .setIsMonotonic(true)
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(point(3)))
            .build();
    assertThat(values(translator.translate(request(m, total))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                labels("http_server_request_duration_milliseconds_total"), 7.0,
                labels("requests_total"), 3.0));
  }

  @Test
  void nonMonotonicSumIsAGaugeAndDeltaUpDownAccumulates() {
    Sum.Builder sum =
        Sum.newBuilder()
            .setIsMonotonic(false)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    Metric first =
        Metric.newBuilder()
            .setName("queue.size")
            .setUnit("By")
            .setSum(sum.clone().addDataPoints(point(5)))
            .build();
    Metric second =
        Metric.newBuilder()
            .setName("queue.size")
            .setUnit("By")
            .setSum(sum.clone().addDataPoints(point(-2).setTimeUnixNano(T_NANOS + 1_000_000_000L)))
            .build();
    assertThat(values(translator.translate(request(first))))
        .containsExactly(Map.entry(labels("queue_size_bytes"), 5.0));
    assertThat(values(translator.translate(request(second))))
        .containsExactly(Map.entry(labels("queue_size_bytes"), 3.0));
  }

  @Test
  void deltaCounterBecomesARunningTotalBoundedBySeries() {
    Sum.Builder sum =
        Sum.newBuilder()
            .setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    Metric m =
        Metric.newBuilder()
            .setName("jobs")
            .setSum(
                sum.clone()
                    .addDataPoints(point(2).addAttributes(attr("k", "a")))
                    .addDataPoints(point(4).addAttributes(attr("k", "b"))))
            .build();
    translator.translate(request(m));
    var second = translator.translate(request(m));
    assertThat(values(second))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(labels("jobs_total", "k", "a"), 4.0, labels("jobs_total", "k", "b"), 8.0));
    // The translator tracks at most 2 delta series: a third is rejected, the known ones go on.
    Metric third =
        Metric.newBuilder()
            .setName("jobs")
            .setSum(
                sum.clone()
                    .addDataPoints(point(1).addAttributes(attr("k", "c")))
                    .addDataPoints(point(1).addAttributes(attr("k", "a"))))
            .build();
    var t = translator.translate(request(third));
    assertThat(values(t)).containsExactly(Map.entry(labels("jobs_total", "k", "a"), 5.0));
    assertThat(t.rejectedPoints()).isEqualTo(1);
    assertThat(t.error())
        .isEqualTo("delta series limit of 2 reached; rejected new delta series such as jobs_total");
    assertThat(translator.deltaSeries()).isEqualTo(2);
  }

  private static HistogramDataPoint.Builder histogramPoint() {
    return HistogramDataPoint.newBuilder()
        .setTimeUnixNano(T_NANOS)
        .setCount(10)
        .setSum(12.5)
        .addAllExplicitBounds(List.of(0.5, 1.0, 2.5))
        .addAllBucketCounts(List.of(1L, 2L, 3L, 4L));
  }

  @Test
  void histogramBucketsAreCumulativeWithInf() {
    Metric m =
        Metric.newBuilder()
            .setName("latency")
            .setUnit("s")
            .setHistogram(
                Histogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(histogramPoint()))
            .build();
    assertThat(values(translator.translate(request(m))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                labels("latency_seconds_bucket", "le", "0.5"), 1.0,
                labels("latency_seconds_bucket", "le", "1"), 3.0,
                labels("latency_seconds_bucket", "le", "2.5"), 6.0,
                labels("latency_seconds_bucket", "le", "+Inf"), 10.0,
                labels("latency_seconds_sum"), 12.5,
                labels("latency_seconds_count"), 10.0));
  }

  @Test
  void deltaHistogramAccumulates() {
    Metric m =
        Metric.newBuilder()
            .setName("latency")
            .setUnit("s")
            .setHistogram(
                Histogram.newBuilder()
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(histogramPoint()))
            .build();
    translator.translate(request(m));
    assertThat(values(translator.translate(request(m))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                labels("latency_seconds_bucket", "le", "0.5"), 2.0,
                labels("latency_seconds_bucket", "le", "1"), 6.0,
                labels("latency_seconds_bucket", "le", "2.5"), 12.0,
                labels("latency_seconds_bucket", "le", "+Inf"), 20.0,
                labels("latency_seconds_sum"), 25.0,
                labels("latency_seconds_count"), 20.0));
  }

  @Test
  void histogramWithMismatchedBucketsIsRejected() {
    Metric m =
        Metric.newBuilder()
            .setName("bad")
            .setHistogram(
                Histogram.newBuilder()
                    .addDataPoints(histogramPoint().clearBucketCounts().addBucketCounts(1)))
            .build();
    var t = translator.translate(request(m));
    assertThat(t.samples()).isEmpty();
    assertThat(t.rejectedPoints()).isEqualTo(1);
    assertThat(t.error())
        .isEqualTo("histogram bad has 1 bucket counts for 3 explicit bounds; expected bounds + 1");
  }

  @Test
  void summaryHasQuantilesSumAndCount() {
    Metric m =
        Metric.newBuilder()
            .setName("rpc.duration")
            .setUnit("s")
            .setSummary(
                Summary.newBuilder()
                    .addDataPoints(
                        SummaryDataPoint.newBuilder()
                            .setTimeUnixNano(T_NANOS)
                            .setCount(4)
                            .setSum(2)
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(0.5)
                                    .setValue(0.4))
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(0.99)
                                    .setValue(0.9))))
            .build();
    assertThat(values(translator.translate(request(m))))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                labels("rpc_duration_seconds", "quantile", "0.5"), 0.4,
                labels("rpc_duration_seconds", "quantile", "0.99"), 0.9,
                labels("rpc_duration_seconds_sum"), 2.0,
                labels("rpc_duration_seconds_count"), 4.0));
  }

  @Test
  void exponentialHistogramBecomesClassicBucketsAtTheUpperBoundaries() {
    // scale 0: base 2; positive bucket i holds (2^i, 2^(i+1)], negative bucket i [-2^(i+1), -2^i)
    ExponentialHistogramDataPoint p =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T_NANOS)
            .setScale(0)
            .setCount(15)
            .setSum(10)
            .setZeroCount(5)
            .setPositive(
                ExponentialHistogramDataPoint.Buckets.newBuilder()
                    .setOffset(0)
                    .addBucketCounts(1)
                    .addBucketCounts(2)
                    .addBucketCounts(3))
            .setNegative(
                ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1).addBucketCounts(4))
            .build();
    Metric m =
        Metric.newBuilder()
            .setName("latency")
            .setUnit("s")
            .setExponentialHistogram(
                ExponentialHistogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(p))
            .build();
    var t = translator.translate(request(m));
    assertThat(t.rejectedPoints()).isZero();
    assertThat(values(t))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                labels("latency_seconds_bucket", "le", "-2"), 4.0,
                labels("latency_seconds_bucket", "le", "0"), 9.0,
                labels("latency_seconds_bucket", "le", "2"), 10.0,
                labels("latency_seconds_bucket", "le", "4"), 12.0,
                labels("latency_seconds_bucket", "le", "8"), 15.0,
                labels("latency_seconds_bucket", "le", "+Inf"), 15.0,
                labels("latency_seconds_sum"), 10.0,
                labels("latency_seconds_count"), 15.0));
  }

  @Test
  void wideExponentialHistogramIsDownscaledToBoundedBuckets() {
    ExponentialHistogramDataPoint.Buckets.Builder pos =
        ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-7);
    for (int i = 0; i < 160; i++) {
      pos.addBucketCounts(1);
    }
    Metric m =
        Metric.newBuilder()
            .setName("wide")
            .setExponentialHistogram(
                ExponentialHistogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(
                        ExponentialHistogramDataPoint.newBuilder()
                            .setTimeUnixNano(T_NANOS)
                            .setScale(3)
                            .setCount(160)
                            .setPositive(pos)))
            .build();
    Map<Labels, Double> v = values(translator.translate(request(m)));
    long buckets = v.keySet().stream().filter(l -> l.get("__name__").equals("wide_bucket")).count();
    assertThat(buckets).isBetween(2L, (long) OtlpMetricsTranslator.MAX_EXPONENTIAL_BUCKETS + 1);
    assertThat(v).containsEntry(labels("wide_bucket", "le", "+Inf"), 160.0);
    // every bucket boundary stays a power of the base: the counts just move to coarser buckets
    assertThat(v.get(labels("wide_count"))).isEqualTo(160.0);
  }

  @Test
  void noRecordedValueIsAStaleMarkerAndZeroTimeIsNow() {
    Metric m =
        Metric.newBuilder()
            .setName("g")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setAsDouble(3)
                            .setFlags(
                                io.opentelemetry.proto.metrics.v1.DataPointFlags
                                    .DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE)))
            .build();
    Sample s =
        translator.translate(request(m)).samples().stream()
            .filter(x -> x.labels().get("__name__").equals("g"))
            .findFirst()
            .orElseThrow();
    assertThat(Values.isStale(s.value())).isTrue();
    assertThat(s.tMs()).isEqualTo(42_000);
  }

  @Test
  void namesAndUnits() {
    assertThat(OtlpMetricsTranslator.metricName("a.b-c//d", "", true, false)).isEqualTo("a_b_c_d");
    assertThat(OtlpMetricsTranslator.metricName("9lives", "", true, false)).isEqualTo("_9lives");
    assertThat(OtlpMetricsTranslator.metricName("speed", "m/s", true, false))
        .isEqualTo("speed_meters_per_second");
    assertThat(OtlpMetricsTranslator.metricName("mem_bytes", "By", true, false))
        .isEqualTo("mem_bytes");
    assertThat(OtlpMetricsTranslator.metricName("ratio", "1", false, true))
        .isEqualTo("ratio_total");
    assertThat(OtlpMetricsTranslator.labelName("_private")).isEqualTo("key_private");
    assertThat(OtlpMetricsTranslator.labelName("__meta")).isEqualTo("__meta");
    assertThat(OtlpMetricsTranslator.formatFloat(0.005)).isEqualTo("0.005");
    assertThat(OtlpMetricsTranslator.formatFloat(1000)).isEqualTo("1000");
  }
}
