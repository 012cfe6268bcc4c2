package com.yumzoom.ops.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.otlp.OtlpJson;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.SpanStore;
import com.yumzoom.ops.store.TraceId;
import com.yumzoom.ops.store.TraceSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Grafana Tempo's HTTP query API, the part Grafana's Tempo data source uses: trace by id (v1 and
 * v2, protobuf or JSON), search with TraceQL or logfmt tags, tag names and values (v1 and v2), echo
 * and build info.
 *
 * <p>Shapes follow Tempo: v1 trace JSON is {@code {"batches": [ResourceSpans...]}} and its protobuf
 * is {@code tempopb.Trace} (= OTLP TracesData on the wire); v2 wraps the trace as field 1 of {@code
 * TraceByIDResponse}, {@code {"trace": {"resourceSpans": [...]}}} in JSON. Grafana asks v2 first
 * with {@code Accept: application/protobuf} and falls back to v1 on 404.
 */
final class TempoApi {

  static final String TEMPO_VERSION = "2.8.0";
  static final MediaType PROTOBUF = MediaType.create("application", "protobuf");
  static final Duration TAGS_DEFAULT_WINDOW = Duration.ofHours(24);
  static final int TAG_VALUES_DEFAULT_LIMIT = 1000;
  static final int TAG_VALUES_MAX_LIMIT = 10_000;

  /** Intrinsics this server can search on, listed so Grafana's builder offers only those. */
  static final List<String> INTRINSICS =
      List.of(
          "duration",
          "name",
          "rootName",
          "rootServiceName",
          "status",
          "traceDuration",
          "span:duration",
          "span:name",
          "span:status",
          "trace:duration",
          "trace:rootName",
          "trace:rootService");

  /**
   * Attribute namespaces the OpenTelemetry semantic conventions define for resources. The store
   * keeps span and resource attributes in one tag set, so v2's scoped tag list sorts keys by this
   * list; a misfiled key still matches, because searches ignore the scope.
   */
  static final List<String> RESOURCE_NAMESPACES =
      List.of(
          "service.",
          "telemetry.",
          "host.",
          "process.",
          "os.",
          "k8s.",
          "container.",
          "cloud.",
          "deployment.",
          "faas.",
          "device.",
          "browser.",
          "webengine.",
          "aws.ecs.",
          "aws.eks.",
          "aws.log.",
          "gcp.",
          "heroku.",
          "otel.library.");

  private static final List<String> STATUS_VALUES = List.of("error", "ok", "unset");
  private static final Set<String> STATUS_TAGS = Set.of("status", "span:status", "status.code");
  private static final Set<String> SPAN_NAME_TAGS =
      Set.of("name", "span:name", "rootName", "trace:rootName");
  private static final Set<String> SERVICE_TAGS =
      Set.of(
          "service.name",
          "resource.service.name",
          ".service.name",
          "rootServiceName",
          "trace:rootService");

  private final SpanStore store;
  private final Clock clock;

  TempoApi(SpanStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  HttpResponse traceV1(ServiceRequestContext ctx) {
    List<SpanRow> rows = findTrace(ctx);
    if (rows.isEmpty()) {
      return traceNotFound(ctx);
    }
    if (wantsProtobuf(ctx)) {
      return HttpResponse.of(HttpStatus.OK, PROTOBUF, TraceAssembler.toProtobuf(rows));
    }
    JsonNode tree = OtlpJson.toTree(TraceAssembler.assemble(rows));
    ObjectNode body = JsonResponses.object();
    body.set("batches", resourceSpans(tree));
    return JsonResponses.ok(body);
  }

  HttpResponse traceV2(ServiceRequestContext ctx) {
    List<SpanRow> rows = findTrace(ctx);
    if (rows.isEmpty()) {
      return traceNotFound(ctx);
    }
    if (wantsProtobuf(ctx)) {
      return HttpResponse.of(
          HttpStatus.OK, PROTOBUF, traceByIdResponse(TraceAssembler.toProtobuf(rows)));
    }
    JsonNode tree = OtlpJson.toTree(TraceAssembler.assemble(rows));
    ObjectNode trace = JsonResponses.object();
    trace.set("resourceSpans", resourceSpans(tree));
    ObjectNode body = JsonResponses.object();
    body.set("trace", trace);
    return JsonResponses.ok(body);
  }

  HttpResponse search(ServiceRequestContext ctx) {
    SearchRequest request = SearchRequest.parse(ctx.queryParams(), clock);
    TraceSearch.Result result = TraceSearch.run(store, request);
    ObjectNode body = JsonResponses.object();
    ArrayNode traces = body.putArray("traces");
    for (TraceSummary summary : result.traces()) {
      ObjectNode t = traces.addObject();
      t.put("traceID", summary.traceId().toHex());
      t.put("rootServiceName", summary.rootServiceName());
      t.put("rootTraceName", summary.rootSpanName());
      // uint64 in Tempo's protobuf JSON, hence a string
      t.put("startTimeUnixNano", Long.toString(summary.startEpochNanos()));
      t.put("durationMs", summary.durationNanos() / 1_000_000);
    }
    ObjectNode metrics = body.putObject("metrics");
    metrics.put("inspectedTraces", result.inspectedTraces());
    metrics.put("inspectedBytes", "0");
    metrics.put("completedJobs", 1);
    metrics.put("totalJobs", 1);
    return JsonResponses.ok(body);
  }

  HttpResponse tagsV1(ServiceRequestContext ctx) {
    TimeRange range = tagRange(ctx.queryParams());
    ObjectNode body = JsonResponses.object();
    ArrayNode names = body.putArray("tagNames");
    store.tagKeys(range.startNanos(), range.endNanos()).forEach(names::add);
    return JsonResponses.ok(body);
  }

  HttpResponse tagsV2(ServiceRequestContext ctx) {
    String scope = Params.optional(ctx.queryParams(), "scope");
    String wanted = scope == null ? "all" : scope.toLowerCase(Locale.ROOT);
    if (!Set.of("all", "none", "resource", "span", "intrinsic").contains(wanted)) {
      throw BadRequestException.parameter(
          "scope", "must be one of resource, span, intrinsic, none or all, got \"" + scope + "\"");
    }
    boolean all = wanted.equals("all") || wanted.equals("none");
    TreeSet<String> resource = new TreeSet<>();
    TreeSet<String> span = new TreeSet<>();
    if (!wanted.equals("intrinsic")) {
      TimeRange range = tagRange(ctx.queryParams());
      for (String key : store.tagKeys(range.startNanos(), range.endNanos())) {
        (isResourceKey(key) ? resource : span).add(key);
      }
    }
    ObjectNode body = JsonResponses.object();
    ArrayNode scopes = body.putArray("scopes");
    if (all || wanted.equals("resource")) {
      addScope(scopes, "resource", resource);
    }
    if (all || wanted.equals("span")) {
      addScope(scopes, "span", span);
    }
    if (all || wanted.equals("intrinsic")) {
      addScope(scopes, "intrinsic", INTRINSICS);
    }
    return JsonResponses.ok(body);
  }

  HttpResponse tagValuesV1(ServiceRequestContext ctx) {
    String tag = tagParam(ctx);
    ObjectNode body = JsonResponses.object();
    ArrayNode values = body.putArray("tagValues");
    tagValues(tag, ctx.queryParams()).forEach(values::add);
    return JsonResponses.ok(body);
  }

  HttpResponse tagValuesV2(ServiceRequestContext ctx) {
    String tag = tagParam(ctx);
    String type = STATUS_TAGS.contains(tag) ? "keyword" : "string";
    ObjectNode body = JsonResponses.object();
    ArrayNode values = body.putArray("tagValues");
    for (String value : tagValues(tag, ctx.queryParams())) {
      ObjectNode v = values.addObject();
      v.put("type", type);
      v.put("value", value);
    }
    return JsonResponses.ok(body);
  }

  static HttpResponse echo() {
    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "echo");
  }

  static HttpResponse buildInfo() {
    ObjectNode body = JsonResponses.object();
    body.put("version", TEMPO_VERSION);
    body.put("revision", "yumzoom-ops");
    body.put("branch", "main");
    body.put("buildUser", "yumzoom");
    body.put("buildDate", "");
    body.put("goVersion", "");
    return JsonResponses.ok(body);
  }

  /**
   * Tempo's trace ids are 1 to 32 hex characters, left-padded with zeros (so Zipkin's 64-bit ids
   * and ids printed without leading zeros both work).
   */
  static TraceId parseTraceId(String text) {
    String hex = text == null ? "" : text.trim();
    if (hex.isEmpty() || hex.length() > 32) {
      throw BadRequestException.parameter(
          "traceId", "must be 1 to 32 hexadecimal characters, got " + hex.length());
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        throw BadRequestException.parameter("traceId", "must be hexadecimal, got \"" + hex + "\"");
      }
    }
    TraceId id = TraceId.fromHex("0".repeat(32 - hex.length()) + hex);
    if (!id.isValid()) {
      throw BadRequestException.parameter("traceId", "must not be all zeros");
    }
    return id;
  }

  /** Tempo's TraceByIDResponse: field 1 holds the Trace (= TracesData bytes), nothing else set. */
  static byte[] traceByIdResponse(byte[] tracesData) {
    int size =
        CodedOutputStream.computeTagSize(1)
            + CodedOutputStream.computeUInt32SizeNoTag(tracesData.length)
            + tracesData.length;
    byte[] out = new byte[size];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    try {
      stream.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      stream.writeUInt32NoTag(tracesData.length);
      stream.writeRawBytes(tracesData);
      stream.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static boolean isResourceKey(String key) {
    for (String namespace : RESOURCE_NAMESPACES) {
      if (key.startsWith(namespace)) {
        return true;
      }
    }
    return false;
  }

  private List<SpanRow> findTrace(ServiceRequestContext ctx) {
    TraceId id = parseTraceId(ctx.pathParam("traceId"));
    // start/end only narrow where Tempo looks; the id is the key here, so they are only checked
    QueryParams params = ctx.queryParams();
    if (Params.optional(params, TimeRange.START) != null
        || Params.optional(params, TimeRange.END) != null) {
      TimeRange.parse(params, clock, Duration.ZERO);
    }
    return store.trace(id);
  }

  private static HttpResponse traceNotFound(ServiceRequestContext ctx) {
    return JsonResponses.notFound(
        "trace " + parseTraceId(ctx.pathParam("traceId")).toHex() + " not found");
  }

  private static boolean wantsProtobuf(ServiceRequestContext ctx) {
    String accept = ctx.request().headers().get(HttpHeaderNames.ACCEPT);
    if (accept == null) {
      return false;
    }
    String a = accept.toLowerCase(Locale.ROOT);
    return a.contains("application/protobuf") || a.contains("application/x-protobuf");
  }

  private static JsonNode resourceSpans(JsonNode tracesData) {
    JsonNode spans = tracesData.get("resourceSpans");
    return spans == null ? JsonResponses.MAPPER.createArrayNode() : spans;
  }

  private TimeRange tagRange(QueryParams params) {
    return TimeRange.parse(params, clock, TAGS_DEFAULT_WINDOW).throughEndSecond();
  }

  private static String tagParam(ServiceRequestContext ctx) {
    String tag = Params.decodeAgain(ctx.pathParam("tag")).trim();
    if (tag.isEmpty()) {
      throw BadRequestException.parameter("tag", "must not be empty");
    }
    return tag;
  }

  private List<String> tagValues(String tag, QueryParams params) {
    int limit = Params.limit(params, "limit", TAG_VALUES_DEFAULT_LIMIT, TAG_VALUES_MAX_LIMIT);
    if (STATUS_TAGS.contains(tag)) {
      return STATUS_VALUES;
    }
    if (SERVICE_TAGS.contains(tag)) {
      List<String> services = store.serviceNames();
      return services.size() > limit ? services.subList(0, limit) : services;
    }
    if (SPAN_NAME_TAGS.contains(tag)) {
      TreeSet<String> names = new TreeSet<>();
      for (String service : store.serviceNames()) {
        names.addAll(store.spanNames(service));
      }
      return names.stream().limit(limit).toList();
    }
    if (INTRINSICS.contains(tag) || tag.contains(":")) {
      return List.of();
    }
    String key = SearchRequest.attributeKey(tag);
    if (key.isEmpty()) {
      return List.of();
    }
    TimeRange range = tagRange(params);
    return store.tagValues(key, range.startNanos(), range.endNanos(), limit);
  }

  private static void addScope(ArrayNode scopes, String name, Iterable<String> tags) {
    ObjectNode scope = scopes.addObject();
    scope.put("name", name);
    ArrayNode list = scope.putArray("tags");
    tags.forEach(list::add);
  }
}
