package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanErrorExtractorTest {

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  static SpanRow row(Span span) {
    byte[] envelope =
        ResourceSpans.newBuilder()
            .setResource(
                Resource.newBuilder()
                    .addAttributes(kv("service.name", "orders"))
                    .addAttributes(kv("service.version", "3.2"))
                    .addAttributes(kv("deployment.environment.name", "staging")))
            .build()
            .toByteArray();
    return new SpanRow(
        TraceId.fromHex("0af7651916cd43dd8448eb211c80319c"),
        0x1234L,
        0,
        "orders",
        span.getName(),
        2,
        1_700_000_000_000_000_000L,
        5,
        2,
        "",
        envelope,
        span.toByteArray());
  }

  @Test
  void exceptionEventsBecomeOccurrencesLinkedToTheSpan() {
    Span withException =
        Span.newBuilder()
            .setName("GET /orders")
            .addAttributes(kv("db.query.text", "UPDATE orders SET state = ? WHERE id = ?"))
            .setTraceId(
                ByteString.copyFrom(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c").toBytes()))
            .addEvents(Span.Event.newBuilder().setName("log").addAttributes(kv("m", "x")))
            .addEvents(
                Span.Event.newBuilder()
                    .setName("exception")
                    .setTimeUnixNano(1_700_000_000_123_000_000L)
                    .addAttributes(kv("exception.type", "java.lang.IllegalStateException"))
                    .addAttributes(kv("exception.message", "order 5 is closed"))
                    .addAttributes(
                        kv(
                            "exception.stacktrace",
                            "java.lang.IllegalStateException: order 5 is closed\n"
                                + "\tat com.acme.Orders.close(Orders.java:5)\n")))
            .build();
    Span plain = Span.newBuilder().setName("GET /health").build();
    List<Occurrence> found = SpanErrorExtractor.extract(List.of(row(plain), row(withException)));
    assertThat(found).hasSize(1);
    Occurrence o = found.getFirst();
    assertThat(o.source()).isEqualTo("otlp-span");
    assertThat(o.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(o.spanId()).isEqualTo("0000000000001234");
    assertThat(o.service()).isEqualTo("orders");
    assertThat(o.release()).isEqualTo("3.2");
    assertThat(o.environment()).isEqualTo("staging");
    assertThat(o.timestampMs()).isEqualTo(1_700_000_000_123L);
    assertThat(o.event().trace().rootCause().frames().getFirst().module())
        .isEqualTo("com.acme.Orders");
    assertThat(o.event().tags())
        .containsEntry("transaction", "GET /orders")
        .containsEntry("db.statement", "UPDATE orders SET state = ? WHERE id = ?");
    // the id is derived from trace, span and event index, so the same span event keeps its id
    assertThat(SpanErrorExtractor.extract(List.of(row(withException))).getFirst().id())
        .isEqualTo(o.id());
  }
}
