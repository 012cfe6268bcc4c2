package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI's HTTP surface on a real server: assets and caching, dashboards API, live streams. */
class WebApiIT {

  @TempDir static java.nio.file.Path dataDir;
  static YumzoomServer server;
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    YumzoomConfig config =
        ConfigLoader.load(
            null,
            Map.of(),
            Map.of(
                "data-dir", dataDir.toString(),
                "server.host", "127.0.0.1",
                "server.http-port", "0",
                "otlp.grpc-port", "0",
                "otlp.http-port", "0",
                "metrics.self-scrape-interval", "1s"));
    server = YumzoomServer.start(config, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void everyUiPathAnswersTheAppAndApiPathsStayApi() throws Exception {
    for (String path : List.of("/", "/overview", "/traces/0123abcd", "/dashboards/x", "/explore")) {
      HttpResponse<byte[]> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
      assertThat(r.headers().firstValue("cache-control")).hasValue("no-cache");
      assertThat(text(r)).contains("<script type=\"module\" src=\"/assets/");
    }
    HttpResponse<byte[]> api = get("/api/no-such-endpoint");
    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(text(api)).doesNotContain("<html");
    JsonNode features = JSON.readTree(get("/api/ui/features").body());
    assertThat(features.path("alerts").isBoolean()).isTrue();
    assertThat(features.path("errors").isBoolean()).isTrue();
  }

  @Test
  void assetsAreHashedCachedForeverGzippedAndRevalidated() throws Exception {
    HttpResponse<byte[]> index = get("/");
    Matcher m = Pattern.compile("/assets/([0-9a-f]{12})/js/app.js").matcher(text(index));
    assertThat(m.find()).isTrue();
    String prefix = "/assets/" + m.group(1);

    HttpResponse<byte[]> plain = get(prefix + "/js/app.js");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("content-type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(plain.headers().firstValue("cache-control"))
        .hasValue("public, max-age=31536000, immutable");
    assertThat(plain.headers().firstValue("content-encoding")).isEmpty();

    HttpResponse<byte[]> gz = get(prefix + "/js/app.js", "Accept-Encoding", "gzip");
    assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
    assertThat(gz.body().length).isLessThan(plain.body().length);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
      assertThat(in.readAllBytes()).isEqualTo(plain.body());
    }

    String etag = plain.headers().firstValue("etag").orElseThrow();
    assertThat(get(prefix + "/js/app.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
    String indexTag = index.headers().firstValue("etag").orElseThrow();
    assertThat(get("/", "If-None-Match", indexTag).statusCode()).isEqualTo(304);

    HttpResponse<byte[]> stale = get("/assets/000000000000/js/app.js");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.headers().firstValue("cache-control")).hasValue("no-cache");
    assertThat(get(prefix + "/js/missing.js").statusCode()).isEqualTo(404);
    assertThat(get(prefix + "/../pom.xml").statusCode()).isIn(400, 404);
  }

  @Test
  void dashboardsCrudWithFieldNamingErrors() throws Exception {
    String body =
        "{\"title\":\"Orders\",\"panels\":[{\"id\":\"p1\",\"type\":\"stat\","
            + "\"targets\":[{\"expr\":\"yumzoom_store_spans\"}]}]}";
    HttpResponse<String> created = send("POST", "/api/ui/dashboards", body);
    assertThat(created.statusCode()).isEqualTo(201);
    String id = JSON.readTree(created.body()).path("id").asText();

    JsonNode read = JSON.readTree(get("/api/ui/dashboards/" + id).body());
    assertThat(read.path("title").asText()).isEqualTo("Orders");

    HttpResponse<String> updated =
        send("PUT", "/api/ui/dashboards/" + id, body.replace("Orders", "Orders v2"));
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(text(get("/api/ui/dashboards"))).contains("Orders v2").contains("builtin-jvm");

    HttpResponse<String> bad =
        send("POST", "/api/ui/dashboards", body.replace("\"stat\"", "\"pie\""));
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(bad.body());
    assertThat(error.path("error").asText()).isEqualTo("bad_request");
    assertThat(error.path("message").asText()).startsWith("panels[0].type: must be one of");

    assertThat(send("POST", "/api/ui/dashboards", "{nope").body())
        .contains("dashboard: not valid JSON");
    String huge = "{\"title\":\"" + "x".repeat(300 * 1024) + "\"}";
    HttpResponse<String> tooLarge =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/ui/dashboards"))
                .header("Content-Type", "application/json")
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(huge))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(tooLarge.statusCode()).isEqualTo(413);

    HttpResponse<String> builtin = send("PUT", "/api/ui/dashboards/builtin-jvm", body);
    assertThat(builtin.statusCode()).isEqualTo(400);
    assertThat(builtin.body()).contains("read-only");

    assertThat(send("DELETE", "/api/ui/dashboards/" + id, "").statusCode()).isEqualTo(204);
    HttpResponse<byte[]> gone = get("/api/ui/dashboards/" + id);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(text(gone)).contains("not_found");
  }

  static HttpResponse<Stream<String>> stream(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofLines());
  }

  @Test
  void liveStreamPushesPanelResultsEveryInterval() throws Exception {
    String body =
        "{\"title\":\"Live\",\"panels\":[{\"id\":\"spans\",\"type\":\"stat\","
            + "\"targets\":[{\"expr\":\"yumzoom_store_spans{job=~\\\"$job\\\"}\"}]},"
            + "{\"id\":\"broken\",\"type\":\"line\",\"targets\":[{\"expr\":\"rate(\"}]}]}";
    String id = JSON.readTree(send("POST", "/api/ui/dashboards", body).body()).path("id").asText();
    // the first self-scrape (every 1 s here) must have stored the metric the panel shows
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (JSON.readTree(get("/api/v1/query?query=yumzoom_store_spans").body())
        .path("data")
        .path("result")
        .isEmpty()) {
      assertThat(System.nanoTime()).as("self metrics scraped in time").isLessThan(deadline);
      Thread.sleep(100);
    }

    HttpResponse<Stream<String>> r =
        stream("/api/ui/dashboards/" + id + "/live?from=now-5m&to=now&refresh=1s&var-job=.*");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow())
        .startsWith("text/event-stream");
    List<String> events = new ArrayList<>();
    int ticks = 0;
    try (Stream<String> lines = r.body()) {
      Iterator<String> it = lines.iterator();
      String event = null;
      while (ticks < 2 && it.hasNext()) {
        String line = it.next();
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:") && event != null) {
          events.add(event + " " + line.substring(5).trim());
          if (event.equals("tick")) {
            ticks++;
          }
        }
      }
    }
    assertThat(ticks).isEqualTo(2);
    JsonNode spans =
        JSON.readTree(
            events.stream()
                .filter(e -> e.startsWith("panel ") && e.contains("\"spans\""))
                .findFirst()
                .orElseThrow()
                .substring(6));
    assertThat(spans.path("errors")).isEmpty();
    assertThat(spans.path("series").get(0).path("labels").path("__name__").asText())
        .isEqualTo("yumzoom_store_spans");
    JsonNode broken =
        JSON.readTree(
            events.stream()
                .filter(e -> e.startsWith("panel ") && e.contains("\"broken\""))
                .findFirst()
                .orElseThrow()
                .substring(6));
    assertThat(broken.path("errors").get(0).path("message").asText()).contains("parse error");
    assertThat(events.stream().filter(e -> e.startsWith("panel ")).count()).isEqualTo(4);
  }

  @Test
  void liveStreamParametersAreValidatedAndStreamsAreBounded() throws Exception {
    HttpResponse<byte[]> bad = get("/api/ui/dashboards/builtin-self/live?refresh=500ms");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(text(bad)).contains("refresh: must be off or <n><s|m|h>");
    assertThat(text(get("/api/ui/dashboards/builtin-self/live?from=yesterday")))
        .contains("from: must be now, now-<n><s|m|h|d|w>");

    List<HttpResponse<Stream<String>>> open = new ArrayList<>();
    try {
      // A stream an earlier test closed gives its slot back asynchronously (the server notices the
      // closed connection): a 503 before the limit is retried until those slots are free.
      long freeBy = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (open.size() < LiveDashboards.MAX_STREAMS) {
        HttpResponse<Stream<String>> s = stream("/api/ui/dashboards/builtin-jvm/live?refresh=off");
        if (s.statusCode() == 503 && System.nanoTime() < freeBy) {
          s.body().close();
          Thread.sleep(100);
          continue;
        }
        assertThat(s.statusCode()).as("stream " + (open.size() + 1)).isEqualTo(200);
        open.add(s);
      }
      HttpResponse<byte[]> refused = get("/api/ui/dashboards/builtin-jvm/live");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("retry-after")).hasValue("5");
      assertThat(text(refused)).contains("(limit 64)");
    } finally {
      open.forEach(s -> s.body().close());
    }
    // closed streams give their slots back
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int status = 0;
    while (System.nanoTime() < deadline) {
      HttpResponse<Stream<String>> s = stream("/api/ui/dashboards/builtin-jvm/live");
      status = s.statusCode();
      s.body().close();
      if (status == 200) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(status).isEqualTo(200);
  }
}
