package com.yumzoom.ops.ingest;

import com.google.protobuf.ByteString;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns an OTLP export request into {@link SpanRow}s, applying {@link IngestLimits}.
 *
 * <p>Design: one pass over the request. A limit violation rejects the whole request (the client
 * sent something we will never accept, and a 400 tells it so); a span with an unusable id is
 * dropped alone and reported through OTLP partial success, so one bad span does not cost the batch.
 * Per resource the tag lines and the service name are computed once, per scope the envelope bytes
 * once (shared by all its spans); per span the work is the limit checks, one tag string and {@code
 * span.toByteArray()}. No maps, no regular expressions, no JSON library.
 *
 * <p>Thread-safe: holds only the limits.
 */
public final class OtlpTraceDecoder {

  static final String SERVICE_NAME = "service.name";
  static final String UNKNOWN_SERVICE = "unknown_service";

  private static final int BAD_TRACE_ID = 0;
  private static final int BAD_SPAN_ID = 1;
  private static final int BAD_PARENT_ID = 2;
  private static final String[] REASONS = {
    "an invalid traceId (must be 16 bytes, not all zero)",
    "an invalid spanId (must be 8 bytes, not all zero)",
    "an invalid parentSpanId (must be empty or 8 bytes)",
  };

  private final IngestLimits limits;

  public OtlpTraceDecoder(IngestLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Decodes a request.
   *
   * @throws InvalidRequestException when the request breaks a limit; nothing of it is kept
   */
  public DecodedSpans decode(ExportTraceServiceRequest request) {
    long total = countSpans(request);
    if (total > limits.maxSpansPerRequest()) {
      throw LimitMessages.tooManySpans(
          "resourceSpans[*].scopeSpans[*].spans", total, limits.maxSpansPerRequest());
    }
    List<SpanRow> rows = new ArrayList<>((int) total);
    TagWriter tags = new TagWriter();
    int[] rejected = new int[REASONS.length];
    String[] firstRejected = new String[REASONS.length];

    for (int r = 0, nr = request.getResourceSpansCount(); r < nr; r++) {
      ResourceSpans rs = request.getResourceSpans(r);
      Resource resource = rs.getResource();
      checkAttributes(resource.getAttributesList(), r, -1, -1);
      String serviceName = serviceName(resource.getAttributesList());
      String resourceTags = tags.resourcePrefix(resource.getAttributesList());

      for (int s = 0, ns = rs.getScopeSpansCount(); s < ns; s++) {
        ScopeSpans ss = rs.getScopeSpans(s);
        byte[] envelope = null;
        for (int k = 0, nk = ss.getSpansCount(); k < nk; k++) {
          Span span = ss.getSpans(k);
          checkSpan(span, r, s, k);
          int bad = invalidId(span);
          if (bad >= 0) {
            if (rejected[bad]++ == 0) {
              firstRejected[bad] = spanPath(r, s, k);
            }
            continue;
          }
          if (envelope == null) {
            envelope = envelope(rs, ss);
          }
          ByteString traceId = span.getTraceId();
          ByteString parent = span.getParentSpanId();
          rows.add(
              row(
                  span,
                  readLong(traceId, 0),
                  readLong(traceId, 8),
                  readLong(span.getSpanId(), 0),
                  parent.isEmpty() ? 0 : readLong(parent, 0),
                  serviceName,
                  tags.spanTags(resourceTags, span.getAttributesList()),
                  envelope));
        }
      }
    }
    return new DecodedSpans(rows, total - rows.size(), rejectionMessage(rejected, firstRejected));
  }

  static long countSpans(ExportTraceServiceRequest request) {
    long total = 0;
    for (int r = 0, nr = request.getResourceSpansCount(); r < nr; r++) {
      ResourceSpans rs = request.getResourceSpans(r);
      for (int s = 0, ns = rs.getScopeSpansCount(); s < ns; s++) {
        total += rs.getScopeSpans(s).getSpansCount();
      }
    }
    return total;
  }

  /** Builds the row of a span whose ids were already checked. */
  static SpanRow row(
      Span span,
      long traceHigh,
      long traceLow,
      long spanId,
      long parentSpanId,
      String serviceName,
      String tags,
      byte[] envelope) {
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();
    return new SpanRow(
        new TraceId(traceHigh, traceLow),
        spanId,
        parentSpanId,
        serviceName,
        span.getName(),
        span.getKindValue(),
        start,
        end > start ? end - start : 0,
        span.getStatus().getCodeValue(),
        tags,
        envelope,
        span.toByteArray());
  }

  /** The resource and the scope without any span: what a stored span needs to be re-exported. */
  static byte[] envelope(ResourceSpans rs, ScopeSpans ss) {
    return ResourceSpans.newBuilder()
        .setResource(rs.getResource())
        .setSchemaUrl(rs.getSchemaUrl())
        .addScopeSpans(
            ScopeSpans.newBuilder().setScope(ss.getScope()).setSchemaUrl(ss.getSchemaUrl()))
        .build()
        .toByteArray();
  }

  static String serviceName(List<KeyValue> resourceAttributes) {
    for (int i = 0, n = resourceAttributes.size(); i < n; i++) {
      KeyValue kv = resourceAttributes.get(i);
      if (kv.getKey().equals(SERVICE_NAME)
          && kv.getValue().getValueCase() == AnyValue.ValueCase.STRING_VALUE
          && !kv.getValue().getStringValue().isEmpty()) {
        return kv.getValue().getStringValue();
      }
    }
    return UNKNOWN_SERVICE;
  }

  private void checkSpan(Span span, int r, int s, int k) {
    int nameLength = span.getName().length();
    if (nameLength > limits.maxSpanNameLength()) {
      throw LimitMessages.nameTooLong(
          spanPath(r, s, k) + ".name", nameLength, limits.maxSpanNameLength());
    }
    checkAttributes(span.getAttributesList(), r, s, k);
  }

  /** Checks attribute count and value lengths; {@code s < 0} means resource attributes. */
  private void checkAttributes(List<KeyValue> attributes, int r, int s, int k) {
    int count = attributes.size();
    if (count > limits.maxAttributesPerSpan()) {
      throw LimitMessages.tooManyAttributes(
          attributesPath(r, s, k), count, limits.maxAttributesPerSpan());
    }
    int max = limits.maxAttributeValueLength();
    for (int i = 0; i < count; i++) {
      KeyValue kv = attributes.get(i);
      TooLong tooLong = tooLong(kv.getValue(), max);
      if (tooLong != null) {
        throw LimitMessages.valueTooLong(
            attributesPath(r, s, k) + "[" + i + "].value" + tooLong.path,
            kv.getKey(),
            tooLong.length,
            max);
      }
    }
  }

  /**
   * The first string inside {@code value} longer than {@code max}, or null; allocates only then.
   */
  static TooLong tooLong(AnyValue value, int max) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> {
        int length = value.getStringValue().length();
        return length > max ? new TooLong("", length) : null;
      }
      case ARRAY_VALUE -> {
        ArrayValue array = value.getArrayValue();
        for (int i = 0, n = array.getValuesCount(); i < n; i++) {
          TooLong inner = tooLong(array.getValues(i), max);
          if (inner != null) {
            return new TooLong(".arrayValue.values[" + i + "]" + inner.path, inner.length);
          }
        }
        return null;
      }
      case KVLIST_VALUE -> {
        KeyValueList list = value.getKvlistValue();
        for (int i = 0, n = list.getValuesCount(); i < n; i++) {
          TooLong inner = tooLong(list.getValues(i).getValue(), max);
          if (inner != null) {
            return new TooLong(".kvlistValue.values[" + i + "].value" + inner.path, inner.length);
          }
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }

  record TooLong(String path, int length) {}

  /** The index into {@link #REASONS} of why the span's ids are unusable, or -1 if they are fine. */
  private static int invalidId(Span span) {
    ByteString traceId = span.getTraceId();
    if (traceId.size() != 16 || (readLong(traceId, 0) == 0 && readLong(traceId, 8) == 0)) {
      return BAD_TRACE_ID;
    }
    ByteString spanId = span.getSpanId();
    if (spanId.size() != 8 || readLong(spanId, 0) == 0) {
      return BAD_SPAN_ID;
    }
    int parentSize = span.getParentSpanId().size();
    if (parentSize != 0 && parentSize != 8) {
      return BAD_PARENT_ID;
    }
    return -1;
  }

  private static String rejectionMessage(int[] rejected, String[] firstRejected) {
    StringBuilder sb = null;
    for (int i = 0; i < rejected.length; i++) {
      if (rejected[i] == 0) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder("rejected ");
      } else {
        sb.append("; ");
      }
      sb.append(rejected[i])
          .append(rejected[i] == 1 ? " span with " : " spans with ")
          .append(REASONS[i])
          .append(", first at ")
          .append(firstRejected[i]);
    }
    return sb == null ? "" : sb.toString();
  }

  static long readLong(ByteString bytes, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (bytes.byteAt(offset + i) & 0xFFL);
    }
    return v;
  }

  private static String spanPath(int r, int s, int k) {
    return "resourceSpans[" + r + "].scopeSpans[" + s + "].spans[" + k + "]";
  }

  private static String attributesPath(int r, int s, int k) {
    return s < 0
        ? "resourceSpans[" + r + "].resource.attributes"
        : spanPath(r, s, k) + ".attributes";
  }
}
