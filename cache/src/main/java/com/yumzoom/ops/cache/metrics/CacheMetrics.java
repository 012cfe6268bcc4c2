package com.yumzoom.ops.cache.metrics;

import com.yumzoom.ops.cache.CacheStats;
import com.yumzoom.ops.cache.MultiLayerCache;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;

/**
 * Exports a cache's statistics as OpenTelemetry metrics. The instruments are asynchronous and read
 * the cache's own counters once per collection (one batch callback, one snapshot), so the hot path
 * pays nothing for export.
 *
 * <pre>
 * cache.requests         counter  {cache}                     get calls
 * cache.lookups          counter  {cache, layer, result}      result = hit | miss
 * cache.errors           counter  {cache, layer}              degraded layer operations
 * cache.evictions        counter  {cache, layer}              size evictions (L1)
 * cache.size             gauge    {cache, layer}              entries held (L1)
 * cache.loads            counter  {cache, result}             result = success | failure
 * cache.load.time        counter  {cache}             s       time in successful loads
 * cache.stale.served     counter  {cache, reason}             reason = revalidate | error
 * cache.refreshes        counter  {cache}                     background reloads
 * cache.invalidations    counter  {cache, direction}          direction = sent | received
 * cache.disconnects      counter  {cache}                     lost broadcast channel
 * </pre>
 */
public final class CacheMetrics {
  private static final AttributeKey<String> CACHE = AttributeKey.stringKey("cache");
  private static final AttributeKey<String> LAYER = AttributeKey.stringKey("layer");
  private static final AttributeKey<String> RESULT = AttributeKey.stringKey("result");
  private static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
  private static final AttributeKey<String> DIRECTION = AttributeKey.stringKey("direction");

  private CacheMetrics() {}

  /**
   * Starts exporting; close the returned handle to stop (for example when the cache closes).
   *
   * @param meter e.g. {@code openTelemetry.getMeter("com.yumzoom.ops.cache")}
   */
  public static AutoCloseable register(Meter meter, MultiLayerCache<?> cache) {
    ObservableLongMeasurement requests =
        meter.counterBuilder("cache.requests").setDescription("Cache get calls").buildObserver();
    ObservableLongMeasurement lookups =
        meter.counterBuilder("cache.lookups").setDescription("Layer lookups").buildObserver();
    ObservableLongMeasurement errors =
        meter
            .counterBuilder("cache.errors")
            .setDescription("Layer operations that failed and degraded")
            .buildObserver();
    ObservableLongMeasurement evictions =
        meter.counterBuilder("cache.evictions").setDescription("Size evictions").buildObserver();
    ObservableLongMeasurement size =
        meter.gaugeBuilder("cache.size").ofLongs().setDescription("Entries held").buildObserver();
    ObservableLongMeasurement loads =
        meter.counterBuilder("cache.loads").setDescription("Loader calls").buildObserver();
    ObservableDoubleMeasurement loadTime =
        meter
            .counterBuilder("cache.load.time")
            .ofDoubles()
            .setUnit("s")
            .setDescription("Time spent in successful loads")
            .buildObserver();
    ObservableLongMeasurement stale =
        meter
            .counterBuilder("cache.stale.served")
            .setDescription("Requests answered with a stale value")
            .buildObserver();
    ObservableLongMeasurement refreshes =
        meter
            .counterBuilder("cache.refreshes")
            .setDescription("Background reloads")
            .buildObserver();
    ObservableLongMeasurement invalidations =
        meter
            .counterBuilder("cache.invalidations")
            .setDescription("Invalidation broadcasts")
            .buildObserver();
    ObservableLongMeasurement disconnects =
        meter
            .counterBuilder("cache.disconnects")
            .setDescription("Losses of the invalidation channel")
            .buildObserver();

    Attributes base = Attributes.of(CACHE, cache.name());
    BatchCallback callback =
        meter.batchCallback(
            () -> {
              CacheStats s = cache.stats();
              requests.record(s.requests(), base);
              layer(s.l1(), "l1", base, lookups, errors, evictions, size);
              layer(s.l2(), "l2", base, lookups, errors, evictions, size);
              loads.record(s.loads(), with(base, RESULT, "success"));
              loads.record(s.loadFailures(), with(base, RESULT, "failure"));
              loadTime.record(s.loadNanos() / 1e9, base);
              stale.record(s.staleServed(), with(base, REASON, "revalidate"));
              stale.record(s.staleIfErrorServed(), with(base, REASON, "error"));
              refreshes.record(s.refreshes(), base);
              invalidations.record(s.invalidationsSent(), with(base, DIRECTION, "sent"));
              invalidations.record(s.invalidationsReceived(), with(base, DIRECTION, "received"));
              disconnects.record(s.disconnects(), base);
            },
            requests,
            lookups,
            errors,
            evictions,
            size,
            loads,
            loadTime,
            stale,
            refreshes,
            invalidations,
            disconnects);
    return callback::close;
  }

  private static void layer(
      CacheStats.LayerStats l,
      String name,
      Attributes base,
      ObservableLongMeasurement lookups,
      ObservableLongMeasurement errors,
      ObservableLongMeasurement evictions,
      ObservableLongMeasurement size) {
    Attributes a = with(base, LAYER, name);
    lookups.record(l.hits(), a.toBuilder().put(RESULT, "hit").build());
    lookups.record(l.misses(), a.toBuilder().put(RESULT, "miss").build());
    errors.record(l.errors(), a);
    if (l.evictions() >= 0) {
      evictions.record(l.evictions(), a);
    }
    if (l.size() >= 0) {
      size.record(l.size(), a);
    }
  }

  private static Attributes with(Attributes base, AttributeKey<String> key, String value) {
    return base.toBuilder().put(key, value).build();
  }
}
