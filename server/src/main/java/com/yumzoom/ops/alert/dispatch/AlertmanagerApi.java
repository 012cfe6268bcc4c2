package com.yumzoom.ops.alert.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.query.promql.LabelMatcher;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The part of Alertmanager's API v2 that clients such as amtool and Grafana use: silences (list,
 * get, create/update, expire), alerts (list with filters; post, so a Prometheus server can send its
 * alerts here) and a minimal status. Shapes follow Alertmanager's OpenAPI spec; errors use our JSON
 * error shape with the field named.
 */
public final class AlertmanagerApi {

  static final int MAX_MATCHERS = 64;
  static final int MAX_TEXT = 4096;
  static final int MAX_POSTED_ALERTS = 1000;

  private final Dispatcher dispatcher;
  private final Clock clock;
  private final Instant started;

  private AlertmanagerApi(Dispatcher dispatcher, Clock clock) {
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.started = clock.instant();
  }

  public static void register(
      ServerBuilder sb, Dispatcher dispatcher, Clock clock, AlertHttp http) {
    AlertmanagerApi api = new AlertmanagerApi(dispatcher, clock);
    sb.route()
        .path("/api/v2/silences")
        .methods(HttpMethod.GET)
        .build(http.service((ctx, req) -> api.listSilences(ctx.queryParams())));
    sb.route()
        .path("/api/v2/silences")
        .methods(HttpMethod.POST)
        .build(http.service((ctx, req) -> api.postSilence(req)));
    sb.route()
        .path("/api/v2/silence/{id}")
        .methods(HttpMethod.GET)
        .build(http.service((ctx, req) -> api.getSilence(ctx.pathParam("id"))));
    sb.route()
        .path("/api/v2/silence/{id}")
        .methods(HttpMethod.DELETE)
        .build(http.service((ctx, req) -> api.deleteSilence(ctx.pathParam("id"))));
    sb.route()
        .path("/api/v2/alerts")
        .methods(HttpMethod.GET)
        .build(http.service((ctx, req) -> api.listAlerts(ctx.queryParams())));
    sb.route()
        .path("/api/v2/alerts")
        .methods(HttpMethod.POST)
        .build(http.service((ctx, req) -> api.postAlerts(req)));
    sb.route()
        .path("/api/v2/status")
        .methods(HttpMethod.GET)
        .build(http.service((ctx, req) -> api.status()));
  }

  // ---- silences

  private HttpResponse listSilences(QueryParams params) {
    List<LabelMatcher> filter = filter(params);
    Instant now = clock.instant();
    ArrayNode out = AlertHttp.JSON.createArrayNode();
    for (Silence s : dispatcher.silences()) {
      if (!filter.isEmpty() && !silenceMatchesFilter(s, filter)) {
        continue;
      }
      out.add(silenceJson(s, now));
    }
    return AlertHttp.ok(out);
  }

  /** Alertmanager keeps a silence when every filter matcher equals one of its matchers' text. */
  private static boolean silenceMatchesFilter(Silence s, List<LabelMatcher> filter) {
    Map<String, String> asLabels = new TreeMap<>();
    for (Silence.Matcher m : s.matchers()) {
      asLabels.put(m.name(), m.value());
    }
    return Matchers.matches(filter, asLabels);
  }

  private HttpResponse getSilence(String id) {
    Silence s = dispatcher.silence(id);
    if (s == null) {
      throw new AlertHttp.HttpError(404, "not_found", "silence " + id + " not found");
    }
    return AlertHttp.ok(silenceJson(s, clock.instant()));
  }

  private HttpResponse deleteSilence(String id) {
    if (!dispatcher.expireSilence(id)) {
      throw new AlertHttp.HttpError(404, "not_found", "silence " + id + " not found");
    }
    return HttpResponse.of(HttpStatus.OK);
  }

  private HttpResponse postSilence(AggregatedHttpRequest req) {
    JsonNode body = readJson(req);
    if (!body.isObject()) {
      throw AlertHttp.HttpError.badRequest("(body): must be a JSON object (postableSilence)");
    }
    JsonNode ms = body.path("matchers");
    if (!ms.isArray() || ms.isEmpty()) {
      throw AlertHttp.HttpError.badRequest("matchers: at least one matcher is required");
    }
    if (ms.size() > MAX_MATCHERS) {
      throw AlertHttp.HttpError.badRequest(
          "matchers: too many matchers (limit " + MAX_MATCHERS + ")");
    }
    List<Silence.Matcher> matchers = new ArrayList<>();
    boolean allMatchEmpty = true;
    for (int i = 0; i < ms.size(); i++) {
      JsonNode m = ms.get(i);
      String p = "matchers[" + i + "]";
      String name = m.path("name").asText("");
      if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw AlertHttp.HttpError.badRequest(p + ".name: invalid label name \"" + name + "\"");
      }
      if (!m.has("value") || !m.get("value").isTextual()) {
        throw AlertHttp.HttpError.badRequest(p + ".value: is required");
      }
      Silence.Matcher sm =
          new Silence.Matcher(
              name,
              m.get("value").asText(),
              m.path("isRegex").asBoolean(false),
              m.path("isEqual").asBoolean(true));
      LabelMatcher lm;
      try {
        lm = sm.toLabelMatcher();
      } catch (IllegalArgumentException e) {
        throw AlertHttp.HttpError.badRequest(p + ".value: " + e.getMessage());
      }
      allMatchEmpty &= lm.matches("");
      matchers.add(sm);
    }
    if (allMatchEmpty) {
      throw AlertHttp.HttpError.badRequest(
          "matchers: at least one matcher must not match the empty string");
    }
    Instant startsAt = time(body, "startsAt");
    Instant endsAt = time(body, "endsAt");
    if (!endsAt.isAfter(startsAt)) {
      throw AlertHttp.HttpError.badRequest("endsAt: must be after startsAt");
    }
    if (!endsAt.isAfter(clock.instant())) {
      throw AlertHttp.HttpError.badRequest("endsAt: must be in the future");
    }
    String createdBy = text(body, "createdBy", "creator information missing");
    String comment = text(body, "comment", "comment missing");
    String id = body.path("id").asText("");
    String silenceId;
    try {
      silenceId = dispatcher.putSilence(id, matchers, startsAt, endsAt, createdBy, comment);
    } catch (IllegalArgumentException e) {
      throw new AlertHttp.HttpError(404, "not_found", e.getMessage().replace("not found: ", ""));
    } catch (IllegalStateException e) {
      throw new AlertHttp.HttpError(429, "too_many", "silences: " + e.getMessage());
    }
    ObjectNode o = AlertHttp.JSON.createObjectNode();
    o.put("silenceID", silenceId);
    return AlertHttp.ok(o);
  }

  static ObjectNode silenceJson(Silence s, Instant now) {
    ObjectNode o = AlertHttp.JSON.createObjectNode();
    o.put("id", s.id());
    o.putObject("status").put("state", s.state(now));
    o.put("updatedAt", s.updatedAt().toString());
    o.set("matchers", Silence.matchersToJson(s.matchers()));
    o.put("startsAt", s.startsAt().toString());
    o.put("endsAt", s.endsAt().toString());
    o.put("createdBy", s.createdBy());
    o.put("comment", s.comment());
    return o;
  }

  // ---- alerts

  private HttpResponse listAlerts(QueryParams params) {
    boolean active = bool(params, "active");
    boolean silenced = bool(params, "silenced");
    boolean inhibited = bool(params, "inhibited");
    List<LabelMatcher> filter = filter(params);
    String receiver = params.get("receiver");
    Pattern receiverRe = null;
    if (receiver != null) {
      try {
        receiverRe = Pattern.compile("^(?:" + receiver + ")$");
      } catch (RuntimeException e) {
        throw AlertHttp.HttpError.badRequest("receiver: invalid regular expression");
      }
    }
    ArrayNode out = AlertHttp.JSON.createArrayNode();
    for (Dispatcher.AlertView v : dispatcher.alertViews()) {
      Alert a = v.alert();
      boolean isSilenced = !v.silencedBy().isEmpty();
      boolean isInhibited = !v.inhibitedBy().isEmpty();
      boolean isActive = !isSilenced && !isInhibited;
      if (isActive && !active || isSilenced && !silenced || isInhibited && !inhibited) {
        continue;
      }
      if (!Matchers.matches(filter, a.labels())) {
        continue;
      }
      if (receiverRe != null) {
        Pattern re = receiverRe;
        if (v.receivers().stream().noneMatch(r -> re.matcher(r).matches())) {
          continue;
        }
      }
      ObjectNode o = out.addObject();
      ObjectNode labels = o.putObject("labels");
      new TreeMap<>(a.labels()).forEach(labels::put);
      ObjectNode annotations = o.putObject("annotations");
      new TreeMap<>(a.annotations()).forEach(annotations::put);
      o.put("startsAt", a.startsAt().toString());
      o.put("endsAt", v.endsAt().toString());
      o.put("updatedAt", v.updatedAt().toString());
      o.put("generatorURL", a.generatorUrl());
      o.put("fingerprint", a.fingerprint());
      ArrayNode receivers = o.putArray("receivers");
      v.receivers().forEach(r -> receivers.addObject().put("name", r));
      ObjectNode status = o.putObject("status");
      status.put("state", isActive ? "active" : "suppressed");
      ArrayNode sb = status.putArray("silencedBy");
      v.silencedBy().forEach(sb::add);
      ArrayNode ib = status.putArray("inhibitedBy");
      v.inhibitedBy().forEach(ib::add);
      status.putArray("mutedBy");
    }
    return AlertHttp.ok(out);
  }

  /** Alerts from an external Prometheus (its notifier posts here as to an Alertmanager). */
  private HttpResponse postAlerts(AggregatedHttpRequest req) {
    JsonNode body = readJson(req);
    if (!body.isArray()) {
      throw AlertHttp.HttpError.badRequest("(body): must be a JSON array of postableAlert");
    }
    if (body.size() > MAX_POSTED_ALERTS) {
      throw AlertHttp.HttpError.badRequest(
          "(body): too many alerts (limit " + MAX_POSTED_ALERTS + ")");
    }
    Instant now = clock.instant();
    Duration resolveTimeout = dispatcher.config().resolveTimeout();
    List<DispatchAlert> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      JsonNode a = body.get(i);
      String p = "[" + i + "]";
      Map<String, String> labels = stringMap(a.path("labels"), p + ".labels");
      if (labels.isEmpty()) {
        throw AlertHttp.HttpError.badRequest(p + ".labels: at least one label is required");
      }
      Map<String, String> annotations = stringMap(a.path("annotations"), p + ".annotations");
      Instant startsAt = a.has("startsAt") ? time(a, "startsAt") : now;
      Instant endsAt = a.has("endsAt") ? time(a, "endsAt") : null;
      boolean resolved = endsAt != null && !endsAt.isAfter(now);
      Instant validUntil = endsAt != null ? endsAt : now.plus(resolveTimeout);
      out.add(
          new DispatchAlert(
              new Alert(
                  resolved ? Alert.RESOLVED : Alert.FIRING,
                  labels,
                  annotations,
                  startsAt,
                  resolved ? endsAt : null,
                  a.path("generatorURL").asText(""),
                  Fingerprints.of(labels)),
              validUntil,
              null,
              true));
    }
    dispatcher.put(out);
    return HttpResponse.of(HttpStatus.OK);
  }

  private HttpResponse status() {
    ObjectNode o = AlertHttp.JSON.createObjectNode();
    ObjectNode cluster = o.putObject("cluster");
    cluster.put("status", "disabled");
    cluster.putArray("peers");
    ObjectNode version = o.putObject("versionInfo");
    version.put("version", "yumzoom-ops");
    version.put("branch", "");
    version.put("revision", "");
    version.put("buildUser", "");
    version.put("buildDate", "");
    version.put("goVersion", "");
    o.putObject("config").put("original", "");
    o.put("uptime", started.toString());
    return AlertHttp.ok(o);
  }

  // ---- helpers

  private static List<LabelMatcher> filter(QueryParams params) {
    List<LabelMatcher> out = new ArrayList<>();
    for (String f : params.getAll("filter")) {
      try {
        out.addAll(Matchers.parse(f));
      } catch (IllegalArgumentException e) {
        throw AlertHttp.HttpError.badRequest("filter: " + e.getMessage());
      }
    }
    return out;
  }

  private static boolean bool(QueryParams params, String name) {
    String v = params.get(name);
    if (v == null) {
      return true;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw AlertHttp.HttpError.badRequest(name + ": must be true or false");
    }
    return v.equals("true");
  }

  private static JsonNode readJson(AggregatedHttpRequest req) {
    try {
      JsonNode n = AlertHttp.JSON.readTree(req.content().array());
      if (n == null) {
        throw AlertHttp.HttpError.badRequest("(body): empty");
      }
      return n;
    } catch (IOException e) {
      String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw AlertHttp.HttpError.badRequest("(body): not valid JSON: " + m);
    }
  }

  private static Instant time(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw AlertHttp.HttpError.badRequest(field + ": RFC 3339 time is required");
    }
    try {
      return OffsetDateTime.parse(v.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw AlertHttp.HttpError.badRequest(field + ": not an RFC 3339 time: " + v.asText());
    }
  }

  private static String text(JsonNode body, String field, String missing) {
    String v = body.path(field).asText("");
    if (v.isBlank()) {
      throw AlertHttp.HttpError.badRequest(field + ": " + missing);
    }
    if (v.length() > MAX_TEXT) {
      throw AlertHttp.HttpError.badRequest(
          field + ": longer than " + MAX_TEXT + " characters (limit " + MAX_TEXT + ")");
    }
    return v;
  }

  private static Map<String, String> stringMap(JsonNode n, String field) {
    Map<String, String> out = new TreeMap<>();
    if (n.isMissingNode() || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      throw AlertHttp.HttpError.badRequest(field + ": must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw AlertHttp.HttpError.badRequest(field + "." + e.getKey() + ": must be a string");
      }
      if (!e.getValue().asText().isEmpty()) {
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }
}
