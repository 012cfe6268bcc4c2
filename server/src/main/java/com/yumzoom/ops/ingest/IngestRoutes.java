package com.yumzoom.ops.ingest;

import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.ingest.IngestStats.Outcome;
import com.yumzoom.ops.pipeline.SpanSink;
import java.util.Objects;

/**
 * Binds trace ingest on a server: OTLP/HTTP at {@value #OTLP_HTTP_PATH}, OTLP/gRPC {@code
 * opentelemetry.proto.collector.trace.v1.TraceService/Export}, and Zipkin v2 JSON at {@value
 * #ZIPKIN_PATH}. All three share one bound on concurrently decoding requests and one {@link
 * IngestStats}.
 */
public final class IngestRoutes {

  public static final String OTLP_HTTP_PATH = "/v1/traces";
  public static final String ZIPKIN_PATH = "/api/v2/spans";

  /** gRPC frames a message with a 5-byte prefix; the HTTP body may be that much larger. */
  private static final int GRPC_FRAME_HEADER = 5;

  /**
   * Route-level body limit: none, because the services check Content-Length themselves and set the
   * request's limit in their first step (Armeria would otherwise answer 413 in plain text, before
   * our JSON error could be written).
   */
  private static final long UNLIMITED_HERE = 0;

  private IngestRoutes() {}

  /**
   * Binds the ingest endpoints with {@link #defaultMaxConcurrentDecodes()} decode slots.
   *
   * @return the counters of these endpoints, for export as metrics
   */
  public static IngestStats register(ServerBuilder sb, SpanSink sink, IngestLimits limits) {
    IngestStats stats = new IngestStats();
    register(sb, sink, limits, stats, defaultMaxConcurrentDecodes());
    return stats;
  }

  /**
   * Binds the ingest endpoints.
   *
   * @param maxConcurrentDecodes requests whose bodies may be received and decoded at once; more are
   *     answered 429 / UNAVAILABLE at once, before their body is read. Ingest then holds at most
   *     about this many bodies (each up to {@code limits.maxBodyBytes()} on the wire and again
   *     inflated) plus their decoded rows; queued rows are the sink's to bound.
   */
  public static void register(
      ServerBuilder sb,
      SpanSink sink,
      IngestLimits limits,
      IngestStats stats,
      int maxConcurrentDecodes) {
    register(sb, sink, limits, stats, new DecodePermits(maxConcurrentDecodes));
  }

  /** For tests that need to see the permits. */
  static void register(
      ServerBuilder sb,
      SpanSink sink,
      IngestLimits limits,
      IngestStats stats,
      DecodePermits permits) {
    Objects.requireNonNull(sb, "sb");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(stats, "stats");
    OtlpTraceDecoder otlp = new OtlpTraceDecoder(limits);
    long maxBody = limits.maxBodyBytes();

    sb.route()
        .post(OTLP_HTTP_PATH)
        .maxRequestLength(UNLIMITED_HERE)
        .build(new OtlpHttpService(sink, stats, permits, otlp, maxBody));
    sb.route()
        .post(ZIPKIN_PATH)
        .maxRequestLength(UNLIMITED_HERE)
        .build(new ZipkinHttpService(sink, stats, permits, new ZipkinSpanDecoder(limits), maxBody));

    int maxMessage = (int) Math.min(maxBody, Integer.MAX_VALUE - GRPC_FRAME_HEADER - 16);
    GrpcService grpc =
        GrpcService.builder()
            .addService(new OtlpGrpcService(otlp, sink, stats).definition())
            // Decoding a batch is CPU work of a millisecond or more: keep it off the event loop.
            .useBlockingTaskExecutor(true)
            .maxRequestMessageLength(maxMessage)
            .build();
    sb.service(
        grpc,
        delegate ->
            delegate.decorate(
                (service, ctx, req) -> {
                  DecodePermits.Permit permit = permits.tryAcquire();
                  if (permit == null) {
                    stats.record(Outcome.THROTTLED);
                    return grpcUnavailable(
                        "too many requests are being decoded (" + permits.max() + "); retry later");
                  }
                  ctx.setAttr(OtlpGrpcService.PERMIT, permit);
                  ctx.setMaxRequestLength((long) maxMessage + GRPC_FRAME_HEADER);
                  ctx.log()
                      .whenComplete()
                      .thenAccept(
                          log -> {
                            permit.release();
                            // The service records what it answers; what Armeria answered
                            // itself (message too large, unparsable) is recorded here.
                            if (permit.markRecorded()) {
                              stats.record(
                                  "8".equals(grpcStatus(log))
                                      ? Outcome.TOO_LARGE
                                      : Outcome.INVALID);
                            }
                          });
                  return service.serve(ctx, req);
                }));
  }

  /**
   * Eight per core: enough that every core has a body to decode while others are still arriving,
   * few enough that the bodies held at once stay a small multiple of the body limit.
   */
  public static int defaultMaxConcurrentDecodes() {
    return 2 * Runtime.getRuntime().availableProcessors() * 4;
  }

  /** A trailers-only gRPC response with status UNAVAILABLE, sent before the body is read. */
  private static HttpResponse grpcUnavailable(String message) {
    return HttpResponse.of(
        ResponseHeaders.builder(HttpStatus.OK)
            .contentType(MediaType.parse("application/grpc+proto"))
            .add("grpc-status", Integer.toString(io.grpc.Status.Code.UNAVAILABLE.value()))
            .add("grpc-message", message)
            .build());
  }

  private static String grpcStatus(RequestLog log) {
    HttpHeaders trailers = log.responseTrailers();
    String status = trailers.get("grpc-status");
    return status != null ? status : log.responseHeaders().get("grpc-status");
  }
}
