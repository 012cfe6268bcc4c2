package com.yumzoom.ops.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import zipkin2.Annotation;
import zipkin2.Endpoint;
import zipkin2.codec.SpanBytesDecoder;

/**
 * Turns a Zipkin v2 JSON list of spans into {@link SpanRow}s holding OTLP spans, so that a trace
 * reads the same whichever protocol reported it.
 *
 * <p>The mapping follows the OpenTelemetry Collector's Zipkin receiver (zipkinv2 translator):
 * {@code localEndpoint.serviceName} becomes the resource's {@code service.name}; kinds map one to
 * one (a missing kind is UNSPECIFIED, or INTERNAL with tag {@code span.kind=internal});
 * microseconds become nanoseconds; tags become string attributes, except {@code otel.status_code},
 * {@code otel.status_description}, {@code error} (status ERROR, its value the message unless it is
 * just "true"), {@code otel.scope.name}/{@code otel.library.name} and their versions (the scope),
 * and {@code w3c.tracestate}; annotations become events; the remote endpoint becomes {@code
 * peer.service}, {@code network.peer.address} and {@code network.peer.port}, the local endpoint's
 * address and port {@code network.local.address} and {@code network.local.port}; 64-bit trace ids
 * are left-padded with zeros to 128 bits. Unlike the Collector, resource-like tags ({@code
 * host.name}, ...) stay on the span, where Zipkin put them.
 *
 * <p>Limits apply to what the client sent: span count, name length, tag count and tag value length,
 * with paths such as {@code spans[3].tags}. Unlike OTLP there is no partial success: the Zipkin
 * parser refuses the whole list when one span has a malformed or all-zero id, and so do we (400,
 * with the parser's message).
 *
 * <p>Thread-safe: holds only the limits.
 */
public final class ZipkinSpanDecoder {

  static final String PEER_SERVICE = "peer.service";
  static final String PEER_ADDRESS = "network.peer.address";
  static final String PEER_PORT = "network.peer.port";
  static final String LOCAL_ADDRESS = "network.local.address";
  static final String LOCAL_PORT = "network.local.port";

  private final IngestLimits limits;

  public ZipkinSpanDecoder(IngestLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Decodes a Zipkin v2 JSON body (a JSON array of spans).
   *
   * @throws InvalidRequestException when the body is not Zipkin v2 JSON or breaks a limit
   */
  public DecodedSpans decode(byte[] json) {
    List<zipkin2.Span> spans;
    try {
      spans = SpanBytesDecoder.JSON_V2.decodeList(json);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "body is not a Zipkin v2 JSON list of spans: " + e.getMessage());
    }
    return decode(spans);
  }

  DecodedSpans decode(List<zipkin2.Span> spans) {
    if (spans.size() > limits.maxSpansPerRequest()) {
      throw LimitMessages.tooManySpans("request", spans.size(), limits.maxSpansPerRequest());
    }
    for (int i = 0; i < spans.size(); i++) {
      check(spans.get(i), i);
    }
    List<SpanRow> rows = new ArrayList<>(spans.size());
    Map<EnvelopeKey, Envelope> envelopes = new HashMap<>();
    TagWriter tags = new TagWriter();
    for (int i = 0; i < spans.size(); i++) {
      zipkin2.Span z = spans.get(i);
      // zipkin2 refuses all-zero and malformed ids while parsing, so these are valid.
      TraceId traceId = TraceId.fromHex(z.traceId());
      long spanId = HexFormat.fromHexDigitsToLong(z.id());
      long parentId = z.parentId() == null ? 0 : HexFormat.fromHexDigitsToLong(z.parentId());
      if (parentId == spanId) {
        parentId = 0; // as the Collector does: a span cannot be its own parent
      }
      Converted converted = convert(z, traceId, spanId, parentId);
      Envelope envelope =
          envelopes.computeIfAbsent(
              new EnvelopeKey(z.localServiceName(), converted.scopeName, converted.scopeVersion),
              key -> Envelope.of(key, tags));
      rows.add(
          OtlpTraceDecoder.row(
              converted.span,
              traceId.high(),
              traceId.low(),
              spanId,
              parentId,
              envelope.serviceName,
              tags.spanTags(envelope.resourceTags, converted.span.getAttributesList()),
              envelope.bytes));
    }
    return new DecodedSpans(rows, 0, "");
  }

  private void check(zipkin2.Span span, int index) {
    String name = span.name();
    if (name != null && name.length() > limits.maxSpanNameLength()) {
      throw LimitMessages.nameTooLong(
          "spans[" + index + "].name", name.length(), limits.maxSpanNameLength());
    }
    Map<String, String> tags = span.tags();
    if (tags.size() > limits.maxAttributesPerSpan()) {
      throw LimitMessages.tooManyAttributes(
          "spans[" + index + "].tags", tags.size(), limits.maxAttributesPerSpan());
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      if (tag.getValue().length() > limits.maxAttributeValueLength()) {
        throw LimitMessages.valueTooLong(
            "spans[" + index + "].tags",
            tag.getKey(),
            tag.getValue().length(),
            limits.maxAttributeValueLength());
      }
    }
  }

  private record Converted(Span span, String scopeName, String scopeVersion) {}

  private static Converted convert(zipkin2.Span z, TraceId traceId, long spanId, long parentId) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(UnsafeByteOperations.unsafeWrap(traceId.toBytes()))
            .setSpanId(idBytes(spanId))
            .setName(z.name() == null ? "" : z.name());
    if (parentId != 0) {
      b.setParentSpanId(idBytes(parentId));
    }
    long start = z.timestampAsLong() * 1000;
    b.setStartTimeUnixNano(start).setEndTimeUnixNano(start + z.durationAsLong() * 1000);

    String statusCode = null;
    String statusDescription = null;
    String error = null;
    String scopeName = "";
    String scopeVersion = "";
    Span.SpanKind kind = kind(z.kind());
    for (Map.Entry<String, String> tag : z.tags().entrySet()) {
      String key = tag.getKey();
      String value = tag.getValue();
      switch (key) {
        case "otel.status_code" -> statusCode = value;
        case "otel.status_description" -> statusDescription = value;
        case "error" -> error = value;
        case "otel.scope.name", "otel.library.name" -> scopeName = value;
        case "otel.scope.version", "otel.library.version" -> scopeVersion = value;
        case "w3c.tracestate" -> b.setTraceState(value);
        case "span.kind" -> {
          if (z.kind() == null && value.equals("internal")) {
            kind = Span.SpanKind.SPAN_KIND_INTERNAL;
          } else if (z.kind() != null) {
            b.addAttributes(string(key, value));
          }
        }
        default -> b.addAttributes(string(key, value));
      }
    }
    b.setKind(kind);
    addEndpoint(b, z.localEndpoint(), LOCAL_ADDRESS, LOCAL_PORT, false);
    addEndpoint(b, z.remoteEndpoint(), PEER_ADDRESS, PEER_PORT, true);

    Status.StatusCode code = Status.StatusCode.STATUS_CODE_UNSET;
    if (statusCode != null) {
      code =
          switch (statusCode) {
            case "OK", "STATUS_CODE_OK" -> Status.StatusCode.STATUS_CODE_OK;
            case "ERROR", "STATUS_CODE_ERROR" -> Status.StatusCode.STATUS_CODE_ERROR;
            default -> Status.StatusCode.STATUS_CODE_UNSET;
          };
    }
    String message = statusDescription == null ? "" : statusDescription;
    if (error != null) {
      code = Status.StatusCode.STATUS_CODE_ERROR;
      if (message.isEmpty() && !error.equals("true")) {
        message = error;
      }
    }
    if (code != Status.StatusCode.STATUS_CODE_UNSET || !message.isEmpty()) {
      b.setStatus(Status.newBuilder().setCode(code).setMessage(message));
    }

    for (Annotation a : z.annotations()) {
      b.addEvents(Span.Event.newBuilder().setTimeUnixNano(a.timestamp() * 1000).setName(a.value()));
    }
    return new Converted(b.build(), scopeName, scopeVersion);
  }

  private static void addEndpoint(
      Span.Builder b, Endpoint e, String addressKey, String portKey, boolean remote) {
    if (e == null) {
      return;
    }
    if (remote && e.serviceName() != null) {
      b.addAttributes(string(PEER_SERVICE, e.serviceName()));
    }
    String address = e.ipv4() != null ? e.ipv4() : e.ipv6();
    if (address != null) {
      b.addAttributes(string(addressKey, address));
    }
    if (e.portAsInt() > 0) {
      b.addAttributes(
          KeyValue.newBuilder()
              .setKey(portKey)
              .setValue(AnyValue.newBuilder().setIntValue(e.portAsInt())));
    }
  }

  private static Span.SpanKind kind(zipkin2.Span.Kind kind) {
    if (kind == null) {
      return Span.SpanKind.SPAN_KIND_UNSPECIFIED;
    }
    return switch (kind) {
      case SERVER -> Span.SpanKind.SPAN_KIND_SERVER;
      case CLIENT -> Span.SpanKind.SPAN_KIND_CLIENT;
      case PRODUCER -> Span.SpanKind.SPAN_KIND_PRODUCER;
      case CONSUMER -> Span.SpanKind.SPAN_KIND_CONSUMER;
    };
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static ByteString idBytes(long id) {
    byte[] bytes = new byte[8];
    TraceId.writeLong(bytes, 0, id);
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  /** Spans of one service and scope share a resource, hence one envelope and one tag prefix. */
  private record EnvelopeKey(String serviceName, String scopeName, String scopeVersion) {}

  private record Envelope(String serviceName, String resourceTags, byte[] bytes) {

    static Envelope of(EnvelopeKey key, TagWriter tags) {
      Resource.Builder resource = Resource.newBuilder();
      if (key.serviceName() != null) {
        resource.addAttributes(string(OtlpTraceDecoder.SERVICE_NAME, key.serviceName()));
      }
      byte[] bytes =
          ResourceSpans.newBuilder()
              .setResource(resource)
              .addScopeSpans(
                  ScopeSpans.newBuilder()
                      .setScope(
                          InstrumentationScope.newBuilder()
                              .setName(key.scopeName())
                              .setVersion(key.scopeVersion())))
              .build()
              .toByteArray();
      return new Envelope(
          key.serviceName() == null ? OtlpTraceDecoder.UNKNOWN_SERVICE : key.serviceName(),
          tags.resourcePrefix(resource.getAttributesList()),
          bytes);
    }
  }
}
