package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.config.ConfigLoader;
import com.yumzoom.ops.config.YumzoomConfig;
import com.yumzoom.ops.server.YumzoomServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI in a real headless Chromium against a real server: traces sent with the OpenTelemetry SDK
 * are found and opened, the metrics explorer completes and runs PromQL, a dashboard built through
 * the UI receives live results over server-sent events. Every test ends with a screenshot in {@code
 * target/screenshots} and a check that the browser console holds no errors.
 */
class WebUiIT {

  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  @TempDir static Path dataDir;
  static YumzoomServer server;
  static Browser browser;
  static String errorTraceId;

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
    for (int i = 0; i < 5; i++) {
      emitTrace("checkout", false);
    }
    errorTraceId = emitTrace("checkout", true);
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
    browser.screenshot(SCREENSHOTS.resolve(info.getTestMethod().orElseThrow().getName() + ".png"));
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

  static SdkTracerProvider provider(String service) {
    return SdkTracerProvider.builder()
        .setResource(
            Resource.getDefault()
                .merge(
                    Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), service))))
        .addSpanProcessor(
            io.opentelemetry.sdk.trace.export.BatchSpanProcessor.builder(
                    OtlpHttpSpanExporter.builder().setEndpoint(base() + "/v1/traces").build())
                .setMaxExportBatchSize(512)
                .setMaxQueueSize(4_096)
                .build())
        .build();
  }

  /** A server span with a database child and, for errors, an exception event; via the SDK. */
  static String emitTrace(String service, boolean error) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), service))))
            .addSpanProcessor(
                SimpleSpanProcessor.create(
                    OtlpHttpSpanExporter.builder().setEndpoint(base() + "/v1/traces").build()))
            .build();
    try {
      Tracer tracer = provider.get("web-ui-it");
      Span root =
          tracer
              .spanBuilder("POST /orders")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.request.method", "POST")
              .startSpan();
      try (Scope ignored = root.makeCurrent()) {
        Span db =
            tracer
                .spanBuilder("INSERT orders")
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("db.system", "postgresql")
                .startSpan();
        db.end();
        if (error) {
          root.recordException(new IllegalStateException("payment declined"));
          root.setStatus(StatusCode.ERROR);
        }
      } finally {
        root.end();
      }
      return root.getSpanContext().getTraceId();
    } finally {
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void findATraceAndOpenIt() {
    browser.open(base() + "/traces");
    browser.waitFor(
        "checkout in the service picker",
        () -> browser.findAll("#f-service option[value='checkout']").isEmpty() ? null : true);
    browser.script(
        "const s = document.querySelector('#f-service'); s.value = 'checkout';"
            + " s.dispatchEvent(new Event('change'));");
    browser.script("const s = document.querySelector('#f-status'); s.value = 'error';");
    browser.click("#f-search");
    browser.click("a[data-trace='" + errorTraceId + "']");

    browser.waitFor(
        "waterfall rows", () -> browser.findAll(".wf-row[data-span-id]").size() >= 2 ? true : null);
    assertThat(browser.currentUrl()).contains("/traces/" + errorTraceId);
    assertThat(browser.text(".toolbar h1")).isEqualTo("checkout: POST /orders");
    assertThat(browser.text(".toolbar .badge.err")).isEqualTo("1 error");
    assertThat(browser.findAll(".wf-row.error")).hasSize(1);
    assertThat(browser.text(".wf-detail")).contains("payment declined").contains("exception");

    // keyboard: the child row is selected with the down arrow and its attributes are shown
    browser.click(".wf-scroll");
    browser.type(".wf-scroll", "\uE015");
    browser.waitFor(
        "database span details",
        () -> browser.text(".wf-detail").contains("db.system") ? true : null);
    assertThat(browser.currentUrl()).contains("span=");
  }

  @Test
  void servicePageShowsEndpointsDatabaseOperationsAndErrorTraces() {
    browser.open(base() + "/overview");
    browser.click("a[data-service='checkout']");
    browser.waitFor(
        "endpoints table",
        () ->
            browser.text("section[aria-label='Endpoints']").contains("POST /orders") ? true : null);
    browser.waitFor(
        "slowest database operations",
        () ->
            browser
                    .text("section[aria-label='Slowest database operations']")
                    .contains("INSERT orders")
                ? true
                : null);
    assertThat(browser.text("section[aria-label='Slowest database operations']"))
        .contains("postgresql");
    browser.waitFor(
        "recent error trace",
        () ->
            browser
                    .findAll(
                        "section[aria-label='Recent error traces'] a[href*='" + errorTraceId + "']")
                    .isEmpty()
                ? null
                : true);
    assertThat(browser.currentUrl()).contains("/services/checkout");
    // endpoints sort by p95 when its header is clicked
    browser.click("section[aria-label='Endpoints'] th:nth-child(7) button");
    assertThat(
            browser
                .script(
                    "return document.querySelector(\"section[aria-label='Endpoints'] th:nth-child(7)\")"
                        + ".getAttribute('aria-sort');")
                .asText())
        .isEqualTo("descending");
  }

  @Test
  void aTraceOfThousandsOfSpansKeepsOnlyTheVisibleRowsInThePage() {
    SdkTracerProvider provider = provider("bulk");
    String traceId;
    try {
      Tracer tracer = provider.get("web-ui-it");
      Span root = tracer.spanBuilder("GET /batch").setSpanKind(SpanKind.SERVER).startSpan();
      try (Scope ignored = root.makeCurrent()) {
        for (int i = 0; i < 3_000; i++) {
          tracer.spanBuilder("step " + i).startSpan().end();
        }
      } finally {
        root.end();
      }
      traceId = root.getSpanContext().getTraceId();
    } finally {
      assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(30, TimeUnit.SECONDS);
    }
    browser.open(base() + "/traces/" + traceId);
    browser.waitFor(
        "waterfall rows", () -> browser.findAll(".wf-row[data-span-id]").isEmpty() ? null : true);
    assertThat(browser.text(".toolbar")).contains("3001 spans");
    int rowsInDom = browser.findAll(".wf-row:not([hidden])").size();
    assertThat(rowsInDom).isBetween(10, 120);

    // scrolling to the end renders the last span without adding rows
    browser.script(
        "const s = document.querySelector('.wf-scroll'); s.scrollTop = s.scrollHeight;"
            + " s.dispatchEvent(new Event('scroll'));");
    browser.waitFor(
        "last span rendered",
        () ->
            browser
                    .script(
                        "return [...document.querySelectorAll('.wf-row:not([hidden])')]"
                            + ".some(r => r.textContent.includes('step 2999'));")
                    .asBoolean()
                ? true
                : null);
    assertThat(browser.findAll(".wf-row:not([hidden])").size()).isBetween(10, 120);
  }

  @Test
  void metricsExplorerCompletesAndRunsAQuery() {
    browser.open(base() + "/explore");
    browser.waitFor(
        "self metrics scraped",
        () -> {
          JsonNode r =
              browser.script(
                  "const x = new XMLHttpRequest(); x.open('GET', '/api/v1/label/__name__/values',"
                      + " false); x.send(); return JSON.parse(x.responseText);");
          return r.path("data").toString().contains("yumzoom_store_spans") ? true : null;
        });
    browser.type("#promql", "yumzoom_store_sp");
    browser.waitFor(
        "completion of yumzoom_store_spans",
        () -> browser.text("#promql-complete").contains("yumzoom_store_spans") ? true : null);
    browser.type("#promql", "\uE004"); // Tab accepts the suggestion
    assertThat(browser.script("return document.querySelector('#promql').value;").asText())
        .isEqualTo("yumzoom_store_spans");
    browser.type("#promql", "\uE007"); // Enter runs it
    browser.waitFor(
        "one series charted",
        () ->
            "1"
                    .equals(
                        browser
                            .script(
                                "return document.querySelector('[role=tabpanel]').dataset.series || null;")
                            .asText(null))
                ? true
                : null);
    assertThat(browser.currentUrl()).contains("expr=yumzoom_store_spans");

    browser.click("#tab-table");
    browser.waitFor(
        "table view", () -> browser.findAll("#result-table td.num").isEmpty() ? null : true);
    assertThat(browser.text("#result-table")).contains("yumzoom_store_spans");

    // a broken query explains itself inline, next to the editor
    browser.clear("#promql");
    browser.type("#promql", "sum(rate(yumzoom_store_spans[1m]");
    browser.type("#promql", "\uE007");
    String error =
        browser.waitFor(
            "inline error",
            () -> browser.text("#query-error").isEmpty() ? null : browser.text("#query-error"));
    assertThat(error).contains("parse error");
    // the 400 answer to that query is the only console entry; anything else is a defect
    List<String[]> log = browser.consoleLog();
    assertThat(log)
        .singleElement()
        .satisfies(
            e -> assertThat(e[1]).contains("/api/v1/query?query=sum%28rate").contains("400"));
  }

  @Test
  void buildADashboardAndSeeALiveUpdateArrive() {
    browser.open(base() + "/dashboards");
    browser.type("#new-title", "Orders live");
    browser.click("#create-dashboard");
    // a new dashboard opens its first panel's editor
    browser.find("dialog .panel-expr");
    browser.type("#panel-title", "Spans stored");
    browser.script("const t = document.querySelector('#panel-type'); t.value = 'stat';");
    browser.type("dialog .panel-expr", "yumzoom_store_spans");
    browser.click("#panel-save");

    browser.waitFor(
        "first panel result over SSE",
        () -> {
          JsonNode last =
              browser.script(
                  "const p = document.querySelector('section.panel'); return p && p.dataset.last;");
          return last.isTextual() && !last.asText().isEmpty() ? last.asText() : null;
        });
    String dashboardUrl = browser.currentUrl();
    assertThat(dashboardUrl).matches(".*/dashboards/[a-z0-9]{10}.*");

    // live: with refresh 1s the server pushes fresh results; new spans must show up in the stat
    browser.script(
        "const r = document.querySelector('#refresh'); r.value = '1s';"
            + " r.dispatchEvent(new Event('change'));");
    browser.waitFor(
        "live badge", () -> browser.text("#live-status").startsWith("live") ? true : null);
    double before =
        Double.parseDouble(
            browser
                .script("return document.querySelector('section.panel').dataset.last;")
                .asText());
    int updatesBefore =
        browser.script("return document.querySelector('#dashboard').dataset.updates;").asInt();
    emitTrace("checkout", false);
    double after =
        browser.waitFor(
            "a pushed update with the new span count",
            () -> {
              double v =
                  Double.parseDouble(
                      browser
                          .script("return document.querySelector('section.panel').dataset.last;")
                          .asText());
              return v > before ? v : null;
            });
    assertThat(after).isGreaterThanOrEqualTo(before + 2);
    assertThat(
            browser.script("return document.querySelector('#dashboard').dataset.updates;").asInt())
        .isGreaterThan(updatesBefore);
    assertThat(browser.text("section.panel .stat .v")).isNotEmpty();

    // the dashboard is stored server-side: reload shows it again
    browser.open(dashboardUrl);
    assertThat(browser.text("#dashboard-title")).isEqualTo("Orders live");
  }

  @Test
  void builtInDashboardsRenderEveryPanelWithoutErrors() {
    browser.open(base() + "/dashboards/builtin-self?from=now-5m&to=now");
    browser.waitFor(
        "all panels evaluated",
        () -> {
          JsonNode n =
              browser.script(
                  "return [...document.querySelectorAll('section.panel')].filter(p =>"
                      + " p.dataset.updates !== '0').length;");
          return n.asInt() == 8 ? true : null;
        });
    assertThat(browser.findAll("section.panel .perr"))
        .allSatisfy(
            e ->
                assertThat(
                        browser
                            .script(
                                "return arguments[0].textContent;", Map.of(Browser.ELEMENT, e.id()))
                            .asText())
                    .isEmpty());
  }

  @Test
  void shellKeepsStateInTheUrlAndHasKeyboardHelpAndThemes() {
    browser.open(base() + "/overview?from=now-6h&to=now");
    assertThat(browser.text("#time-picker")).isEqualTo("Last 6 hours");
    browser.waitFor(
        "checkout row",
        () -> browser.findAll("a[data-service='checkout']").isEmpty() ? null : true);
    String theme = browser.script("return document.documentElement.dataset.theme;").asText();
    browser.type("body", "T");
    assertThat(browser.script("return document.documentElement.dataset.theme;").asText())
        .isNotEqualTo(theme);
    browser.type("body", "?");
    assertThat(browser.text("dialog[open]")).contains("Keyboard shortcuts");
    browser.type("dialog[open]", "\uE00C"); // Escape closes it
    browser.type("body", "g");
    browser.type("body", "t");
    browser.waitFor(
        "traces page via g t",
        () -> browser.currentUrl().contains("/traces?from=now-6h") ? true : null);
    browser.click("#time-picker");
    browser.click(".popover li button");
    browser.waitFor(
        "time range in the URL", () -> browser.currentUrl().contains("from=now-5m") ? true : null);
  }
}
