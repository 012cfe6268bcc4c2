package com.yumzoom.ops.store;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds {@link SpanRow} values the way ingest does: real OTLP {@code Span} and {@code
 * ResourceSpans} protos for the bytes, and the searchable columns derived from the same data.
 */
public final class TestSpans {

  /** 2025-03-01T00:00:00Z: tests place their data at offsets from here. */
  public static final long BASE =
      TimeUnit.SECONDS.toNanos(Instant.parse("2025-03-01T00:00:00Z").getEpochSecond());

  public static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  public static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  public static final long HOUR = TimeUnit.HOURS.toNanos(1);
  public static final long DAY = TimeUnit.DAYS.toNanos(1);

  private TestSpans() {}

  /** A distinct, valid trace id for each n; both halves vary so no backend can rely on one. */
  public static TraceId traceId(long n) {
    return new TraceId(n * 0x9E3779B97F4A7C15L ^ 0x5DEECE66DL, n * 0xBF58476D1CE4E5B9L + 1);
  }

  public static Builder span(TraceId traceId, long spanId) {
    return new Builder(traceId, spanId);
  }

  /** A mutable recipe for one span; {@link #build()} can be called more than once. */
  public static final class Builder {
    private final TraceId traceId;
    private final long spanId;
    private long parentSpanId;
    private String service = "api";
    private String name = "GET /";
    private int kind = SpanRow.KIND_SERVER;
    private long start = BASE;
    private long duration = MS;
    private int status;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private final Map<String, String> resource = new LinkedHashMap<>();
    private String scope = "io.opentelemetry.test";

    private Builder(TraceId traceId, long spanId) {
      this.traceId = traceId;
      this.spanId = spanId;
    }

    public Builder parent(long parentSpanId) {
      this.parentSpanId = parentSpanId;
      return this;
    }

    public Builder service(String service) {
      this.service = service;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder kind(int kind) {
      this.kind = kind;
      return this;
    }

    public Builder start(long startEpochNanos) {
      this.start = startEpochNanos;
      return this;
    }

    public Builder duration(long durationNanos) {
      this.duration = durationNanos;
      return this;
    }

    public Builder error() {
      this.status = SpanRow.STATUS_ERROR;
      return this;
    }

    public Builder status(int statusCode) {
      this.status = statusCode;
      return this;
    }

    public Builder attr(String key, String value) {
      attributes.put(key, value);
      return this;
    }

    public Builder resourceAttr(String key, String value) {
      resource.put(key, value);
      return this;
    }

    public Builder scope(String scope) {
      this.scope = scope;
      return this;
    }

    public SpanRow build() {
      Map<String, String> resourceAttributes = new LinkedHashMap<>();
      resourceAttributes.put("service.name", service);
      resourceAttributes.putAll(resource);
      byte[] envelope = envelope(resourceAttributes, scope);
      Span.Builder span =
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(traceId.toBytes()))
              .setSpanId(ByteString.copyFrom(idBytes(spanId)))
              .setName(name)
              .setKind(Span.SpanKind.forNumber(kind))
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(start + duration)
              .setStatus(Status.newBuilder().setCodeValue(status));
      if (parentSpanId != 0) {
        span.setParentSpanId(ByteString.copyFrom(idBytes(parentSpanId)));
      }
      attributes.forEach((k, v) -> span.addAttributes(keyValue(k, v)));
      Map<String, String> all = new LinkedHashMap<>(resourceAttributes);
      all.putAll(attributes);
      return new SpanRow(
          traceId,
          spanId,
          parentSpanId,
          service,
          name,
          kind,
          start,
          duration,
          status,
          SpanTags.of(all),
          envelope,
          span.build().toByteArray());
    }
  }

  /** {@code ResourceSpans} with the resource and one scope, without spans, as ingest stores it. */
  public static byte[] envelope(Map<String, String> resourceAttributes, String scope) {
    Resource.Builder resource = Resource.newBuilder();
    resourceAttributes.forEach((k, v) -> resource.addAttributes(keyValue(k, v)));
    return ResourceSpans.newBuilder()
        .setResource(resource)
        .addScopeSpans(
            ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName(scope).setVersion("1.0.0")))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
        .build()
        .toByteArray();
  }

  static KeyValue keyValue(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static byte[] idBytes(long id) {
    byte[] out = new byte[8];
    TraceId.writeLong(out, 0, id);
    return out;
  }

  /**
   * Realistic traffic for load figures: a few services calling each other, 10 to 30 attributes per
   * span (some of them high-cardinality ids), span payloads of roughly 600 to 1000 bytes. The
   * envelope array is shared by all spans of one service, as ingest shares it per scope.
   */
  public static final class Generator {
    private static final String[] SERVICES = {
      "frontend", "checkout", "cart", "catalog", "payment", "shipping", "auth", "search"
    };
    private static final String[] ROUTES = {
      "/api/orders/{id}",
      "/api/cart",
      "/api/products",
      "/api/products/{id}",
      "/api/login",
      "/api/search",
      "/api/shipping/quote",
      "/api/payment/charge"
    };
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    private static final String[] TABLES = {"orders", "carts", "products", "users", "payments"};

    private final SplittableRandom random;
    private final Map<String, byte[]> envelopes = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> resources = new LinkedHashMap<>();
    private long nextTrace;
    private long clock;

    public Generator(long seed, long startEpochNanos) {
      this.random = new SplittableRandom(seed);
      this.nextTrace = seed << 32;
      this.clock = startEpochNanos;
      for (String service : SERVICES) {
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("service.name", service);
        resource.put("service.version", "2.4." + random.nextInt(10));
        resource.put("service.namespace", "yumzoom");
        resource.put("deployment.environment", "production");
        resource.put(
            "host.name", service + "-" + Long.toHexString(random.nextLong()).substring(0, 6));
        resource.put("k8s.pod.name", service + "-7d9f8b6c4-" + random.nextInt(100_000));
        resource.put("telemetry.sdk.name", "opentelemetry");
        resource.put("telemetry.sdk.language", "java");
        resource.put("telemetry.sdk.version", "1.55.0");
        envelopes.put(service, envelope(resource, "io.opentelemetry.armeria-1.3"));
        resources.put(service, resource);
      }
    }

    /** The next trace's spans; the clock advances by {@code gapNanos} between traces. */
    public List<SpanRow> nextTrace(long gapNanos) {
      TraceId traceId = traceId(++nextTrace);
      clock += gapNanos;
      int spans = 3 + random.nextInt(12);
      List<SpanRow> out = new ArrayList<>(spans);
      long rootId = random.nextLong() | 1;
      long rootDuration = (5 + random.nextInt(400)) * MS;
      String rootService = SERVICES[0];
      String route = ROUTES[random.nextInt(ROUTES.length)];
      out.add(
          row(traceId, rootId, 0, rootService, SpanRow.KIND_SERVER, route, clock, rootDuration));
      for (int i = 1; i < spans; i++) {
        SpanRow parent = out.get(random.nextInt(out.size()));
        String service = SERVICES[1 + random.nextInt(SERVICES.length - 1)];
        long start =
            parent.startEpochNanos() + random.nextLong(Math.max(1, parent.durationNanos() / 2));
        long duration = 1 + random.nextLong(Math.max(1, parent.durationNanos() / 2));
        int kind = i % 3 == 0 ? 3 : (i % 3 == 1 ? SpanRow.KIND_SERVER : 1);
        out.add(
            row(
                traceId,
                random.nextLong() | 1,
                parent.spanId(),
                service,
                kind,
                route,
                start,
                duration));
      }
      return out;
    }

    /** Spans of whole traces until at least {@code count} spans. */
    public List<SpanRow> batch(int count, long gapNanos) {
      List<SpanRow> out = new ArrayList<>(count + 16);
      while (out.size() < count) {
        out.addAll(nextTrace(gapNanos));
      }
      return out;
    }

    private SpanRow row(
        TraceId traceId,
        long spanId,
        long parent,
        String service,
        int kind,
        String route,
        long start,
        long duration) {
      String method = METHODS[random.nextInt(METHODS.length)];
      boolean error = random.nextInt(50) == 0;
      String name =
          kind == 1 ? "db " + TABLES[random.nextInt(TABLES.length)] : method + " " + route;
      Map<String, String> attrs = new LinkedHashMap<>();
      attrs.put("http.request.method", method);
      attrs.put("http.route", route);
      attrs.put("http.response.status_code", error ? "500" : "200");
      attrs.put("url.scheme", "https");
      attrs.put("url.path", route.replace("{id}", Long.toString(random.nextInt(1_000_000))));
      attrs.put("server.address", service + ".yumzoom.svc.cluster.local");
      attrs.put("server.port", "8080");
      attrs.put("network.protocol.version", "1.1");
      attrs.put(
          "user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/128.0");
      attrs.put("client.address", "10.0." + random.nextInt(256) + "." + random.nextInt(256));
      attrs.put("user.id", "u-" + random.nextInt(200_000));
      attrs.put("session.id", Long.toHexString(random.nextLong()));
      int extra = random.nextInt(19);
      for (int i = 0; i < extra; i++) {
        switch (i % 6) {
          case 0 -> attrs.put("db.system", "postgresql");
          case 1 -> attrs.put("db.collection.name", TABLES[random.nextInt(TABLES.length)]);
          case 2 ->
              attrs.put(
                  "db.query.text",
                  "SELECT id, status, total FROM "
                      + TABLES[random.nextInt(TABLES.length)]
                      + " WHERE id = $1");
          case 3 -> attrs.put("app.cart.items", Integer.toString(random.nextInt(20)));
          case 4 -> attrs.put("app.region", "eu-west-" + (1 + random.nextInt(3)));
          default -> attrs.put("app.feature." + i, random.nextBoolean() ? "on" : "off");
        }
      }
      Span.Builder span =
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(traceId.toBytes()))
              .setSpanId(ByteString.copyFrom(idBytes(spanId)))
              .setName(name)
              .setKind(Span.SpanKind.forNumber(kind))
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(start + duration)
              .setStatus(Status.newBuilder().setCodeValue(error ? SpanRow.STATUS_ERROR : 0));
      if (parent != 0) {
        span.setParentSpanId(ByteString.copyFrom(idBytes(parent)));
      }
      attrs.forEach((k, v) -> span.addAttributes(keyValue(k, v)));
      Map<String, String> all = new LinkedHashMap<>(resources.get(service));
      all.putAll(attrs);
      return new SpanRow(
          traceId,
          spanId,
          parent,
          service,
          name,
          kind,
          start,
          duration,
          error ? SpanRow.STATUS_ERROR : 0,
          SpanTags.of(all),
          envelopes.get(service),
          span.build().toByteArray());
    }
  }
}
