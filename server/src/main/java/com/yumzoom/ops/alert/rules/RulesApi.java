package com.yumzoom.ops.alert.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.alert.dispatch.AlertHttp;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rule endpoints: Prometheus' {@code /api/v1/rules} and {@code /api/v1/alerts} (same JSON shapes,
 * so Grafana's alert list and scripts written for Prometheus work), and ours to manage rule groups
 * and read the transition history.
 */
final class RulesApi {

  static final int MAX_HISTORY = 1000;

  private final RuleManager manager;

  private RulesApi(RuleManager manager) {
    this.manager = manager;
  }

  static void register(ServerBuilder sb, RuleManager manager, AlertHttp http) {
    RulesApi api = new RulesApi(manager);
    sb.route()
        .path("/api/v1/rules")
        .methods(HttpMethod.GET, HttpMethod.POST)
        .build(http.service((ctx, req) -> api.prometheusRules(ctx.queryParams())));
    sb.route()
        .path("/api/v1/alerts")
        .methods(HttpMethod.GET, HttpMethod.POST)
        .build(http.service((ctx, req) -> AlertHttp.prometheusSuccess(manager.prometheusAlerts())));
    sb.route()
        .path("/api/alerting/rules")
        .methods(HttpMethod.GET)
        .build(http.service((ctx, req) -> AlertHttp.ok(manager.groupsJson())));
    sb.route()
        .path("/api/alerting/rules/{group}")
        .methods(HttpMethod.GET)
        .build(
            http.service(
                (ctx, req) -> call(() -> AlertHttp.ok(manager.groupJson(ctx.pathParam("group"))))));
    sb.route()
        .path("/api/alerting/rules/{group}")
        .methods(HttpMethod.PUT, HttpMethod.POST)
        .build(
            http.service(
                (ctx, req) ->
                    call(() -> AlertHttp.ok(manager.putGroup(ctx.pathParam("group"), body(req))))));
    sb.route()
        .path("/api/alerting/rules/{group}")
        .methods(HttpMethod.DELETE)
        .build(
            http.service(
                (ctx, req) ->
                    call(
                        () -> {
                          manager.deleteGroup(ctx.pathParam("group"));
                          return deleted(ctx.pathParam("group"));
                        })));
    sb.route()
        .path("/api/alerting/rules/{group}/{rule}")
        .methods(HttpMethod.PUT, HttpMethod.POST)
        .build(
            http.service(
                (ctx, req) ->
                    call(
                        () ->
                            AlertHttp.ok(
                                manager.putRule(
                                    ctx.pathParam("group"), ctx.pathParam("rule"), body(req))))));
    sb.route()
        .path("/api/alerting/rules/{group}/{rule}")
        .methods(HttpMethod.DELETE)
        .build(
            http.service(
                (ctx, req) ->
                    call(
                        () -> {
                          manager.deleteRule(ctx.pathParam("group"), ctx.pathParam("rule"));
                          return deleted(ctx.pathParam("rule"));
                        })));
    sb.route()
        .path("/api/alerting/history")
        .methods(HttpMethod.GET)
        .build(http.service((ctx, req) -> api.history(ctx.queryParams())));
  }

  private static byte[] body(AggregatedHttpRequest req) {
    byte[] b = req.content().array();
    if (b.length == 0) {
      throw AlertHttp.HttpError.badRequest("(body): empty; send a rule group as YAML or JSON");
    }
    return b;
  }

  private static HttpResponse deleted(String name) {
    ObjectNode o = AlertHttp.JSON.createObjectNode();
    o.put("deleted", name);
    return AlertHttp.ok(o);
  }

  /** Maps the rule side's exceptions to HTTP errors. */
  static HttpResponse call(java.util.function.Supplier<HttpResponse> work) {
    try {
      return work.get();
    } catch (RuleValidationException e) {
      throw AlertHttp.HttpError.badRequest(e.getMessage());
    } catch (RuleApiException e) {
      throw new AlertHttp.HttpError(e.status, e.error, e.getMessage());
    }
  }

  private HttpResponse prometheusRules(QueryParams p) {
    String type = p.get("type");
    if (type != null && !type.equals("alert") && !type.equals("record")) {
      throw AlertHttp.HttpError.badRequest("type: must be 'alert' or 'record', got '" + type + "'");
    }
    Set<String> names = new HashSet<>(all(p, "rule_name"));
    Set<String> groups = new HashSet<>(all(p, "rule_group"));
    return AlertHttp.prometheusSuccess(manager.prometheusRules(type, names, groups));
  }

  private static List<String> all(QueryParams p, String name) {
    List<String> out = new java.util.ArrayList<>(p.getAll(name + "[]"));
    out.addAll(p.getAll(name));
    return out;
  }

  private HttpResponse history(QueryParams p) {
    int limit = 100;
    String l = p.get("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_HISTORY) {
        throw AlertHttp.HttpError.badRequest(
            "limit: must be between 1 and " + MAX_HISTORY + " (limit " + MAX_HISTORY + ")");
      }
    }
    return AlertHttp.ok(manager.history(p.get("fingerprint"), p.get("rule"), limit));
  }
}
