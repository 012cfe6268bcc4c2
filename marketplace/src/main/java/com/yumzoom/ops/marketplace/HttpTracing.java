package com.yumzoom.ops.marketplace;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A server span and a duration measurement for every HTTP request, named and attributed by the
 * OpenTelemetry HTTP semantic conventions ({@code GET /api/restaurants/{id}}, http.request.method,
 * http.route, http.response.status_code, server.address). The caller's W3C trace context is
 * continued.
 */
final class HttpTracing {

  /** The request's OpenTelemetry context, for the blocking handler to make current. */
  static final AttributeKey<Context> CONTEXT = AttributeKey.valueOf(HttpTracing.class, "context");

  private static final TextMapGetter<RequestHeaders> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RequestHeaders carrier) {
          List<String> keys = new ArrayList<>();
          carrier.names().forEach(n -> keys.add(n.toString()));
          return keys;
        }

        @Override
        public String get(RequestHeaders carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private HttpTracing() {}

  static Function<? super HttpService, ? extends HttpService> decorator(Telemetry telemetry) {
    return delegate ->
        (ctx, req) -> {
          String method = req.method().name();
          String route = route(ctx);
          Context parent =
              telemetry
                  .openTelemetry()
                  .getPropagators()
                  .getTextMapPropagator()
                  .extract(Context.root(), req.headers(), GETTER);
          String host = serverAddress(ctx);
          Span span =
              telemetry
                  .tracer
                  .spanBuilder(method + " " + route)
                  .setParent(parent)
                  .setSpanKind(SpanKind.SERVER)
                  .setAttribute("http.request.method", method)
                  .setAttribute("http.route", route)
                  .setAttribute("url.path", ctx.path())
                  .setAttribute("url.scheme", "http")
                  .setAttribute("server.address", host)
                  .setAttribute(
                      "server.port", (long) ((InetSocketAddress) ctx.localAddress()).getPort())
                  .setAttribute(
                      "network.protocol.version", ctx.sessionProtocol().isMultiplex() ? "2" : "1.1")
                  .setAttribute(
                      "user_agent.original",
                      String.valueOf(req.headers().get(HttpHeaderNames.USER_AGENT)))
                  .startSpan();
          ctx.setAttr(CONTEXT, parent.with(span));
          long start = System.nanoTime();
          ctx.log()
              .whenComplete()
              .thenAccept(log -> finish(telemetry, span, log, method, route, host, start));
          return delegate.serve(ctx, req);
        };
  }

  private static void finish(
      Telemetry telemetry,
      Span span,
      RequestLog log,
      String method,
      String route,
      String host,
      long start) {
    int status = log.responseHeaders().status().code();
    span.setAttribute("http.response.status_code", (long) status);
    AttributesBuilder attrs =
        Attributes.builder()
            .put("http.request.method", method)
            .put("http.route", route)
            .put("http.response.status_code", (long) status)
            .put("server.address", host)
            .put("url.scheme", "http");
    if (status >= 500) {
      // Server spans are errors for 5xx only; a 4xx is the client's mistake (semantic conventions).
      span.setStatus(StatusCode.ERROR);
      span.setAttribute("error.type", String.valueOf(status));
      attrs.put("error.type", String.valueOf(status));
      Throwable cause = log.responseCause();
      if (cause != null && !(cause instanceof ApiException)) {
        span.recordException(cause);
      }
    }
    telemetry.httpServerDuration.record((System.nanoTime() - start) / 1e9, attrs.build());
    span.end();
  }

  /** The matched route template with {name} parameters, or the path for unmatched requests. */
  static String route(ServiceRequestContext ctx) {
    String pattern = ctx.config().route().patternString();
    if (pattern == null || pattern.isEmpty()) {
      return "/*";
    }
    return pattern.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
  }

  private static String serverAddress(ServiceRequestContext ctx) {
    String authority = ctx.request().authority();
    if (authority == null) {
      return "localhost";
    }
    int colon = authority.lastIndexOf(':');
    return colon > 0 && !authority.endsWith("]") ? authority.substring(0, colon) : authority;
  }
}
