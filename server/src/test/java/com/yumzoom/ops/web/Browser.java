package com.yumzoom.ops.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * Headless Chromium driven through the system chromedriver over the W3C WebDriver protocol (plain
 * HTTP + JSON), so the browser tests need no Selenium jars, only Debian's {@code chromium} and
 * {@code chromium-driver}. One browser per test class.
 *
 * <p>Paths come from {@code -Dwebdriver.chrome.driver} and {@code -Dchromium.binary} (defaults
 * {@code /usr/bin/chromedriver}, {@code /usr/bin/chromium}). When either is missing the test fails
 * with a message saying what to install; it never skips silently.
 */
final class Browser implements AutoCloseable {

  static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process driver;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String session;
  private final Path profile;

  private Browser(Process driver, String base, String session, Path profile) {
    this.driver = driver;
    this.session = base + "/session/" + session;
    this.profile = profile;
  }

  static Browser start(int width, int height) throws Exception {
    Path driverPath =
        Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));
    Path chromium = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    if (!Files.isExecutable(driverPath) || !Files.isExecutable(chromium)) {
      throw new AssertionError(
          "Browser tests need headless Chromium: "
              + chromium
              + (Files.isExecutable(chromium) ? " found" : " MISSING")
              + ", "
              + driverPath
              + (Files.isExecutable(driverPath) ? " found" : " MISSING")
              + ". Install the Debian packages chromium and chromium-driver (.ci/run does), or set"
              + " -Dchromium.binary and -Dwebdriver.chrome.driver.");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process driver =
        new ProcessBuilder(driverPath.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String base = "http://127.0.0.1:" + port;
    Path profile = Files.createTempDirectory("yz-chromium-");
    try {
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                  HttpResponse.BodyHandlers.ofString());
          if (JSON.readTree(r.body()).path("value").path("ready").asBoolean()) {
            break;
          }
        } catch (IOException notYet) {
          // chromedriver still starting
        }
        if (System.nanoTime() > deadline || !driver.isAlive()) {
          throw new AssertionError("chromedriver did not become ready on port " + port);
        }
        Thread.sleep(50);
      }
      ObjectNode caps = JSON.createObjectNode();
      ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
      always.put("browserName", "chrome");
      ObjectNode chrome = always.putObject("goog:chromeOptions");
      chrome.put("binary", chromium.toString());
      ArrayNode args = chrome.putArray("args");
      for (String a :
          List.of(
              "--headless=new",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-dev-shm-usage",
              "--disable-background-networking",
              "--disable-component-update",
              "--no-first-run",
              "--no-default-browser-check",
              "--window-size=" + width + "," + height,
              "--user-data-dir=" + profile)) {
        args.add(a);
      }
      always.putObject("goog:loggingPrefs").put("browser", "ALL");
      JsonNode created = post(http, base + "/session", caps);
      String id = created.path("value").path("sessionId").asText();
      if (id.isEmpty()) {
        throw new AssertionError("chromedriver refused the session: " + created);
      }
      return new Browser(driver, base, id, profile);
    } catch (Exception | AssertionError e) {
      driver.destroyForcibly();
      throw e;
    }
  }

  private static JsonNode post(HttpClient http, String url, JsonNode body) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode call(String method, String path, JsonNode body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(session + path));
      if (method.equals("GET")) {
        b.GET();
      } else if (method.equals("DELETE")) {
        b.DELETE();
      } else {
        b.header("Content-Type", "application/json")
            .method(
                method, HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body.toString()));
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = JSON.readTree(r.body());
      if (r.statusCode() >= 400) {
        throw new WebDriverException(
            json.path("value").path("error").asText(), json.path("value").path("message").asText());
      }
      return json.path("value");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An error the driver reported, e.g. {@code no such element}. */
  static final class WebDriverException extends RuntimeException {
    final String error;

    WebDriverException(String error, String message) {
      super(error + ": " + message.lines().findFirst().orElse(""));
      this.error = error;
    }
  }

  void open(String url) {
    ObjectNode b = JSON.createObjectNode();
    b.put("url", url);
    call("POST", "/url", b);
  }

  String currentUrl() {
    return call("GET", "/url", null).asText();
  }

  /** A found element's id. */
  record Element(String id) {}

  List<Element> findAll(String css) {
    ObjectNode b = JSON.createObjectNode();
    b.put("using", "css selector");
    b.put("value", css);
    List<Element> out = new ArrayList<>();
    for (JsonNode n : call("POST", "/elements", b)) {
      out.add(new Element(n.path(ELEMENT).asText()));
    }
    return out;
  }

  /** Waits until {@code css} matches a displayed element. */
  Element find(String css) {
    return waitFor(
        "element " + css,
        () -> {
          for (Element e : findAll(css)) {
            if (call("GET", "/element/" + e.id() + "/displayed", null).asBoolean()) {
              return e;
            }
          }
          return null;
        });
  }

  /** Clicks {@code css}, finding it again when a re-render replaced it (stale element). */
  void click(String css) {
    find(css);
    waitFor(
        "clickable " + css,
        () -> {
          call("POST", "/element/" + find(css).id() + "/click", null);
          return Boolean.TRUE;
        });
  }

  void type(String css, String text) {
    ObjectNode b = JSON.createObjectNode();
    b.put("text", text);
    waitFor("typing into " + css, () -> call("POST", "/element/" + find(css).id() + "/value", b));
  }

  void clear(String css) {
    call("POST", "/element/" + find(css).id() + "/clear", null);
  }

  String text(String css) {
    return waitFor(
        "text of " + css, () -> call("GET", "/element/" + find(css).id() + "/text", null).asText());
  }

  /**
   * Runs {@code script} (a function body; arguments in {@code arguments}) and returns its value.
   */
  JsonNode script(String script, Object... args) {
    ObjectNode b = JSON.createObjectNode();
    b.put("script", script);
    ArrayNode a = b.putArray("args");
    for (Object o : args) {
      a.addPOJO(o);
    }
    return call("POST", "/execute/sync", b);
  }

  /** Polls {@code probe} until it returns non-null, with a bounded deadline. */
  <T> T waitFor(String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = probe.get();
        if (v != null) {
          return v;
        }
      } catch (WebDriverException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("timed out after " + WAIT + " waiting for " + what, last);
  }

  void screenshot(Path file) throws IOException {
    String png = call("GET", "/screenshot", null).asText();
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(png));
  }

  /** Browser console entries since the last call: {@code [level, message]}. */
  List<String[]> consoleLog() {
    ObjectNode b = JSON.createObjectNode();
    b.put("type", "browser");
    List<String[]> out = new ArrayList<>();
    for (JsonNode n : call("POST", "/se/log", b)) {
      out.add(new String[] {n.path("level").asText(), n.path("message").asText()});
    }
    return out;
  }

  @Override
  public void close() {
    try {
      call("DELETE", "", null);
    } catch (RuntimeException ignored) {
      // the browser may already be gone; the driver is stopped below regardless
    } finally {
      driver.destroy();
      try {
        if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          driver.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        driver.destroyForcibly();
      }
      deleteQuietly(profile);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
