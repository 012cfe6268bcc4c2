package com.yumzoom.ops.marketplace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Two marketplace nodes on one PostgreSQL and one real Redis (L1 + L2): a review written through
 * one node drops the restaurant, its statistics and the search pages listing it on the other node
 * too, through the cache library's tag invalidation broadcast.
 */
class SharedCacheIT {

  static RedisServer redis;
  static MarketplaceService nodeA;
  static MarketplaceService nodeB;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    redis =
        RedisServer.newRedisServer()
            .port(port)
            .bind("127.0.0.1")
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    redis.start();
    String uri = "redis://127.0.0.1:" + port;
    nodeA =
        MarketplaceService.start(
            MarketplaceService.Options.defaults()
                .withPort(0)
                .withTelemetry(false, Map.of())
                .withCaching(true, uri)
                .withSeed(new SeedGenerator.Volumes(20, 50, 200, 30)),
            Clock.systemUTC());
    nodeB =
        MarketplaceService.start(
            MarketplaceService.Options.defaults()
                .withPort(0)
                .withTelemetry(false, Map.of())
                .withCaching(true, uri)
                .withSeed(null)
                .withDatabase(
                    new Database.Settings(
                        nodeA.database().jdbcUrl(), "postgres", "postgres", 4, null)),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws IOException {
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
    redis.stop();
  }

  static JsonNode call(MarketplaceService node, String method, String path, String body)
      throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " -> " + r.body()).isBetween(200, 201);
    return JSON.readTree(r.body());
  }

  static int listedRatingCount(MarketplaceService node, long restaurant) throws Exception {
    for (JsonNode h : call(node, "GET", "/api/restaurants/search?limit=100", null).get("hits")) {
      if (h.get("restaurant").get("id").asLong() == restaurant) {
        return h.get("restaurant").get("ratingCount").asInt();
      }
    }
    throw new AssertionError("restaurant " + restaurant + " not listed");
  }

  @Test
  void reviewOnOneNodeInvalidatesTheOtherNodesCopies() throws Exception {
    long restaurant = 3;
    int before =
        call(nodeB, "GET", "/api/restaurants/" + restaurant, null).get("ratingCount").asInt();
    long ordersBefore =
        call(nodeB, "GET", "/api/restaurants/" + restaurant + "/stats", null)
            .get("orders")
            .asLong();
    assertThat(listedRatingCount(nodeB, restaurant)).isEqualTo(before);
    // Node A reads through Redis: the value node B loaded.
    assertThat(
            call(nodeA, "GET", "/api/restaurants/" + restaurant, null).get("ratingCount").asInt())
        .isEqualTo(before);

    call(
        nodeA,
        "POST",
        "/api/restaurants/" + restaurant + "/reviews",
        "{\"userId\":2,\"rating\":5}");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int seen = before;
    while (seen == before && System.nanoTime() < deadline) {
      seen = call(nodeB, "GET", "/api/restaurants/" + restaurant, null).get("ratingCount").asInt();
      if (seen == before) {
        Thread.sleep(20); // waiting for the pub/sub broadcast, not timing our own logic
      }
    }
    assertThat(seen).isEqualTo(before + 1);
    assertThat(listedRatingCount(nodeB, restaurant)).isEqualTo(before + 1);
    JsonNode stats = call(nodeB, "GET", "/api/restaurants/" + restaurant + "/stats", null);
    assertThat(stats.get("ratingCount").asInt()).isEqualTo(before + 1);
    assertThat(stats.get("orders").asLong()).isEqualTo(ordersBefore);
  }
}
