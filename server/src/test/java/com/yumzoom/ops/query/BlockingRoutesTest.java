package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BlockingRoutesTest {

  private static final ExecutorService EXECUTOR = Executors.newVirtualThreadPerTaskExecutor();

  @AfterAll
  static void shutdown() {
    EXECUTOR.shutdownNow();
  }

  private static AggregatedHttpResponse call(HttpService service) throws Exception {
    return serve(service).aggregate().get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse serve(HttpService service) throws Exception {
    HttpRequest req = HttpRequest.of(HttpMethod.GET, "/q");
    return service.serve(ServiceRequestContext.of(req), req);
  }

  @Test
  void answers503WithRetryAfterWhenAllPermitsAreTaken() throws Exception {
    BlockingRoutes routes = new BlockingRoutes(1, EXECUTOR);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpService slow =
        routes.service(
            ctx -> {
              entered.countDown();
              assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
              return HttpResponse.of("done");
            });

    HttpResponse first = serve(slow);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    AggregatedHttpResponse rejected = call(slow);
    release.countDown();

    assertThat(rejected.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(rejected.headers().get("retry-after")).isEqualTo("1");
    assertThat(rejected.contentUtf8()).contains("\"error\":\"overloaded\"");
    assertThat(first.aggregate().get(10, TimeUnit.SECONDS).contentUtf8()).isEqualTo("done");
    // the permit came back
    assertThat(call(routes.service(ctx -> HttpResponse.of("again"))).contentUtf8())
        .isEqualTo("again");
  }

  @Test
  void badRequestsAndFailuresBecomeJsonErrors() throws Exception {
    BlockingRoutes routes = new BlockingRoutes(4, EXECUTOR);
    AggregatedHttpResponse bad =
        call(
            routes.service(
                ctx -> {
                  throw BadRequestException.parameter("x", "is wrong");
                }));
    assertThat(bad.status()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(bad.contentType()).isEqualTo(MediaType.JSON_UTF_8);
    assertThat(bad.contentUtf8())
        .isEqualTo("{\"error\":\"bad_request\",\"message\":\"parameter 'x' is wrong\"}");

    AggregatedHttpResponse failed =
        call(
            routes.service(
                ctx -> {
                  throw new IllegalStateException("disk on fire");
                }));
    assertThat(failed.status()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
    assertThat(failed.contentUtf8())
        .contains("\"error\":\"internal\"")
        .doesNotContain("disk on fire");
  }
}
