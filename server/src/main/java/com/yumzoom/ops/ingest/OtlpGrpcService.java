package com.yumzoom.ops.ingest;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.ingest.IngestStats.Outcome;
import com.yumzoom.ops.pipeline.OverloadedException;
import com.yumzoom.ops.pipeline.SpanSink;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.util.AttributeKey;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC {@code TraceService/Export}. Runs on the blocking executor (see {@link IngestRoutes});
 * answers when the sink says the spans are durable. Overload and storage failures are UNAVAILABLE
 * with a {@code RetryInfo} detail, which the OTLP spec lists as retryable; bad input is
 * INVALID_ARGUMENT with the message naming the field and the limit.
 *
 * <p>Why not {@code TraceServiceImplBase}: its method receives a parsed request, and parsing into
 * the generated classes costs more than our whole decode from bytes (see {@link OtlpTraceDecoder}).
 * The service is bound with the generated method descriptor, its request marshaller swapped for one
 * that keeps the (already decompressed, size-checked) bytes.
 */
final class OtlpGrpcService {

  private static final Logger log = LoggerFactory.getLogger(OtlpGrpcService.class);

  /** The decode permit taken by the admission decorator, released once the rows are submitted. */
  static final AttributeKey<DecodePermits.Permit> PERMIT =
      AttributeKey.valueOf(OtlpGrpcService.class, "PERMIT");

  private final OtlpTraceDecoder decoder;
  private final SpanSink sink;
  private final IngestStats stats;

  OtlpGrpcService(OtlpTraceDecoder decoder, SpanSink sink, IngestStats stats) {
    this.decoder = decoder;
    this.sink = sink;
    this.stats = stats;
  }

  /** The gRPC service: TraceService with its Export method reading raw bytes. */
  ServerServiceDefinition definition() {
    MethodDescriptor<byte[], ExportTraceServiceResponse> export =
        TraceServiceGrpc.getExportMethod().toBuilder(
                RawBytes.INSTANCE,
                ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
            .build();
    return ServerServiceDefinition.builder(TraceServiceGrpc.SERVICE_NAME)
        .addMethod(export, ServerCalls.asyncUnaryCall(this::export))
        .build();
  }

  void export(byte[] request, StreamObserver<ExportTraceServiceResponse> observer) {
    DecodePermits.Permit permit = ServiceRequestContext.current().attr(PERMIT);
    DecodedSpans decoded;
    try {
      decoded = decoder.decode(request);
    } catch (InvalidRequestException e) {
      record(permit, Outcome.INVALID);
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    } catch (InvalidProtocolBufferException e) {
      record(permit, Outcome.INVALID);
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("message is not an ExportTraceServiceRequest: " + e.getMessage())
              .asException());
      return;
    } finally {
      if (permit != null) {
        permit.release();
      }
    }
    CompletableFuture<Void> committed;
    if (decoded.rows().isEmpty()) {
      committed = CompletableFuture.completedFuture(null);
    } else {
      try {
        committed = sink.submit(decoded.rows());
      } catch (RuntimeException e) {
        committed = CompletableFuture.failedFuture(e);
      }
    }
    committed.whenComplete(
        (ignored, error) -> {
          if (error == null) {
            if (permit == null || permit.markRecorded()) {
              stats.accepted(decoded.rows().size(), decoded.rejectedSpans());
            }
            observer.onNext(OtlpHttpService.response(decoded));
            observer.onCompleted();
            return;
          }
          Throwable e = IngestHttpService.unwrap(error);
          if (e instanceof OverloadedException overloaded) {
            record(permit, Outcome.THROTTLED);
            observer.onError(unavailable(e.getMessage(), overloaded.retryAfter()));
          } else {
            record(permit, Outcome.FAILED);
            log.warn("Spans could not be stored: {}", e.toString());
            observer.onError(
                unavailable(
                    "spans could not be stored; retry later",
                    IngestHttpService.STORAGE_RETRY_AFTER));
          }
        });
  }

  private void record(DecodePermits.Permit permit, Outcome outcome) {
    if (permit == null || permit.markRecorded()) {
      stats.record(outcome);
    }
  }

  /** Keeps the request message as bytes for {@link OtlpTraceDecoder#decode(byte[])}. */
  private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("cannot read the request")
            .withCause(e)
            .asRuntimeException();
      }
    }
  }

  static StatusRuntimeException unavailable(String message, Duration retryAfter) {
    RetryInfo retry =
        RetryInfo.newBuilder()
            .setRetryDelay(
                com.google.protobuf.Duration.newBuilder()
                    .setSeconds(Responses.retryAfterSeconds(retryAfter)))
            .build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.UNAVAILABLE.value())
            .setMessage(message)
            .addDetails(Any.pack(retry))
            .build());
  }
}
