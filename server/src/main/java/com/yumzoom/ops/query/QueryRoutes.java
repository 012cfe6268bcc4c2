package com.yumzoom.ops.query;

import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.store.SpanStore;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The trace query HTTP API on one Armeria server: Grafana Tempo's API under {@code /api/...} and
 * the services/operations/RED API under {@code /api/v1/...}.
 *
 * <p>Routes that touch the store run on virtual threads with at most {@value #MAX_IN_FLIGHT}
 * queries in progress; beyond that the server answers 503 with Retry-After.
 */
public final class QueryRoutes {

  static final int MAX_IN_FLIGHT = 64;

  private QueryRoutes() {}

  /**
   * Adds the query routes to {@code sb}.
   *
   * @param store where spans are read; its calls may block
   * @param clock "now" for default time ranges
   */
  public static void register(ServerBuilder sb, SpanStore store, Clock clock) {
    Objects.requireNonNull(sb, "sb");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(clock, "clock");
    // Virtual threads hold no resources while idle, so this executor needs no shutdown.
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("yz-query-", 0).factory());
    BlockingRoutes blocking = new BlockingRoutes(MAX_IN_FLIGHT, executor);
    TempoApi tempo = new TempoApi(store, clock);
    ServiceApi services = new ServiceApi(store, clock);

    get(sb, "/api/echo", (ctx, req) -> TempoApi.echo());
    get(sb, "/api/status/buildinfo", (ctx, req) -> TempoApi.buildInfo());
    get(sb, "/api/traces/{traceId}", blocking.service(tempo::traceV1));
    get(sb, "/api/v2/traces/{traceId}", blocking.service(tempo::traceV2));
    get(sb, "/api/search", blocking.service(tempo::search));
    get(sb, "/api/search/tags", blocking.service(tempo::tagsV1));
    get(sb, "/api/v2/search/tags", blocking.service(tempo::tagsV2));
    get(sb, "/api/search/tag/{tag}/values", blocking.service(tempo::tagValuesV1));
    get(sb, "/api/v2/search/tag/{tag}/values", blocking.service(tempo::tagValuesV2));

    get(sb, "/api/v1/services", blocking.service(services::services));
    get(sb, "/api/v1/services/{service}/operations", blocking.service(services::operations));
    get(sb, "/api/v1/red", blocking.service(services::red));
  }

  private static void get(ServerBuilder sb, String path, HttpService service) {
    sb.route().get(path).build(service);
  }
}
