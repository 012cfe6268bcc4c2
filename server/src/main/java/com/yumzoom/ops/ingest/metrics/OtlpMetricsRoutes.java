package com.yumzoom.ops.ingest.metrics;

import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.metrics.SampleStore;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * Binds OTLP metrics ingest into a {@link SampleStore}: OTLP/HTTP at {@value #PATH} (protobuf and
 * JSON, identity or gzip, bodies up to {@code limits.maxBodyBytes()}) and OTLP/gRPC {@code
 * opentelemetry.proto.collector.metrics.v1.MetricsService/Export}. Both share one translator (and
 * so one delta-to-cumulative state, see {@link OtlpMetricsTranslator}).
 */
public final class OtlpMetricsRoutes {

  public static final String PATH = "/v1/metrics";

  /** gRPC frames a message with a 5-byte prefix. */
  private static final int GRPC_FRAME_HEADER = 5;

  private OtlpMetricsRoutes() {}

  /**
   * Binds the endpoints with a default translator and 8 decode slots per core; returns the counters
   * of what they did.
   */
  public static MetricsIngestStats register(
      ServerBuilder sb, SampleStore store, IngestLimits limits) {
    return register(
        sb,
        store,
        limits,
        new OtlpMetricsTranslator(
            OtlpMetricsTranslator.DEFAULT_MAX_DELTA_SERIES, Clock.systemUTC()),
        8 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Binds the endpoints.
   *
   * @param maxConcurrentDecodes HTTP requests received or decoded at once; more get 429 before
   *     their body is read
   */
  public static MetricsIngestStats register(
      ServerBuilder sb,
      SampleStore store,
      IngestLimits limits,
      OtlpMetricsTranslator translator,
      int maxConcurrentDecodes) {
    Objects.requireNonNull(sb, "sb");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(translator, "translator");
    if (maxConcurrentDecodes <= 0) {
      throw new IllegalArgumentException(
          "maxConcurrentDecodes must be positive, got " + maxConcurrentDecodes);
    }
    MetricsIngestStats stats = new MetricsIngestStats();
    MetricsIngest ingest = new MetricsIngest(translator, store, stats);
    long maxBody = limits.maxBodyBytes();
    sb.route()
        .post(PATH)
        // No route limit: the service applies ours, so a 413 carries our error body.
        .maxRequestLength(0)
        .build(new MetricsHttpService(ingest, new Semaphore(maxConcurrentDecodes), maxBody));

    int maxMessage = (int) Math.min(maxBody, Integer.MAX_VALUE - GRPC_FRAME_HEADER - 16);
    GrpcService grpc =
        GrpcService.builder()
            .addService(new MetricsGrpcService(ingest))
            // Parsing and translating a batch is CPU work: keep it off the event loop.
            .useBlockingTaskExecutor(true)
            .maxRequestMessageLength(maxMessage)
            .build();
    sb.service(
        grpc,
        delegate ->
            delegate.decorate(
                (service, ctx, req) -> {
                  ctx.setMaxRequestLength((long) maxMessage + GRPC_FRAME_HEADER);
                  return service.serve(ctx, req);
                }));
    return stats;
  }
}
