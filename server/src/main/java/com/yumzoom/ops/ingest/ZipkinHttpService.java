package com.yumzoom.ops.ingest;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.yumzoom.ops.ingest.Responses.ErrorFormat;
import com.yumzoom.ops.pipeline.SpanSink;

/**
 * {@code POST /api/v2/spans}: Zipkin v2 JSON, answered 202 with no body as the Zipkin server does.
 * A missing Content-Type is read as JSON, again as Zipkin does; Zipkin's thrift and proto3
 * encodings are refused with 415.
 */
final class ZipkinHttpService extends IngestHttpService {

  private final ZipkinSpanDecoder decoder;

  ZipkinHttpService(
      SpanSink sink,
      IngestStats stats,
      DecodePermits permits,
      ZipkinSpanDecoder decoder,
      long max) {
    super(sink, stats, permits, max);
    this.decoder = decoder;
  }

  @Override
  Format format(MediaType contentType) {
    return contentType == null || contentType.is(MediaType.JSON) ? Format.JSON : null;
  }

  @Override
  String supportedTypes() {
    return "application/json (Zipkin v2 JSON)";
  }

  @Override
  ErrorFormat errorFormat(Format format) {
    return ErrorFormat.JSON;
  }

  @Override
  DecodedSpans decode(byte[] body, Format format) {
    return decoder.decode(body);
  }

  @Override
  HttpResponse success(DecodedSpans decoded, Format format) {
    return HttpResponse.of(ResponseHeaders.of(HttpStatus.ACCEPTED));
  }
}
