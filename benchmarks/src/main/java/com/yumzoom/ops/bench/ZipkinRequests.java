package com.yumzoom.ops.bench;

import com.yumzoom.ops.bench.SyntheticSpan.Attribute;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.codec.SpanBytesEncoder;

/**
 * Encodes synthetic spans as a Zipkin v2 JSON list, mapped the way the OpenTelemetry Zipkin
 * exporter maps them: attributes become string tags, the scope becomes otel.scope.name, an error
 * status becomes the error tag, events become annotations whose value carries the event attributes
 * as JSON, and CLIENT spans name their peer in remoteEndpoint.
 */
final class ZipkinRequests {

  private static final HexFormat HEX = HexFormat.of();

  private ZipkinRequests() {}

  static byte[] encode(List<SyntheticSpan> spans) {
    List<Span> list = new ArrayList<>(spans.size());
    for (SyntheticSpan s : spans) {
      list.add(span(s));
    }
    return SpanBytesEncoder.JSON_V2.encodeList(list);
  }

  static Span span(SyntheticSpan s) {
    long startMicros = s.startEpochNanos() / 1_000;
    Span.Builder b =
        Span.newBuilder()
            .traceId(HEX.formatHex(s.traceId()))
            .id(HEX.formatHex(s.spanId()))
            .name(s.name())
            .timestamp(startMicros)
            .duration(Math.max(1, (s.endEpochNanos() - s.startEpochNanos()) / 1_000))
            .localEndpoint(
                Endpoint.newBuilder()
                    .serviceName(s.instance().service())
                    .ip(s.instance().ipv4())
                    .build());
    if (s.parentSpanId().length > 0) {
      b.parentId(HEX.formatHex(s.parentSpanId()));
    }
    switch (s.kind()) {
      case SERVER -> b.kind(Span.Kind.SERVER);
      case CLIENT -> b.kind(Span.Kind.CLIENT);
      case PRODUCER -> b.kind(Span.Kind.PRODUCER);
      case CONSUMER -> b.kind(Span.Kind.CONSUMER);
      case INTERNAL -> {}
    }
    if (s.remoteService() != null) {
      b.remoteEndpoint(Endpoint.newBuilder().serviceName(s.remoteService()).build());
    }
    for (Attribute a : s.attributes()) {
      b.putTag(a.key(), String.valueOf(a.value()));
    }
    b.putTag("otel.scope.name", OtlpRequests.scopeName(s));
    if (s.error()) {
      b.putTag("otel.status_code", "ERROR");
      b.putTag("error", s.statusMessage());
    }
    for (SyntheticSpan.Event e : s.events()) {
      b.addAnnotation(e.epochNanos() / 1_000, annotation(e));
    }
    return b.build();
  }

  private static String annotation(SyntheticSpan.Event e) {
    StringBuilder sb = new StringBuilder("\"").append(e.name()).append("\":{");
    for (int i = 0; i < e.attributes().size(); i++) {
      Attribute a = e.attributes().get(i);
      if (i > 0) {
        sb.append(',');
      }
      sb.append('"').append(a.key()).append("\":");
      if (a.value() instanceof String str) {
        sb.append('"')
            .append(
                str.replace("\\", "\\\\")
                    .replace("\"", "\\\"")
                    .replace("\n", "\\n")
                    .replace("\t", "\\t"))
            .append('"');
      } else {
        sb.append(a.value());
      }
    }
    return sb.append('}').toString();
  }
}
