package com.yumzoom.ops.marketplace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The payment provider the marketplace depends on, reached over HTTP with a timeout. In the demo
 * the provider is a route of this same process ({@code /internal/payments/authorize}), so the
 * payment-outage fault can make it stop answering and traces show the client span timing out.
 */
final class PaymentGateway {

  /** The provider did not answer in time or answered with an error. */
  static final class PaymentUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    PaymentUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final TextMapSetter<HttpRequest.Builder> SETTER =
      (builder, key, value) -> builder.setHeader(key, value);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Supplier<URI> endpoints;
  private final Duration timeout;
  private final Telemetry telemetry;

  PaymentGateway(Supplier<URI> endpoints, Duration timeout, Telemetry telemetry) {
    this.endpoints = endpoints;
    this.timeout = timeout;
    this.telemetry = telemetry;
  }

  /** Authorizes the amount; returns the provider's authorization id. */
  String authorize(long userId, long amountCents) throws PaymentUnavailableException {
    URI endpoint = endpoints.get();
    Span span =
        telemetry
            .tracer
            .spanBuilder("POST")
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("http.request.method", "POST")
            .setAttribute("server.address", endpoint.getHost())
            .setAttribute("server.port", (long) endpoint.getPort())
            .setAttribute("url.full", endpoint.toString())
            .setAttribute("peer.service", "payments")
            .startSpan();
    long start = System.nanoTime();
    int status = 0;
    try (Scope ignored = span.makeCurrent()) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(endpoint)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"userId\":" + userId + ",\"amountCents\":" + amountCents + "}"));
      telemetry
          .openTelemetry()
          .getPropagators()
          .getTextMapPropagator()
          .inject(Context.current(), request, SETTER);
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      status = response.statusCode();
      span.setAttribute("http.response.status_code", (long) status);
      if (status != 200) {
        throw new PaymentUnavailableException(
            "payment provider answered " + status + " for user " + userId, null);
      }
      return response.body();
    } catch (HttpTimeoutException e) {
      PaymentUnavailableException failure =
          new PaymentUnavailableException(
              "payment provider did not answer within " + timeout.toMillis() + " ms", e);
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR, "timeout");
      throw failure;
    } catch (IOException e) {
      PaymentUnavailableException failure =
          new PaymentUnavailableException("payment provider unreachable: " + e.getMessage(), e);
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR);
      throw failure;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PaymentUnavailableException("interrupted while authorizing", e);
    } finally {
      AttributesBuilder attrs =
          Attributes.builder()
              .put("http.request.method", "POST")
              .put("server.address", endpoint.getHost());
      if (status > 0) {
        attrs.put("http.response.status_code", (long) status);
      } else {
        attrs.put("error.type", "timeout");
      }
      telemetry.httpClientDuration.record((System.nanoTime() - start) / 1e9, attrs.build());
      span.end();
    }
  }
}
