package com.yumzoom.ops.query;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import com.yumzoom.ops.store.SpanRow;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the stored rows of one trace back into OTLP: spans regrouped under their resource and
 * instrumentation scope, groups in the order of their earliest span, spans in start order.
 *
 * <p>Design: a row carries its resource+scope as a serialized "envelope" and rows from one received
 * batch share the same array, so grouping first looks the array up by identity and only hashes its
 * content (ByteBuffer equality) on a miss; an envelope is parsed once per group, not per span.
 * {@link #toProtobuf} never parses the spans at all: it writes each group's {@code ResourceSpans}
 * with the span bytes copied in as the length-delimited field 2 of {@code ScopeSpans}, which is
 * exactly what protobuf would have produced, so a trace of thousands of spans costs one copy. The
 * result is wire-compatible with Tempo's {@code tempopb.Trace} (field 1, repeated ResourceSpans).
 * Rows that are byte-for-byte duplicates (a client retry stored twice) appear once; rows that only
 * share a span id (Zipkin's shared client/server spans) all appear.
 */
public final class TraceAssembler {

  private static final Logger LOG = LoggerFactory.getLogger(TraceAssembler.class);
  private static final Comparator<SpanRow> BY_START =
      Comparator.comparingLong(SpanRow::startEpochNanos);

  private TraceAssembler() {}

  /** The trace as a message; spans whose stored bytes do not parse are left out and logged. */
  public static TracesData assemble(List<SpanRow> rows) {
    TracesData.Builder out = TracesData.newBuilder();
    int unreadable = 0;
    for (Group group : group(rows)) {
      ScopeSpans.Builder scope = group.scopeSpans().toBuilder().clearSpans();
      for (byte[] span : group.spans) {
        try {
          scope.addSpans(Span.parseFrom(span));
        } catch (InvalidProtocolBufferException e) {
          unreadable++;
        }
      }
      out.addResourceSpans(
          group.envelope.toBuilder().clearScopeSpans().addScopeSpans(scope).build());
    }
    if (unreadable > 0) {
      LOG.warn("left out {} stored spans that are not valid OTLP", unreadable);
    }
    return out.build();
  }

  /** The serialized {@link TracesData}, built without parsing the spans. */
  public static byte[] toProtobuf(List<SpanRow> rows) {
    List<Group> groups = group(rows);
    int[] sizes = new int[groups.size()];
    long total = 0;
    for (int i = 0; i < groups.size(); i++) {
      sizes[i] = groups.get(i).resourceSpansSize();
      total +=
          CodedOutputStream.computeTagSize(1)
              + CodedOutputStream.computeUInt32SizeNoTag(sizes[i])
              + (long) sizes[i];
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("trace too large to serialize: " + total + " bytes");
    }
    byte[] buffer = new byte[(int) total];
    CodedOutputStream out = CodedOutputStream.newInstance(buffer);
    try {
      for (int i = 0; i < groups.size(); i++) {
        out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(sizes[i]);
        groups.get(i).writeResourceSpans(out);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer;
  }

  private static List<Group> group(List<SpanRow> rows) {
    SpanRow[] sorted = rows.toArray(SpanRow[]::new);
    Arrays.sort(sorted, BY_START); // stable; nearly free when the store already sorted
    Map<byte[], Group> byIdentity = new IdentityHashMap<>();
    Map<ByteBuffer, Group> byContent = new HashMap<>();
    Map<Long, List<byte[]>> seen = new HashMap<>(sorted.length * 2);
    List<Group> groups = new ArrayList<>();
    for (SpanRow row : sorted) {
      if (isDuplicate(seen, row)) {
        continue;
      }
      Group group = byIdentity.get(row.envelope());
      if (group == null) {
        group = byContent.get(ByteBuffer.wrap(row.envelope()));
        if (group == null) {
          group = new Group(parseEnvelope(row.envelope()));
          byContent.put(ByteBuffer.wrap(row.envelope()), group);
          groups.add(group);
        }
        byIdentity.put(row.envelope(), group);
      }
      group.spans.add(row.span());
    }
    return groups;
  }

  private static boolean isDuplicate(Map<Long, List<byte[]>> seen, SpanRow row) {
    List<byte[]> sameId = seen.computeIfAbsent(row.spanId(), id -> new ArrayList<>(1));
    for (byte[] other : sameId) {
      if (Arrays.equals(other, row.span())) {
        return true;
      }
    }
    sameId.add(row.span());
    return false;
  }

  private static ResourceSpans parseEnvelope(byte[] envelope) {
    try {
      return ResourceSpans.parseFrom(envelope);
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("stored span envelope is not a valid ResourceSpans; showing it without resource");
      return ResourceSpans.getDefaultInstance();
    }
  }

  private static final class Group {
    final ResourceSpans envelope;
    final List<byte[]> spans = new ArrayList<>();
    private int scopeSpansSize = -1;

    Group(ResourceSpans envelope) {
      this.envelope = envelope;
    }

    ScopeSpans scopeSpans() {
      return envelope.getScopeSpansCount() > 0
          ? envelope.getScopeSpans(0)
          : ScopeSpans.getDefaultInstance();
    }

    /** Computed once, after all spans were added, for both the size pass and the write. */
    private int scopeSpansSize() {
      if (scopeSpansSize >= 0) {
        return scopeSpansSize;
      }
      ScopeSpans scope = scopeSpans();
      int size = 0;
      if (scope.hasScope()) {
        size += CodedOutputStream.computeMessageSize(1, scope.getScope());
      }
      for (byte[] span : spans) {
        size += CodedOutputStream.computeByteArraySize(2, span);
      }
      if (!scope.getSchemaUrl().isEmpty()) {
        size += CodedOutputStream.computeStringSize(3, scope.getSchemaUrl());
      }
      scopeSpansSize = size;
      return size;
    }

    int resourceSpansSize() {
      int size = 0;
      if (envelope.hasResource()) {
        size += CodedOutputStream.computeMessageSize(1, envelope.getResource());
      }
      int scope = scopeSpansSize();
      size +=
          CodedOutputStream.computeTagSize(2)
              + CodedOutputStream.computeUInt32SizeNoTag(scope)
              + scope;
      if (!envelope.getSchemaUrl().isEmpty()) {
        size += CodedOutputStream.computeStringSize(3, envelope.getSchemaUrl());
      }
      return size;
    }

    void writeResourceSpans(CodedOutputStream out) throws IOException {
      if (envelope.hasResource()) {
        out.writeMessage(1, envelope.getResource());
      }
      ScopeSpans scope = scopeSpans();
      out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(scopeSpansSize());
      if (scope.hasScope()) {
        out.writeMessage(1, scope.getScope());
      }
      for (byte[] span : spans) {
        out.writeByteArray(2, span);
      }
      if (!scope.getSchemaUrl().isEmpty()) {
        out.writeString(3, scope.getSchemaUrl());
      }
      if (!envelope.getSchemaUrl().isEmpty()) {
        out.writeString(3, envelope.getSchemaUrl());
      }
    }
  }
}
