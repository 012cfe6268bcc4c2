package com.yumzoom.ops.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.QueryParamsBuilder;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.Ast;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
import com.yumzoom.ops.query.promql.PromqlException;
import com.yumzoom.ops.query.promql.Values;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus HTTP API ({@code /api/v1/query}, {@code query_range}, {@code labels}, {@code
 * label/{name}/values}, {@code series}, {@code metadata}, {@code status/buildinfo}) with
 * Prometheus' JSON shapes and error codes, so Grafana's Prometheus data source works against us.
 *
 * <p>Design: each request runs on its own virtual thread (store reads and evaluation block), at
 * most {@link #MAX_IN_FLIGHT} at once (503 past that, never an unbounded queue). A query's timeout
 * (default 2 m, {@code timeout} parameter) answers 503 and interrupts the thread, which the engine
 * notices between steps. Numbers are written as Prometheus writes them: times as unix seconds with
 * millisecond precision, values as strings in the shortest decimal that round-trips, never in
 * exponent form.
 */
public final class PrometheusApi {

  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
  static final int MAX_IN_FLIGHT = 16;
  static final int MAX_POINTS = 11_000;

  private static final Logger LOG = LoggerFactory.getLogger(PrometheusApi.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern PROM_DURATION =
      Pattern.compile(
          "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] DURATION_UNITS_MS = {
    365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000, 60_000, 1000, 1
  };

  private final PromqlEngine engine;
  private final SampleStore store;
  private final Clock clock;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

  private PrometheusApi(PromqlEngine engine, SampleStore store, Clock clock) {
    this.engine = engine;
    this.store = store;
    this.clock = clock;
  }

  /** Binds every endpoint of the API on {@code sb}. */
  public static void register(
      ServerBuilder sb, PromqlEngine engine, SampleStore store, Clock clock) {
    PrometheusApi api = new PrometheusApi(engine, store, clock);
    bind(sb, "/api/v1/query", api.service(api::query));
    bind(sb, "/api/v1/query_range", api.service(api::queryRange));
    bind(sb, "/api/v1/labels", api.service(api::labels));
    bind(sb, "/api/v1/series", api.service(api::series));
    sb.route()
        .path("/api/v1/label/{name}/values")
        .methods(HttpMethod.GET)
        .build(api.service((ctx, p) -> api.labelValues(ctx.pathParam("name"), p)));
    // We keep no exemplars yet; an empty answer keeps Grafana's exemplar toggle from erroring.
    sb.route()
        .path("/api/v1/query_exemplars")
        .methods(HttpMethod.GET, HttpMethod.POST)
        .build((ctx, req) -> success(g -> strings(g, List.of())));
    sb.route()
        .path("/api/v1/metadata")
        .methods(HttpMethod.GET)
        .build((ctx, req) -> success(g -> g.writeObject(Map.of())));
    sb.route()
        .path("/api/v1/status/buildinfo")
        .methods(HttpMethod.GET)
        .build((ctx, req) -> success(PrometheusApi::buildInfo));
  }

  private static void bind(ServerBuilder sb, String path, HttpService service) {
    sb.route().path(path).methods(HttpMethod.GET, HttpMethod.POST).build(service);
  }

  /** An error in Prometheus' shape: errorType and HTTP status. */
  static final class ApiError extends RuntimeException {
    final HttpStatus status;
    final String type;

    ApiError(HttpStatus status, String type, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
    }

    static ApiError badData(String message) {
      return new ApiError(HttpStatus.BAD_REQUEST, "bad_data", message);
    }

    static ApiError param(String name, String problem) {
      return badData("invalid parameter \"" + name + "\": " + problem);
    }
  }

  @FunctionalInterface
  interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, QueryParams params) throws Exception;
  }

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private HttpService service(Handler handler) {
    return (ctx, req) ->
        HttpResponse.of(
            req.aggregate()
                .thenCompose(
                    agg -> {
                      QueryParamsBuilder b = ctx.queryParams().toBuilder();
                      if (agg.method() == HttpMethod.POST) {
                        b.add(QueryParams.fromQueryString(agg.contentUtf8()));
                      }
                      return run(ctx, b.build(), handler);
                    }));
  }

  private CompletableFuture<HttpResponse> run(
      ServiceRequestContext ctx, QueryParams params, Handler handler) {
    Duration timeout;
    try {
      timeout = timeout(params);
    } catch (ApiError e) {
      return CompletableFuture.completedFuture(error(e.status, e.type, e.getMessage()));
    }
    if (!inFlight.tryAcquire()) {
      return CompletableFuture.completedFuture(
          error(
              HttpStatus.SERVICE_UNAVAILABLE,
              "unavailable",
              "too many queries in progress (at most " + MAX_IN_FLIGHT + "); retry shortly"));
    }
    // Our own timeout answers first; Armeria's request timeout must not cut it short.
    ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, timeout.plusSeconds(5));
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    Thread worker;
    try {
      worker =
          Thread.ofVirtual()
              .name("promql-api")
              .start(
                  () -> {
                    try {
                      response.complete(handle(handler, ctx, params));
                    } finally {
                      inFlight.release();
                    }
                  });
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    ScheduledFuture<?> timer =
        ctx.eventLoop()
            .schedule(
                () -> {
                  if (response.complete(
                      error(
                          HttpStatus.SERVICE_UNAVAILABLE,
                          "timeout",
                          "query timed out in expression evaluation"))) {
                    worker.interrupt();
                  }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
    response.whenComplete((r, t) -> timer.cancel(false));
    return response;
  }

  private static HttpResponse handle(
      Handler handler, ServiceRequestContext ctx, QueryParams params) {
    try {
      return handler.handle(ctx, params);
    } catch (ApiError e) {
      return error(e.status, e.type, e.getMessage());
    } catch (PromqlException e) {
      return switch (e.errorType()) {
        case "bad_data" -> error(HttpStatus.BAD_REQUEST, "bad_data", e.getMessage());
        case "canceled" -> error(HttpStatus.SERVICE_UNAVAILABLE, "timeout", e.getMessage());
        default -> error(HttpStatus.UNPROCESSABLE_ENTITY, "execution", e.getMessage());
      };
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.BAD_REQUEST, "bad_data", e.getMessage());
    } catch (Exception e) {
      LOG.warn("Prometheus API {} failed", ctx.path(), e);
      return error(
          HttpStatus.INTERNAL_SERVER_ERROR,
          "internal",
          "the query failed: " + e.getClass().getSimpleName());
    }
  }

  // ---- endpoints

  private HttpResponse query(ServiceRequestContext ctx, QueryParams p) {
    long t = time(p, "time", clock.millis());
    Ast.Expr expr = parseQuery(p);
    Values.Value v = engine.instant(expr, t);
    return success(
        g -> {
          g.writeStartObject();
          switch (v) {
            case Values.Scalar s -> {
              g.writeStringField("resultType", "scalar");
              g.writeFieldName("result");
              point(g, t, formatValue(s.value()));
            }
            case Values.Str s -> {
              g.writeStringField("resultType", "string");
              g.writeFieldName("result");
              point(g, t, s.value());
            }
            case Values.Vector vec -> {
              g.writeStringField("resultType", "vector");
              g.writeArrayFieldStart("result");
              for (Values.Sample s : vec.samples()) {
                g.writeStartObject();
                metric(g, s.labels());
                g.writeFieldName("value");
                point(g, t, formatValue(s.value()));
                g.writeEndObject();
              }
              g.writeEndArray();
            }
            case Values.Matrix m -> matrix(g, m);
          }
          g.writeEndObject();
        });
  }

  private HttpResponse queryRange(ServiceRequestContext ctx, QueryParams p) {
    long start = time(p, "start", null);
    long end = time(p, "end", null);
    if (end < start) {
      throw ApiError.param("end", "end timestamp must not be before start time");
    }
    long step = duration(p, "step");
    if (step <= 0) {
      throw ApiError.param(
          "step",
          "zero or negative query resolution step widths are not accepted. Try a positive"
              + " integer");
    }
    if ((end - start) / step > MAX_POINTS) {
      throw ApiError.badData(
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query"
              + " resolution (?step=XX)");
    }
    Ast.Expr expr = parseQuery(p);
    Values.Matrix m = engine.range(expr, start, end, step);
    List<Values.Series> sorted = new ArrayList<>(m.series());
    sorted.sort((a, b) -> a.labels().compareTo(b.labels()));
    return success(
        g -> {
          g.writeStartObject();
          matrix(g, new Values.Matrix(sorted));
          g.writeEndObject();
        });
  }

  private HttpResponse labels(ServiceRequestContext ctx, QueryParams p) {
    long start = time(p, "start", Long.MIN_VALUE);
    long end = time(p, "end", Long.MAX_VALUE);
    List<List<LabelMatcher>> sets = matchSets(p, false);
    List<String> names;
    if (sets.isEmpty()) {
      names = store.labelNames(start, end);
    } else {
      TreeSet<String> all = new TreeSet<>();
      for (List<LabelMatcher> set : sets) {
        for (Labels l : store.series(set, start, end)) {
          all.addAll(l.map().keySet());
        }
      }
      names = List.copyOf(all);
    }
    return success(g -> strings(g, names));
  }

  private HttpResponse labelValues(String name, QueryParams p) {
    if (!LABEL_NAME.matcher(name).matches() && !name.equals(Labels.NAME)) {
      throw ApiError.badData("invalid label name: \"" + name + "\"");
    }
    long start = time(p, "start", Long.MIN_VALUE);
    long end = time(p, "end", Long.MAX_VALUE);
    List<List<LabelMatcher>> sets = matchSets(p, false);
    TreeSet<String> all = new TreeSet<>();
    if (sets.isEmpty()) {
      all.addAll(store.labelValues(name, List.of(), start, end));
    } else {
      for (List<LabelMatcher> set : sets) {
        all.addAll(store.labelValues(name, set, start, end));
      }
    }
    return success(g -> strings(g, all));
  }

  private HttpResponse series(ServiceRequestContext ctx, QueryParams p) {
    long start = time(p, "start", Long.MIN_VALUE);
    long end = time(p, "end", Long.MAX_VALUE);
    List<List<LabelMatcher>> sets = matchSets(p, true);
    TreeMap<String, Labels> all = new TreeMap<>();
    for (List<LabelMatcher> set : sets) {
      for (Labels l : store.series(set, start, end)) {
        all.put(l.toString(), l);
      }
    }
    return success(
        g -> {
          g.writeStartArray();
          for (Labels l : all.values()) {
            labelObject(g, l);
          }
          g.writeEndArray();
        });
  }

  private static void buildInfo(JsonGenerator g) throws IOException {
    g.writeStartObject();
    // Grafana picks features by this version; we answer the Prometheus API level we follow.
    g.writeStringField("version", "2.53.0");
    g.writeStringField("revision", "yumzoom-ops");
    g.writeStringField("branch", "");
    g.writeStringField("buildUser", "");
    g.writeStringField("buildDate", "");
    g.writeStringField("goVersion", "");
    g.writeEndObject();
  }

  // ---- parameters

  private static Ast.Expr parseQuery(QueryParams p) {
    String q = p.get("query", "");
    try {
      return PromqlEngine.parse(q);
    } catch (PromqlException e) {
      throw ApiError.param("query", e.getMessage());
    }
  }

  private static List<List<LabelMatcher>> matchSets(QueryParams p, boolean required) {
    List<String> matches = p.getAll("match[]");
    if (matches.isEmpty() && required) {
      throw ApiError.badData("no match[] parameter provided");
    }
    List<List<LabelMatcher>> sets = new ArrayList<>();
    for (String m : matches) {
      Ast.Expr e;
      try {
        e = PromqlEngine.parse(m);
      } catch (PromqlException ex) {
        throw ApiError.param("match[]", ex.getMessage());
      }
      if (!(e instanceof Ast.VectorSelector vs)) {
        throw ApiError.param("match[]", "\"" + m + "\" is not a series selector");
      }
      List<LabelMatcher> matchers = new ArrayList<>(vs.matchers());
      if (vs.name() != null
          && !vs.name().isEmpty()
          && matchers.stream().noneMatch(x -> x.name().equals(Labels.NAME))) {
        matchers.add(LabelMatcher.of(Labels.NAME, LabelMatcher.Op.EQ, vs.name()));
      }
      sets.add(matchers);
    }
    return sets;
  }

  private static Duration timeout(QueryParams p) {
    String text = p.get("timeout");
    if (text == null || text.isEmpty()) {
      return DEFAULT_TIMEOUT;
    }
    long ms = parseDurationMs(text);
    if (ms <= 0) {
      throw ApiError.param("timeout", "cannot parse \"" + text + "\" to a valid duration");
    }
    return Duration.ofMillis(Math.min(ms, DEFAULT_TIMEOUT.toMillis()));
  }

  private static long time(QueryParams p, String name, Long dflt) {
    String text = p.get(name);
    if (text == null || text.isEmpty()) {
      if (dflt == null) {
        throw ApiError.param(name, "cannot parse \"\" to a valid timestamp");
      }
      return dflt;
    }
    long t = parseTimeMs(text);
    if (t == Long.MIN_VALUE) {
      throw ApiError.param(name, "cannot parse \"" + text + "\" to a valid timestamp");
    }
    return t;
  }

  private static long duration(QueryParams p, String name) {
    String text = p.get(name, "");
    long ms = parseDurationMs(text);
    if (ms == Long.MIN_VALUE) {
      throw ApiError.param(name, "cannot parse \"" + text + "\" to a valid duration");
    }
    return ms;
  }

  /** Unix seconds (with fraction) or RFC 3339, in ms; {@code Long.MIN_VALUE} when neither. */
  static long parseTimeMs(String text) {
    try {
      return new BigDecimal(text)
          .movePointRight(3)
          .setScale(0, RoundingMode.HALF_UP)
          .longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      // not a number; try RFC 3339
    }
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  /** Float seconds or a Prometheus duration (1h30m, 5m, 1d), in ms; MIN_VALUE when neither. */
  static long parseDurationMs(String text) {
    try {
      return new BigDecimal(text)
          .movePointRight(3)
          .setScale(0, RoundingMode.HALF_UP)
          .longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      // not a number; try a duration
    }
    Matcher m = PROM_DURATION.matcher(text);
    if (text.isEmpty() || !m.matches()) {
      return Long.MIN_VALUE;
    }
    long ms = 0;
    try {
      for (int i = 0; i < DURATION_UNITS_MS.length; i++) {
        String g = m.group(i + 1);
        if (g != null) {
          ms = Math.addExact(ms, Math.multiplyExact(Long.parseLong(g), DURATION_UNITS_MS[i]));
        }
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return Long.MIN_VALUE;
    }
    return ms;
  }

  // ---- JSON

  /** Prometheus' rendering of a sample value: Go's FormatFloat(v, 'f', -1, 64). */
  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (v == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (v == Double.NEGATIVE_INFINITY) {
      return "-Inf";
    }
    if (v == 0) {
      return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  /** Unix seconds with millisecond precision, as Prometheus' marshalTimestamp writes them. */
  static String formatTime(long ms) {
    StringBuilder sb = new StringBuilder();
    if (ms < 0) {
      sb.append('-');
      ms = -ms;
    }
    sb.append(ms / 1000);
    long fraction = ms % 1000;
    if (fraction != 0) {
      sb.append('.');
      if (fraction < 100) {
        sb.append('0');
      }
      if (fraction < 10) {
        sb.append('0');
      }
      sb.append(fraction);
    }
    return sb.toString();
  }

  private static void point(JsonGenerator g, long t, String value) throws IOException {
    g.writeStartArray();
    g.writeNumber(formatTime(t));
    g.writeString(value);
    g.writeEndArray();
  }

  private static void metric(JsonGenerator g, Labels labels) throws IOException {
    g.writeFieldName("metric");
    labelObject(g, labels);
  }

  private static void labelObject(JsonGenerator g, Labels labels) throws IOException {
    g.writeStartObject();
    for (var e : labels.map().entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static void matrix(JsonGenerator g, Values.Matrix m) throws IOException {
    g.writeStringField("resultType", "matrix");
    g.writeArrayFieldStart("result");
    for (Values.Series s : m.series()) {
      g.writeStartObject();
      metric(g, s.labels());
      g.writeArrayFieldStart("values");
      for (Values.Point pt : s.points()) {
        point(g, pt.t(), formatValue(pt.value()));
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void strings(JsonGenerator g, Iterable<String> values) throws IOException {
    g.writeStartArray();
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private static HttpResponse success(Body data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.setCodec(JsonResponses.MAPPER);
      g.writeStartObject();
      g.writeStringField("status", "success");
      g.writeFieldName("data");
      data.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, out.toByteArray());
  }

  private static HttpResponse error(HttpStatus status, String type, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("status", "error");
      g.writeStringField("errorType", type);
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.of(status, MediaType.JSON_UTF_8, out.toByteArray());
  }
}
