package com.yumzoom.ops.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.yumzoom.ops.config.IngestLimits;
import com.yumzoom.ops.ingest.Bodies;
import com.yumzoom.ops.ingest.BodyTooLargeException;
import com.yumzoom.ops.otlp.OtlpJson;
import com.yumzoom.ops.pipeline.OverloadedException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds error tracking on a server.
 *
 * <p>Ingest: {@code POST /api/errors/events} (our JSON), {@code POST /api/{project}/envelope/} and
 * {@code /api/{project}/store/} (Sentry SDKs, DSN key checked), {@code POST /v1/logs} and gRPC
 * {@code LogsService/Export} (OTLP log records with exception attributes). Every ingest request is
 * answered after its events are committed; a full queue is 429 with Retry-After, bad input 400
 * naming the field and the limit.
 *
 * <p>API: {@code GET /api/errors/issues}, {@code GET /api/errors/issues/{id}}, {@code GET
 * /api/errors/issues/{id}/events}, {@code PUT /api/errors/issues/{id}} (status), {@code POST
 * /api/errors/issues/{id}/merge} and {@code /unmerge}. Blocking work runs on the blocking executor,
 * bounded by a semaphore (503 past it).
 */
public final class ErrorsRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorsRoutes.class);
  public static final String LOGS_PATH = "/v1/logs";
  static final int MAX_INGEST_IN_FLIGHT = 32;
  static final int MAX_QUERIES_IN_FLIGHT = 16;
  static final int MAX_LIMIT = 100;

  private final ErrorTracking tracking;
  private final long maxBody;
  private final Semaphore ingestPermits = new Semaphore(MAX_INGEST_IN_FLIGHT);
  private final Semaphore queryPermits = new Semaphore(MAX_QUERIES_IN_FLIGHT);

  private ErrorsRoutes(ErrorTracking tracking, long maxBody) {
    this.tracking = tracking;
    this.maxBody = maxBody;
  }

  /** What a parsed ingest body holds and how to answer once it is committed. */
  private record Parsed(
      List<Occurrence> occurrences, java.util.function.Function<List<Long>, HttpResponse> answer) {}

  @FunctionalInterface
  private interface Parser {
    Parsed parse(ServiceRequestContext ctx, RequestHeaders headers, byte[] body);
  }

  @FunctionalInterface
  private interface Handler {
    HttpResponse handle(ServiceRequestContext ctx, byte[] body) throws Exception;
  }

  /** Binds every route. */
  public static ErrorsRoutes register(
      ServerBuilder sb, ErrorTracking tracking, IngestLimits limits) {
    ErrorsRoutes r = new ErrorsRoutes(tracking, limits.maxBodyBytes());
    sb.route().post("/api/errors/events").maxRequestLength(0).build(r.ingest(r::apiEvents, true));
    for (String kind : List.of("envelope", "store")) {
      // browser SDKs post cross-origin (text/plain, key in the query): allow any origin
      HttpService sentry =
          r.ingest(kind.equals("store") ? r::sentryStore : r::sentryEnvelope, true)
              .decorate(
                  (delegate, ctx, req) -> {
                    ctx.addAdditionalResponseHeader(
                        HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
                    return delegate.serve(ctx, req);
                  });
      HttpService preflight =
          (ctx, req) ->
              HttpResponse.of(
                  ResponseHeaders.builder(HttpStatus.NO_CONTENT)
                      .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                      .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS")
                      .set(
                          HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                          "content-type, content-encoding, x-sentry-auth")
                      .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "86400")
                      .build());
      for (String path : List.of("/api/{project}/" + kind + "/", "/api/{project}/" + kind)) {
        sb.route().post(path).maxRequestLength(0).build(sentry);
        sb.route().options(path).build(preflight);
      }
    }
    sb.route().post(LOGS_PATH).maxRequestLength(0).build(r.ingest(r::otlpLogs, false));
    sb.service(
        GrpcService.builder()
            .addService(r.new LogsGrpc())
            .useBlockingTaskExecutor(true)
            .maxRequestMessageLength((int) Math.min(limits.maxBodyBytes(), Integer.MAX_VALUE - 64))
            .build());

    sb.route().get("/api/errors/issues").build(r.query(r::listIssues));
    sb.route().get("/api/errors/issues/{id}").build(r.query(r::getIssue));
    sb.route().get("/api/errors/issues/{id}/events").build(r.query(r::listEvents));
    sb.route().put("/api/errors/issues/{id}").build(r.query(r::changeStatus));
    sb.route().post("/api/errors/issues/{id}/status").build(r.query(r::changeStatus));
    sb.route().post("/api/errors/issues/{id}/merge").build(r.query(r::merge));
    sb.route().post("/api/errors/issues/{id}/unmerge").build(r.query(r::unmerge));
    return r;
  }

  // ---------------------------------------------------------------- ingest

  private HttpService ingest(Parser parser, boolean jsonErrors) {
    return (ctx, req) -> {
      RequestHeaders headers = req.headers();
      boolean json = jsonErrors || isJson(headers);
      if (!Bodies.supportedEncoding(headers)) {
        return error(
            json,
            HttpStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Content-Encoding must be gzip or identity, got "
                + headers.get(HttpHeaderNames.CONTENT_ENCODING));
      }
      if (headers.contentLength() > maxBody) {
        return error(
            json,
            HttpStatus.REQUEST_ENTITY_TOO_LARGE,
            "body_too_large",
            new BodyTooLargeException(maxBody).getMessage());
      }
      if (!ingestPermits.tryAcquire()) {
        return retryLater(json, "too many error ingest requests in progress; retry later");
      }
      CompletableFuture<HttpResponse> response = new CompletableFuture<>();
      response.whenComplete((r, t) -> ingestPermits.release());
      Bodies.collect(req, maxBody, ctx.eventLoop())
          .handle(
              (raw, failure) -> {
                if (failure != null) {
                  response.complete(failure(unwrap(failure), json));
                  return null;
                }
                try {
                  ctx.blockingTaskExecutor()
                      .execute(
                          () -> {
                            try {
                              byte[] body = Bodies.read(headers, raw, maxBody);
                              Parsed parsed = parser.parse(ctx, headers, body);
                              tracking
                                  .pipeline()
                                  .submit(parsed.occurrences())
                                  .handle(
                                      (ids, t) ->
                                          response.complete(
                                              t == null
                                                  ? parsed.answer().apply(ids)
                                                  : failure(unwrap(t), json)));
                            } catch (Throwable t) {
                              response.complete(failure(t, json));
                            }
                          });
                } catch (RejectedExecutionException e) {
                  response.complete(retryLater(json, "no thread free; retry later"));
                }
                return null;
              });
      return HttpResponse.of(response);
    };
  }

  private Parsed apiEvents(ServiceRequestContext ctx, RequestHeaders headers, byte[] body) {
    List<Occurrence> occurrences = ApiEvents.parse(body, tracking.clock().millis());
    return new Parsed(
        occurrences,
        ids -> {
          ObjectNode out = ErrorJson.MAPPER.createObjectNode();
          out.put("accepted", ids.size());
          ArrayNode events = out.putArray("events");
          for (int i = 0; i < ids.size(); i++) {
            events.addObject().put("id", occurrences.get(i).id()).put("issueId", ids.get(i));
          }
          return ErrorJson.ok(out);
        });
  }

  private Parsed sentryEnvelope(ServiceRequestContext ctx, RequestHeaders headers, byte[] body) {
    SentryProtocol.Envelope envelope = SentryProtocol.parseEnvelope(body);
    authorize(ctx, headers, envelope.dsnKey());
    List<Occurrence> out = new ArrayList<>();
    String project = project(ctx);
    for (int i = 0; i < envelope.events().size(); i++) {
      try {
        out.add(
            SentryProtocol.occurrence(
                envelope.events().get(i), project, tracking.clock().millis()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("envelope event " + i + ": " + e.getMessage());
      }
    }
    String id = envelope.firstEventId();
    return new Parsed(out, ids -> sentryAnswer(id));
  }

  private Parsed sentryStore(ServiceRequestContext ctx, RequestHeaders headers, byte[] body) {
    authorize(ctx, headers, null);
    Occurrence o =
        SentryProtocol.occurrence(
            SentryProtocol.parseStore(body), project(ctx), tracking.clock().millis());
    return new Parsed(List.of(o), ids -> sentryAnswer(o.id()));
  }

  private static HttpResponse sentryAnswer(String id) {
    ObjectNode out = ErrorJson.MAPPER.createObjectNode();
    if (id != null) {
      out.put("id", id);
    }
    return ErrorJson.ok(out);
  }

  private static String project(ServiceRequestContext ctx) {
    String p = ctx.pathParam("project");
    if (p == null || !p.matches("[0-9A-Za-z_-]{1,64}")) {
      throw new IllegalArgumentException(
          "project: must be 1 to 64 letters, digits, - or _ (limit 64)");
    }
    return p;
  }

  private void authorize(ServiceRequestContext ctx, RequestHeaders headers, String dsnKey) {
    String key =
        SentryProtocol.key(
            headers.get("x-sentry-auth"),
            QueryParams.fromQueryString(ctx.query()).get("sentry_key"));
    if (key == null && headers.get(HttpHeaderNames.AUTHORIZATION) != null) {
      key = SentryProtocol.key(headers.get(HttpHeaderNames.AUTHORIZATION), null);
    }
    if (key == null) {
      key = dsnKey;
    }
    if (key == null || !tracking.settings().sentryKeys().contains(key)) {
      throw new UnauthorizedException(
          key == null
              ? "missing sentry_key (X-Sentry-Auth header or sentry_key query parameter)"
              : "unknown sentry_key; configure it in errors.sentry-keys");
    }
  }

  private Parsed otlpLogs(ServiceRequestContext ctx, RequestHeaders headers, byte[] body) {
    boolean json = isJson(headers);
    MediaType type = headers.contentType();
    if (type == null || !(json || type.is(MediaType.X_PROTOBUF) || type.is(MediaType.PROTOBUF))) {
      throw new IllegalArgumentException(
          "Content-Type: must be application/x-protobuf or application/json, got "
              + (type == null ? "none" : type));
    }
    ExportLogsServiceRequest request;
    try {
      request =
          json
              ? OtlpJson.parse(body, ExportLogsServiceRequest.newBuilder()).build()
              : ExportLogsServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "body: not a valid ExportLogsServiceRequest: " + e.getMessage());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("body: unreadable: " + e.getMessage());
    }
    OtlpLogs.Extracted x = OtlpLogs.extract(request, tracking.clock().millis());
    tracking.droppedLogRecords(x.dropped());
    return new Parsed(
        x.occurrences(),
        ids -> {
          ExportLogsServiceResponse r = ExportLogsServiceResponse.getDefaultInstance();
          if (json) {
            return HttpResponse.of(
                HttpStatus.OK,
                MediaType.JSON_UTF_8,
                OtlpJson.print(r).getBytes(StandardCharsets.UTF_8));
          }
          return HttpResponse.of(
              ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE, MediaType.X_PROTOBUF),
              HttpData.wrap(r.toByteArray()));
        });
  }

  /** OTLP/gRPC {@code LogsService/Export}, answered after commit. */
  private final class LogsGrpc extends LogsServiceGrpc.LogsServiceImplBase {
    @Override
    public void export(
        ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> observer) {
      OtlpLogs.Extracted x;
      try {
        x = OtlpLogs.extract(request, tracking.clock().millis());
      } catch (IllegalArgumentException e) {
        observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
        return;
      }
      tracking.droppedLogRecords(x.dropped());
      tracking
          .pipeline()
          .submit(x.occurrences())
          .whenComplete(
              (ids, t) -> {
                if (t == null) {
                  observer.onNext(ExportLogsServiceResponse.getDefaultInstance());
                  observer.onCompleted();
                  return;
                }
                Throwable e = unwrap(t);
                observer.onError(
                    (e instanceof OverloadedException
                            ? Status.UNAVAILABLE
                            : e instanceof IllegalArgumentException
                                ? Status.INVALID_ARGUMENT
                                : Status.INTERNAL)
                        .withDescription(e.getMessage())
                        .asException());
              });
    }
  }

  private static boolean isJson(RequestHeaders headers) {
    MediaType type = headers.contentType();
    return type != null && type.is(MediaType.JSON);
  }

  private HttpResponse failure(Throwable e, boolean json) {
    if (e instanceof BodyTooLargeException || e instanceof ContentTooLargeException) {
      return error(
          json,
          HttpStatus.REQUEST_ENTITY_TOO_LARGE,
          "body_too_large",
          new BodyTooLargeException(maxBody).getMessage());
    }
    if (e instanceof UnauthorizedException) {
      return error(json, HttpStatus.UNAUTHORIZED, "unauthorized", e.getMessage());
    }
    if (e instanceof OverloadedException o) {
      return retryLater(json, o.getMessage())
          .mapHeaders(
              h ->
                  h.toBuilder()
                      .set(
                          HttpHeaderNames.RETRY_AFTER,
                          Long.toString(Math.max(1, o.retryAfter().toSeconds())))
                      .build());
    }
    if (e instanceof ZipException || e instanceof EOFException) {
      return error(
          json, HttpStatus.BAD_REQUEST, "bad_request", "body: not valid gzip: " + e.getMessage());
    }
    if (e instanceof IllegalArgumentException || e instanceof StackOverflowError) {
      return error(
          json,
          HttpStatus.BAD_REQUEST,
          "bad_request",
          e instanceof StackOverflowError ? "body: nested too deeply" : e.getMessage());
    }
    LOG.warn("cannot ingest an error request", e);
    return error(
        json, HttpStatus.INTERNAL_SERVER_ERROR, "internal", "cannot ingest the request: " + e);
  }

  private static HttpResponse retryLater(boolean json, String message) {
    return error(json, HttpStatus.TOO_MANY_REQUESTS, "overloaded", message)
        .mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.RETRY_AFTER, "1").build());
  }

  private static HttpResponse error(boolean json, HttpStatus status, String code, String message) {
    if (json) {
      return ErrorJson.error(status, code, message);
    }
    Status.Code grpc =
        switch (status.code()) {
          case 400, 415 -> Status.Code.INVALID_ARGUMENT;
          case 413 -> Status.Code.RESOURCE_EXHAUSTED;
          case 429 -> Status.Code.UNAVAILABLE;
          default -> Status.Code.INTERNAL;
        };
    byte[] body =
        com.google.rpc.Status.newBuilder()
            .setCode(grpc.value())
            .setMessage(message)
            .build()
            .toByteArray();
    return HttpResponse.of(
        ResponseHeaders.of(status, HttpHeaderNames.CONTENT_TYPE, MediaType.X_PROTOBUF),
        HttpData.wrap(body));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** A Sentry request without an accepted key. */
  private static final class UnauthorizedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnauthorizedException(String message) {
      super(message, null, false, false);
    }
  }

  // ---------------------------------------------------------------- API

  private HttpService query(Handler handler) {
    return (ctx, req) -> {
      if (!queryPermits.tryAcquire()) {
        return ErrorJson.error(
                HttpStatus.SERVICE_UNAVAILABLE,
                "overloaded",
                "too many error API requests in progress (at most " + MAX_QUERIES_IN_FLIGHT + ")")
            .mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.RETRY_AFTER, "1").build());
      }
      CompletableFuture<HttpResponse> response = new CompletableFuture<>();
      response.whenComplete((r, t) -> queryPermits.release());
      req.aggregate()
          .handle(
              (agg, failure) -> {
                if (failure != null) {
                  response.complete(ErrorJson.badRequest("body: " + unwrap(failure).getMessage()));
                  return null;
                }
                try {
                  ctx.blockingTaskExecutor()
                      .execute(() -> response.complete(run(handler, ctx, agg.content().array())));
                } catch (RejectedExecutionException e) {
                  response.complete(
                      ErrorJson.error(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "retry later"));
                }
                return null;
              });
      return HttpResponse.of(response);
    };
  }

  private static HttpResponse run(Handler handler, ServiceRequestContext ctx, byte[] body) {
    try {
      return handler.handle(ctx, body);
    } catch (CompletionException e) {
      return apiFailure(ctx, unwrap(e));
    } catch (Exception e) {
      return apiFailure(ctx, e);
    }
  }

  private static HttpResponse apiFailure(ServiceRequestContext ctx, Throwable e) {
    if (e instanceof IssueNotFoundException) {
      return ErrorJson.error(HttpStatus.NOT_FOUND, "not_found", e.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      return ErrorJson.badRequest(e.getMessage());
    }
    if (e instanceof OverloadedException) {
      return ErrorJson.error(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", e.getMessage())
          .mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.RETRY_AFTER, "1").build());
    }
    LOG.warn("errors API {} failed", ctx.path(), e);
    return ErrorJson.error(
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "the request failed: " + e.getClass().getSimpleName());
  }

  private HttpResponse listIssues(ServiceRequestContext ctx, byte[] body) {
    QueryParams q = QueryParams.fromQueryString(ctx.query());
    List<IssueStatus> statuses = new ArrayList<>();
    String status = q.get("status", "");
    if (!status.isEmpty() && !status.equals("all")) {
      for (String s : status.split(",")) {
        IssueStatus st = IssueStatus.parse(s.trim());
        if (st == null) {
          throw new IllegalArgumentException(
              "status: unknown '"
                  + s
                  + "' (unresolved, resolved, ignored, regressed, merged, all)");
        }
        statuses.add(st);
        if (st == IssueStatus.UNRESOLVED && !status.contains("regressed")) {
          statuses.add(IssueStatus.REGRESSED); // a regression is unresolved too
        }
      }
    } else if (status.equals("all")) {
      statuses.addAll(List.of(IssueStatus.values()));
    }
    String category = q.get("category", "");
    if (!category.isEmpty()) {
      try {
        Category.valueOf(category.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("category: unknown '" + category + "'");
      }
    }
    String sort = q.get("sort", "last_seen");
    if (!List.of("last_seen", "first_seen", "count", "users").contains(sort)) {
      throw new IllegalArgumentException(
          "sort: must be last_seen, first_seen, count or users, got '" + sort + "'");
    }
    int limit = intParam(q, "limit", 25, 1, MAX_LIMIT);
    int offset = intParam(q, "cursor", intParam(q, "offset", 0, 0, 1_000_000), 0, 1_000_000);
    String search = q.get("query", "");
    if (search.length() > 256) {
      throw new IllegalArgumentException("query: longer than 256 characters (limit 256)");
    }
    ErrorQueries.IssueFilter f =
        new ErrorQueries.IssueFilter(
            statuses,
            category.toLowerCase(Locale.ROOT),
            q.get("service", ""),
            q.get("release", ""),
            q.get("environment", ""),
            time(q.get("start"), "start"),
            time(q.get("end"), "end"),
            search,
            sort,
            limit,
            offset);
    return ErrorJson.ok(tracking.queries().list(f));
  }

  private HttpResponse getIssue(ServiceRequestContext ctx, byte[] body) {
    long id = id(ctx);
    ObjectNode issue = tracking.queries().issue(id, tracking.clock().millis());
    if (issue == null) {
      throw new IssueNotFoundException(id);
    }
    issue.put("eventsLink", "/api/errors/issues/" + id + "/events");
    return ErrorJson.ok(issue);
  }

  private HttpResponse listEvents(ServiceRequestContext ctx, byte[] body) {
    long id = id(ctx);
    QueryParams q = QueryParams.fromQueryString(ctx.query());
    int limit = intParam(q, "limit", 25, 1, MAX_LIMIT);
    int offset = intParam(q, "cursor", intParam(q, "offset", 0, 0, 1_000_000), 0, 1_000_000);
    ObjectNode events = tracking.queries().events(id, limit, offset);
    if (events == null) {
      throw new IssueNotFoundException(id);
    }
    return ErrorJson.ok(events);
  }

  private HttpResponse changeStatus(ServiceRequestContext ctx, byte[] body) {
    long id = id(ctx);
    JsonNode b = body(body);
    String s = b.path("status").asText("");
    IssueStatus status = IssueStatus.parse(s);
    if (status != IssueStatus.RESOLVED
        && status != IssueStatus.IGNORED
        && status != IssueStatus.UNRESOLVED) {
      throw new IllegalArgumentException(
          "status: must be resolved, ignored or unresolved, got '" + s + "'");
    }
    String mode = "";
    String release = "";
    long until = 0;
    long count = 0;
    if (status == IssueStatus.RESOLVED) {
      mode = b.path("resolution").asText("now");
      if (!List.of("now", "next_release", "in_release").contains(mode)) {
        throw new IllegalArgumentException(
            "resolution: must be now, next_release or in_release, got '" + mode + "'");
      }
      release = b.path("release").asText("");
      if (mode.equals("in_release")
          && (release.isEmpty() || release.length() > Occurrence.MAX_TEXT)) {
        throw new IllegalArgumentException(
            "release: required for in_release, 1 to "
                + Occurrence.MAX_TEXT
                + " characters (limit "
                + Occurrence.MAX_TEXT
                + ")");
      }
    } else if (status == IssueStatus.IGNORED) {
      if (b.hasNonNull("until")) {
        until = time(b.get("until").asText(), "until");
      }
      if (b.hasNonNull("count")) {
        count = b.get("count").asLong(-1);
        if (count < 1 || count > 1_000_000_000L) {
          throw new IllegalArgumentException("count: must be between 1 and 1000000000");
        }
      }
    }
    StatusArgs args = new StatusArgs(status, mode, release, until, count);
    tracking
        .pipeline()
        .command(
            p ->
                p.applyStatus(
                    id,
                    new ErrorPipeline.StatusChange(
                        args.status, args.mode, args.release, args.until, args.count)))
        .join();
    return getIssue(ctx, body);
  }

  private record StatusArgs(
      IssueStatus status, String mode, String release, long until, long count) {}

  private HttpResponse merge(ServiceRequestContext ctx, byte[] body) {
    long id = id(ctx);
    JsonNode issues = body(body).path("issues");
    if (!issues.isArray() || issues.isEmpty() || issues.size() > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "issues: must be an array of 1 to " + MAX_LIMIT + " issue ids (limit " + MAX_LIMIT + ")");
    }
    List<Long> sources = new ArrayList<>();
    for (JsonNode n : issues) {
      if (!n.canConvertToLong()) {
        throw new IllegalArgumentException("issues: ids must be integers, got " + n);
      }
      sources.add(n.asLong());
    }
    tracking.pipeline().command(p -> p.merge(id, sources)).join();
    return getIssue(ctx, body);
  }

  private HttpResponse unmerge(ServiceRequestContext ctx, byte[] body) {
    long id = id(ctx);
    String fp = body(body).path("fingerprint").asText("");
    if (!fp.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("fingerprint: must be 32 lowercase hex characters");
    }
    long created = tracking.pipeline().command(p -> p.unmerge(id, fp)).join();
    ObjectNode out = ErrorJson.MAPPER.createObjectNode();
    out.put("issueId", id);
    out.put("newIssueId", created);
    out.put("newIssueLink", "/api/errors/issues/" + created);
    return ErrorJson.ok(out);
  }

  private static JsonNode body(byte[] body) {
    if (body.length == 0) {
      throw new IllegalArgumentException("body: missing JSON object");
    }
    if (body.length > 65_536) {
      throw new IllegalArgumentException("body: larger than 65536 bytes (limit 65536)");
    }
    try {
      JsonNode n = ErrorJson.MAPPER.readTree(body);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("body: must be a JSON object");
      }
      return n;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("body: not valid JSON");
    }
  }

  private static long id(ServiceRequestContext ctx) {
    String raw = ctx.pathParam("id");
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("id: must be a positive integer, got '" + raw + "'");
  }

  private static int intParam(QueryParams q, String name, int dflt, int min, int max) {
    String raw = q.get(name);
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(
        name + ": must be an integer between " + min + " and " + max + " (limit " + max + ")");
  }

  /** RFC 3339 or epoch milliseconds; 0 when absent. */
  private static long time(String raw, String name) {
    if (raw == null || raw.isEmpty()) {
      return 0;
    }
    try {
      return raw.chars().allMatch(Character::isDigit)
          ? Long.parseLong(raw)
          : Instant.parse(raw).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(
          name + ": must be RFC 3339 or epoch milliseconds, got '" + raw + "'");
    }
  }
}
