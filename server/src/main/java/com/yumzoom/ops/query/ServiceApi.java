package com.yumzoom.ops.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.store.OperationStats;
import com.yumzoom.ops.store.SpanStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The services list, each service's operations, and RED summaries (rate, errors, duration
 * percentiles of entry spans) per service or per operation over a time range.
 */
final class ServiceApi {

  static final Duration RED_DEFAULT_WINDOW = Duration.ofMinutes(15);

  private final SpanStore store;
  private final Clock clock;

  ServiceApi(SpanStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** {@code {"services": ["api", "web"]}} */
  HttpResponse services(ServiceRequestContext ctx) {
    ObjectNode body = JsonResponses.object();
    ArrayNode services = body.putArray("services");
    store.serviceNames().forEach(services::add);
    return JsonResponses.ok(body);
  }

  /** {@code {"service": "api", "operations": ["GET /a", "GET /b"]}} */
  HttpResponse operations(ServiceRequestContext ctx) {
    String service = ctx.pathParam("service");
    if (service == null || service.isBlank()) {
      throw BadRequestException.parameter("service", "must not be empty");
    }
    ObjectNode body = JsonResponses.object();
    body.put("service", service);
    ArrayNode operations = body.putArray("operations");
    store.spanNames(service).forEach(operations::add);
    return JsonResponses.ok(body);
  }

  /**
   * {@code GET /api/v1/red?service=&by=service|operation&start=&end=}: one row per service or per
   * (service, operation), sorted by service then operation.
   */
  HttpResponse red(ServiceRequestContext ctx) {
    QueryParams params = ctx.queryParams();
    String service = Params.optional(params, "service");
    String by = Params.optional(params, "by");
    boolean perOperation;
    if (by == null || by.equals("service")) {
      perOperation = false;
    } else if (by.equals("operation")) {
      perOperation = true;
    } else {
      throw BadRequestException.parameter(
          "by", "must be 'service' or 'operation', got \"" + by + "\"");
    }
    TimeRange range = TimeRange.parse(params, clock, RED_DEFAULT_WINDOW);
    if (range.endNanos() == range.startNanos()) {
      throw BadRequestException.parameter("end", "must be after 'start'");
    }
    List<OperationStats> stats =
        store.operationStats(service, perOperation, range.startNanos(), range.endNanos());
    double seconds = range.seconds();

    ObjectNode body = JsonResponses.object();
    body.put("start", instant(range.startNanos()).toString());
    body.put("end", instant(range.endNanos()).toString());
    body.put("by", perOperation ? "operation" : "service");
    if (service == null) {
      body.putNull("service");
    } else {
      body.put("service", service);
    }
    ArrayNode rows = body.putArray("rows");
    for (OperationStats s : stats) {
      ObjectNode row = rows.addObject();
      row.put("service", s.serviceName());
      if (s.operation() == null) {
        row.putNull("operation");
      } else {
        row.put("operation", s.operation());
      }
      row.put("requests", s.requestCount());
      row.put("rate", s.requestCount() / seconds);
      row.put("errors", s.errorCount());
      row.put(
          "errorRate", s.requestCount() == 0 ? 0.0 : (double) s.errorCount() / s.requestCount());
      row.put("p50Ms", s.p50Nanos() / 1e6);
      row.put("p95Ms", s.p95Nanos() / 1e6);
      row.put("p99Ms", s.p99Nanos() / 1e6);
    }
    return JsonResponses.ok(body);
  }

  private static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }
}
