package com.yumzoom.ops.ingest.metrics;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC {@code MetricsService/Export}, run on the blocking executor. Bad input is
 * INVALID_ARGUMENT; anything unexpected is INTERNAL. Samples the store refuses are a partial
 * success, as over HTTP.
 */
final class MetricsGrpcService extends MetricsServiceGrpc.MetricsServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(MetricsGrpcService.class);

  private final MetricsIngest ingest;

  MetricsGrpcService(MetricsIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public void export(
      ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> observer) {
    ExportMetricsServiceResponse response;
    try {
      response = ingest.export(request);
    } catch (IllegalArgumentException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    } catch (com.yumzoom.ops.pipeline.OverloadedException e) {
      observer.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asException());
      return;
    } catch (RuntimeException e) {
      log.warn("Cannot ingest an OTLP/gRPC metrics request", e);
      observer.onError(
          Status.INTERNAL.withDescription("cannot ingest the request: " + e).asException());
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
