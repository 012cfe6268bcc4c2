package com.yumzoom.ops.marketplace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.jdbc.datasource.JdbcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The marketplace's OpenTelemetry: the SDK in this process, configured like any OpenTelemetry
 * application (OTEL_* environment variables and otel.* system properties; OTLP over HTTP/protobuf
 * to http://localhost:4318 unless told otherwise), with service.name yumzoom-marketplace.
 *
 * <p>Disabled, it is the no-op API: the same code runs with nothing recorded, which is what the
 * benchmark's "without instrumentation" column measures.
 */
public final class Telemetry implements AutoCloseable {

  static final String SERVICE_NAME = "yumzoom-marketplace";
  static final String SCOPE = "com.yumzoom.ops.marketplace";

  static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
  static final AttributeKey<String> EXCEPTION_STACKTRACE =
      AttributeKey.stringKey("exception.stacktrace");
  static final AttributeKey<String> CUISINE = AttributeKey.stringKey("restaurant.cuisine");
  static final AttributeKey<Long> RATING = AttributeKey.longKey("review.rating");

  private final OpenTelemetrySdk sdk;
  private final OpenTelemetry api;
  final Tracer tracer;
  final DoubleHistogram httpServerDuration;
  final DoubleHistogram httpClientDuration;
  final LongCounter ordersPlaced;
  final DoubleHistogram orderValue;
  final LongCounter revenue;
  final LongCounter reviewsSubmitted;
  private final io.opentelemetry.api.logs.Logger logger;

  private Telemetry(OpenTelemetrySdk sdk, OpenTelemetry api) {
    this.sdk = sdk;
    this.api = api;
    this.tracer = api.getTracer(SCOPE);
    Meter meter = api.getMeter(SCOPE);
    this.httpServerDuration =
        meter
            .histogramBuilder("http.server.request.duration")
            .setUnit("s")
            .setDescription("Duration of HTTP server requests.")
            .setExplicitBucketBoundariesAdvice(
                List.of(
                    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
                    10.0))
            .build();
    this.httpClientDuration =
        meter
            .histogramBuilder("http.client.request.duration")
            .setUnit("s")
            .setDescription("Duration of HTTP client requests.")
            .setExplicitBucketBoundariesAdvice(
                List.of(
                    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
                    10.0))
            .build();
    this.ordersPlaced =
        meter
            .counterBuilder("marketplace.orders.placed")
            .setUnit("{order}")
            .setDescription("Orders placed (replays of an idempotency key not counted).")
            .build();
    this.orderValue =
        meter
            .histogramBuilder("marketplace.order.value")
            .setUnit("{USD}")
            .setDescription("Value of placed orders.")
            .setExplicitBucketBoundariesAdvice(
                List.of(5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0, 200.0))
            .build();
    this.revenue =
        meter
            .counterBuilder("marketplace.revenue")
            .setUnit("{cent}")
            .setDescription("Value of placed orders, in cents.")
            .build();
    this.reviewsSubmitted =
        meter
            .counterBuilder("marketplace.reviews.submitted")
            .setUnit("{review}")
            .setDescription("Reviews submitted.")
            .build();
    this.logger = api.getLogsBridge().get(SCOPE);
  }

  /**
   * The SDK configured from the environment, with our defaults below it and {@code overrides}
   * (tests, the demo) above it.
   */
  public static Telemetry fromEnvironment(Map<String, String> overrides) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", SERVICE_NAME);
    defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
    defaults.put("otel.exporter.otlp.endpoint", "http://localhost:4318");
    defaults.put("otel.metric.export.interval", "10000");
    defaults.put("otel.bsp.schedule.delay", "1000");
    defaults.put("otel.bsp.max.queue.size", "8192");
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> defaults)
            .addPropertiesCustomizer(
                config -> {
                  Map<String, String> forced = new HashMap<>(overrides);
                  return forced;
                })
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    return new Telemetry(sdk, sdk);
  }

  /** Nothing recorded, nothing exported. */
  public static Telemetry disabled() {
    return new Telemetry(null, OpenTelemetry.noop());
  }

  boolean enabled() {
    return sdk != null;
  }

  OpenTelemetry openTelemetry() {
    return api;
  }

  /** Every JDBC call through the returned DataSource is a client span (db.system, db.statement). */
  DataSource instrument(DataSource dataSource) {
    if (sdk == null) {
      return dataSource;
    }
    return JdbcTelemetry.builder(api)
        .setStatementSanitizationEnabled(true)
        .setDataSourceInstrumenterEnabled(false)
        .build()
        .wrap(dataSource);
  }

  /** Records a failure on the current span and as an error log carrying the exception. */
  void recordFailure(String message, Throwable error) {
    Span span = Span.current();
    span.recordException(error);
    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, error.getClass().getSimpleName());
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    logger
        .logRecordBuilder()
        .setContext(Context.current())
        .setSeverity(Severity.ERROR)
        .setSeverityText("ERROR")
        .setBody(message + ": " + error.getMessage())
        .setAllAttributes(
            Attributes.of(
                EXCEPTION_TYPE,
                error.getClass().getName(),
                EXCEPTION_MESSAGE,
                String.valueOf(error.getMessage()),
                EXCEPTION_STACKTRACE,
                trace.toString()))
        .emit();
  }

  /** Pushes everything recorded so far (tests, and before shutdown). */
  public void flush() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
      sdk.getSdkMeterProvider().forceFlush().join(10, TimeUnit.SECONDS);
      sdk.getSdkLoggerProvider().forceFlush().join(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
