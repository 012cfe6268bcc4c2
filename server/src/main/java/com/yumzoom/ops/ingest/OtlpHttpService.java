package com.yumzoom.ops.ingest;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.yumzoom.ops.ingest.Responses.ErrorFormat;
import com.yumzoom.ops.otlp.OtlpJson;
import com.yumzoom.ops.pipeline.SpanSink;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * {@code POST /v1/traces}: OTLP/HTTP with a protobuf or JSON body, answered in the same encoding,
 * with partial success when spans were rejected.
 */
final class OtlpHttpService extends IngestHttpService {

  private final OtlpTraceDecoder decoder;

  OtlpHttpService(
      SpanSink sink, IngestStats stats, DecodePermits permits, OtlpTraceDecoder decoder, long max) {
    super(sink, stats, permits, max);
    this.decoder = decoder;
  }

  @Override
  Format format(MediaType contentType) {
    if (contentType == null) {
      return null;
    }
    if (contentType.is(MediaType.X_PROTOBUF) || contentType.is(MediaType.PROTOBUF)) {
      return Format.PROTOBUF;
    }
    if (contentType.is(MediaType.JSON)) {
      return Format.JSON;
    }
    return null;
  }

  @Override
  String supportedTypes() {
    return "application/x-protobuf or application/json";
  }

  @Override
  ErrorFormat errorFormat(Format format) {
    if (format == null) {
      return ErrorFormat.JSON;
    }
    return format == Format.PROTOBUF ? ErrorFormat.STATUS_PROTOBUF : ErrorFormat.STATUS_JSON;
  }

  @Override
  DecodedSpans decode(byte[] body, Format format) throws Exception {
    if (format == Format.PROTOBUF) {
      return decoder.decode(body);
    }
    return decoder.decode(OtlpJson.parse(body, ExportTraceServiceRequest.newBuilder()).build());
  }

  @Override
  String invalidBodyMessage(Throwable e, Format format) {
    return (format == Format.PROTOBUF
            ? "body is not a protobuf ExportTraceServiceRequest: "
            : "body is not an OTLP/JSON ExportTraceServiceRequest: ")
        + e.getMessage();
  }

  @Override
  HttpResponse success(DecodedSpans decoded, Format format) {
    ExportTraceServiceResponse response = response(decoded);
    if (format == Format.PROTOBUF) {
      return HttpResponse.of(HttpStatus.OK, MediaType.X_PROTOBUF, response.toByteArray());
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, OtlpJson.print(response));
  }

  /** An empty response means full success; partial_success only when spans were rejected. */
  static ExportTraceServiceResponse response(DecodedSpans decoded) {
    if (decoded.rejectedSpans() == 0) {
      return ExportTraceServiceResponse.getDefaultInstance();
    }
    return ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(
            ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(decoded.rejectedSpans())
                .setErrorMessage(decoded.rejectionMessage()))
        .build();
  }
}
