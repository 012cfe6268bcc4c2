package com.yumzoom.ops.cache.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.cache.CacheStrategy;
import com.yumzoom.ops.cache.FakeTime;
import com.yumzoom.ops.cache.MultiLayerCache;
import com.yumzoom.ops.cache.codec.CacheCodec;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import org.junit.jupiter.api.Test;

class CacheMetricsTest {

  private static long sum(Collection<MetricData> metrics, String name, Attributes attributes) {
    return metrics.stream()
        .filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getData().getPoints().stream())
        .filter(p -> p.getAttributes().equals(attributes))
        .mapToLong(p -> ((LongPointData) p).getValue())
        .sum();
  }

  @Test
  void exportsLayerHitsMissesLoadsAndSize() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider =
            SdkMeterProvider.builder().registerMetricReader(reader).build();
        MultiLayerCache<String> cache =
            MultiLayerCache.builder("menus", CacheCodec.utf8())
                .strategy(CacheStrategy.L1_ONLY)
                .clock(new FakeTime())
                .l1Maintenance(Runnable::run)
                .build()) {
      AutoCloseable export = CacheMetrics.register(provider.get("com.yumzoom.ops.cache"), cache);
      cache.get("a", k -> "1");
      cache.get("a", k -> "1");
      cache.get("b", k -> "2");

      Collection<MetricData> m = reader.collectAllMetrics();
      var cacheKey = AttributeKey.stringKey("cache");
      var layer = AttributeKey.stringKey("layer");
      var result = AttributeKey.stringKey("result");
      Attributes l1 = Attributes.of(cacheKey, "menus", layer, "l1");
      assertThat(sum(m, "cache.requests", Attributes.of(cacheKey, "menus"))).isEqualTo(3);
      assertThat(sum(m, "cache.lookups", l1.toBuilder().put(result, "hit").build())).isEqualTo(1);
      assertThat(sum(m, "cache.lookups", l1.toBuilder().put(result, "miss").build())).isEqualTo(2);
      assertThat(sum(m, "cache.loads", Attributes.of(cacheKey, "menus", result, "success")))
          .isEqualTo(2);
      assertThat(sum(m, "cache.size", l1)).isEqualTo(2);

      export.close();
      assertThat(reader.collectAllMetrics()).isEmpty();
    }
  }
}
