package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error and alert pages in a real headless Chromium against a real server: an issue made of
 * events posted over the API is opened and resolved in the UI. Every test ends with a screenshot in
 * {@code target/screenshots} and a check that the browser console holds no errors.
 */
class WebUiAlertsErrorsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dataDir;
  static YumzoomServer server;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
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
    browser = Browser.start(1440, 900);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void screenshotAndConsole(TestInfo info) throws Exception {
    browser.screenshot(
        WebUiIT.SCREENSHOTS.resolve(info.getTestMethod().orElseThrow().getName() + ".png"));
    List<String> severe = new ArrayList<>();
    for (String[] entry : browser.consoleLog()) {
      if (entry[0].equals("SEVERE")) {
        severe.add(entry[1]);
      }
    }
    assertThat(severe).as("browser console errors").isEmpty();
  }

  static String base() {
    return "http://127.0.0.1:" + server.port();
  }

  static JsonNode send(String method, String path, String body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base() + path)).header("Accept", "application/json");
      b =
          body == null
              ? b.method(method, HttpRequest.BodyPublishers.noBody())
              : b.header("Content-Type", "application/json")
                  .method(method, HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
      return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void resolveAnError() {
    String event =
        "{\"service\":\"checkout\",\"release\":\"1.4.0\",\"user\":{\"id\":\"u-%d\"},"
            + "\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"exception\":{\"stacktrace\":"
            + "\"java.sql.SQLException: deadlock detected\\n"
            + "\\tat com.acme.OrderDao.save(OrderDao.java:88)\\n"
            + "\\tat java.base/java.lang.Thread.run(Thread.java:1583)\"}}";
    long issueId =
        send("POST", "/api/errors/events", event.formatted(1)).at("/events/0/issueId").asLong();
    long second =
        send("POST", "/api/errors/events", event.formatted(2)).at("/events/0/issueId").asLong();
    assertThat(second).isEqualTo(issueId);

    browser.open(base() + "/errors");
    browser.click("a[data-issue-link='" + issueId + "']");
    browser.waitFor(
        "issue details", () -> browser.findAll("#issue-resolve").isEmpty() ? null : true);
    assertThat(browser.currentUrl()).endsWith("/errors/" + issueId);
    assertThat(browser.text("#issue-title")).contains("SQLException");
    assertThat(browser.text("#issue-facts")).contains("database").contains("1.4.0");
    assertThat(browser.text(".stack .frame.in-app")).contains("com.acme.OrderDao.save");
    assertThat(browser.findAll("#issue-events tbody tr")).hasSize(2);
    assertThat(browser.findAll("#issue-events a[href^='/traces/0af7651916cd43dd']")).hasSize(2);

    browser.click("#issue-resolve");
    browser.waitFor(
        "the resolved badge", () -> browser.findAll("#issue-reopen").isEmpty() ? null : true);
    assertThat(send("GET", "/api/errors/issues/" + issueId, null).path("status").asText())
        .isEqualTo("resolved");
  }

  @Test
  void silenceAnAlert() {
    send(
        "PUT",
        "/api/alerting/rules/ui-test",
        "{\"interval\":\"1s\",\"rules\":[{\"alert\":\"UiAlwaysOn\",\"expr\":\"vector(1) > 0\","
            + "\"labels\":{\"severity\":\"warning\"}}]}");
    browser.waitFor(
        "the rule to fire",
        () ->
            send("GET", "/api/v1/alerts", null).at("/data/alerts").toString().contains("firing")
                ? true
                : null);

    browser.open(base() + "/alerts");
    browser.waitFor(
        "the firing alert",
        () ->
            browser
                    .findAll("#alert-list tr[data-alert='UiAlwaysOn'] [data-state='firing']")
                    .isEmpty()
                ? null
                : true);
    assertThat(browser.text("#rule-list")).contains("UiAlwaysOn").contains("vector(1) > 0");
    browser.click("#alert-list tr[data-alert='UiAlwaysOn'] button.silence");
    browser.waitFor(
        "the silence form",
        () -> browser.findAll("#silence-dialog .matcher").isEmpty() ? null : true);
    browser.type("#silence-comment", "maintenance");
    browser.click("#silence-submit");
    browser.waitFor(
        "the silence in the list",
        () -> browser.findAll("#silence-list tr[data-silence]").isEmpty() ? null : true);

    browser.click("#alert-list tr[data-alert='UiAlwaysOn'] a");
    browser.waitFor(
        "the alert's history",
        () -> browser.text("#alert-history").contains("firing") ? true : null);
    assertThat(browser.currentUrl()).contains("fingerprint=");

    JsonNode silences = send("GET", "/api/v2/silences", null);
    assertThat(silences).hasSize(1);
    JsonNode silence = silences.get(0);
    assertThat(silence.path("comment").asText()).isEqualTo("maintenance");
    List<String> matchers = new ArrayList<>();
    silence
        .path("matchers")
        .forEach(m -> matchers.add(m.path("name").asText() + "=" + m.path("value").asText()));
    assertThat(matchers).contains("alertname=UiAlwaysOn", "severity=warning");
  }

  @Test
  void writeAnIncidentReview() {
    long id =
        send(
                "POST",
                "/api/incidents",
                "{\"title\":\"Checkout down\",\"severity\":\"critical\",\"by\":\"test\"}")
            .path("id")
            .asLong();

    browser.open(base() + "/incidents");
    browser.click("#incident-list tr[data-incident='" + id + "'] a");
    browser.waitFor(
        "the review form", () -> browser.findAll("#review-summary").isEmpty() ? null : true);
    assertThat(browser.text("#incident-title")).contains("Checkout down");
    browser.type("#incident-note", "rolled back 1.4.0");
    browser.click("#incident-add-note");
    browser.waitFor(
        "the note in the timeline",
        () -> browser.text("#incident-timeline").contains("rolled back 1.4.0") ? true : null);
    browser.type("#review-summary", "Orders failed for 12 minutes");
    browser.type("#review-root-cause", "a deadlock in OrderDao");
    browser.click("#review-form button:not(.primary)");
    browser.type("#review-items .action-item .item-text", "add a lock timeout");
    browser.click("#review-save");
    browser.waitFor(
        "the saved review",
        () ->
            send("GET", "/api/incidents/" + id + "/review", null)
                    .path("rootCause")
                    .asText()
                    .equals("a deadlock in OrderDao")
                ? true
                : null);
    browser.click("#incident-ack");
    browser.waitFor(
        "the acknowledged state",
        () ->
            send("GET", "/api/incidents/" + id, null).path("state").asText().equals("acknowledged")
                ? true
                : null);
    JsonNode review = send("GET", "/api/incidents/" + id + "/review", null);
    assertThat(review.path("summary").asText()).isEqualTo("Orders failed for 12 minutes");
    assertThat(review.at("/actionItems/0/text").asText()).isEqualTo("add a lock timeout");
  }
}
