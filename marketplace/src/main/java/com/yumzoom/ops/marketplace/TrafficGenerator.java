package com.yumzoom.ops.marketplace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated customers: each journey searches, opens a restaurant, reads its menu (and sometimes its
 * reviews), often orders (with an idempotency key, sometimes retried), the restaurant moves the
 * order along, and some customers review. Journeys start at a fixed rate (open model: a slow
 * service does not slow the arrivals), at most {@code concurrency} at once; arrivals beyond that
 * are counted as dropped, never queued. Latency per step is recorded in HdrHistograms.
 */
public final class TrafficGenerator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrafficGenerator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] QUERIES = {
    "pizza",
    "sushi",
    "curry",
    "burger",
    "ramen",
    "tacos",
    "vegan",
    "noodles",
    "kebab",
    "dumplings",
    "pasta",
    "garden",
    "dragon",
    "lotus",
    "grill"
  };

  /** Rate in journeys per second; duration null runs until {@link #close()}. */
  public record Settings(URI target, double rate, Duration duration, int concurrency, long seed) {
    public Settings {
      if (rate <= 0 || rate > 10_000) {
        throw new IllegalArgumentException("traffic.rate: must be > 0 and <= 10000 (limit 10000)");
      }
      if (concurrency < 1 || concurrency > 4_096) {
        throw new IllegalArgumentException("traffic.concurrency: must be 1..4096 (limit 4096)");
      }
    }
  }

  /** Per step: count, errors and latency percentiles in milliseconds. */
  public record StepReport(
      String step, long count, long errors, double p50, double p90, double p99, double max) {}

  /** The run's outcome. */
  public record Report(long journeys, long dropped, double seconds, List<StepReport> steps) {
    public long requests() {
      return steps.stream().mapToLong(StepReport::count).sum();
    }

    public long errors() {
      return steps.stream().mapToLong(StepReport::errors).sum();
    }

    public String format() {
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              Locale.ROOT,
              "%d journeys (%d dropped) in %.1f s, %d requests (%.1f/s), %d errors%n",
              journeys,
              dropped,
              seconds,
              requests(),
              requests() / Math.max(seconds, 0.001),
              errors()));
      out.append(
          String.format(
              Locale.ROOT,
              "%-14s %8s %7s %9s %9s %9s %9s%n",
              "step",
              "count",
              "errors",
              "p50 ms",
              "p90 ms",
              "p99 ms",
              "max ms"));
      for (StepReport s : steps) {
        out.append(
            String.format(
                Locale.ROOT,
                "%-14s %8d %7d %9.2f %9.2f %9.2f %9.2f%n",
                s.step(),
                s.count(),
                s.errors(),
                s.p50(),
                s.p90(),
                s.p99(),
                s.max()));
      }
      return out.toString();
    }
  }

  private static final class Step {
    final Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);
    final LongAdder errors = new LongAdder();
  }

  private final Settings settings;
  private final HttpClient http;
  private final Map<String, Step> steps = new LinkedHashMap<>();
  private final Semaphore slots;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicLong journeys = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private volatile JsonNode catalog;

  public TrafficGenerator(Settings settings) {
    this.settings = settings;
    this.slots = new Semaphore(settings.concurrency());
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    for (String s :
        List.of(
            "search",
            "restaurant",
            "menu",
            "reviews",
            "order",
            "order-retry",
            "order-status",
            "review",
            "stats")) {
      steps.put(s, new Step());
    }
  }

  /** Runs for the configured duration (or until closed) and reports. */
  public Report run() throws InterruptedException {
    catalog = waitForCatalog();
    long start = System.nanoTime();
    long end = settings.duration() == null ? Long.MAX_VALUE : start + settings.duration().toNanos();
    long intervalNanos = (long) (1e9 / settings.rate());
    long next = start;
    while (!stopped.get() && System.nanoTime() < end) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        continue;
      }
      next += intervalNanos;
      if (!slots.tryAcquire()) {
        dropped.incrementAndGet();
        continue;
      }
      long id = sequence.incrementAndGet();
      workers.execute(
          () -> {
            try {
              journey(new Random(settings.seed() * 31 + id));
            } catch (Exception e) {
              LOG.debug("journey failed", e);
            } finally {
              journeys.incrementAndGet();
              slots.release();
            }
          });
    }
    // Let journeys in progress finish, boundedly.
    slots.tryAcquire(settings.concurrency(), 30, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    return report(seconds);
  }

  /** Stops a run started without a duration. */
  @Override
  public void close() {
    stopped.set(true);
    workers.shutdown();
    http.shutdownNow();
  }

  Report report(double seconds) {
    List<StepReport> out = new ArrayList<>();
    steps.forEach(
        (name, s) -> {
          Histogram h = s.latency.copy();
          if (h.getTotalCount() > 0) {
            out.add(
                new StepReport(
                    name,
                    h.getTotalCount(),
                    s.errors.sum(),
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(90) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0));
          }
        });
    return new Report(journeys.get(), dropped.get(), seconds, out);
  }

  private JsonNode waitForCatalog() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(settings.target().resolve("/api/catalog")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          JsonNode node = JSON.readTree(r.body());
          if (node.get("maxRestaurantId").asLong() > 0) {
            return node;
          }
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("marketplace at " + settings.target() + " did not come up");
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  private void journey(Random random) throws Exception {
    JsonNode cat = catalog;
    long maxUser = cat.get("maxUserId").asLong();
    long maxRestaurant = cat.get("maxRestaurantId").asLong();
    long userId = 1 + (long) (maxUser * Math.pow(random.nextDouble(), 2));
    List<String> cuisines = new ArrayList<>();
    cat.get("cuisines").forEach(n -> cuisines.add(n.asText()));

    StringBuilder query = new StringBuilder("/api/restaurants/search?limit=10");
    int kind = random.nextInt(10);
    if (kind < 4) {
      query
          .append("&q=")
          .append(
              URLEncoder.encode(QUERIES[random.nextInt(QUERIES.length)], StandardCharsets.UTF_8));
    } else if (kind < 7 && !cuisines.isEmpty()) {
      query.append("&cuisine=").append(cuisines.get(random.nextInt(cuisines.size())));
    } else {
      SeedGenerator.City city =
          SeedGenerator.CITIES.get(random.nextInt(SeedGenerator.CITIES.size()));
      query.append(
          String.format(Locale.ROOT, "&sort=distance&lat=%.3f&lon=%.3f", city.lat(), city.lon()));
    }
    if (random.nextInt(4) == 0) {
      query.append("&openNow=true");
    }
    if (random.nextInt(5) == 0) {
      query.append("&maxPrice=").append(1 + random.nextInt(3));
    }
    JsonNode hits = call("search", "GET", query.toString(), null, null);
    long restaurantId;
    if (hits != null && hits.path("hits").size() > 0) {
      JsonNode h = hits.get("hits").get(random.nextInt(hits.get("hits").size()));
      restaurantId = h.get("restaurant").get("id").asLong();
    } else {
      restaurantId = 1 + random.nextLong(maxRestaurant);
    }
    if (call("restaurant", "GET", "/api/restaurants/" + restaurantId, null, null) == null) {
      return;
    }
    JsonNode menu = call("menu", "GET", "/api/restaurants/" + restaurantId + "/menu", null, null);
    if (random.nextInt(3) == 0) {
      call("reviews", "GET", "/api/restaurants/" + restaurantId + "/reviews?limit=10", null, null);
    }
    if (random.nextInt(20) == 0) {
      call("stats", "GET", "/api/restaurants/" + restaurantId + "/stats?days=30", null, null);
    }
    if (menu == null || random.nextInt(10) >= 6) {
      return;
    }
    List<JsonNode> available = new ArrayList<>();
    menu.get("items")
        .forEach(
            i -> {
              if (i.get("available").asBoolean()) {
                available.add(i);
              }
            });
    if (available.isEmpty()) {
      return;
    }
    StringBuilder body =
        new StringBuilder("{\"userId\":")
            .append(userId)
            .append(",\"restaurantId\":")
            .append(restaurantId)
            .append(",\"items\":[");
    int lines = 1 + random.nextInt(Math.min(3, available.size()));
    int offset = random.nextInt(available.size());
    for (int i = 0; i < lines; i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append("{\"menuItemId\":")
          .append(available.get((offset + i) % available.size()).get("id").asLong())
          .append(",\"quantity\":")
          .append(1 + random.nextInt(2))
          .append('}');
    }
    body.append("]}");
    String key = new UUID(random.nextLong(), random.nextLong()).toString();
    JsonNode order = call("order", "POST", "/api/orders", body.toString(), key);
    if (order == null) {
      return;
    }
    if (random.nextInt(10) == 0) {
      // A client that did not see the answer retries: the key makes it safe.
      call("order-retry", "POST", "/api/orders", body.toString(), key);
    }
    long orderId = order.get("id").asLong();
    List<String> flow =
        random.nextInt(12) == 0
            ? List.of("cancelled")
            : List.of("accepted", "preparing", "delivered");
    for (String status : flow) {
      if (call(
              "order-status",
              "POST",
              "/api/orders/" + orderId + "/status",
              "{\"status\":\"" + status + "\"}",
              null)
          == null) {
        return;
      }
    }
    if (flow.size() == 3 && random.nextInt(3) == 0) {
      int rating = Math.max(1, Math.min(5, (int) Math.round(4 + random.nextGaussian())));
      call(
          "review",
          "POST",
          "/api/restaurants/" + restaurantId + "/reviews",
          "{\"userId\":"
              + userId
              + ",\"orderId\":"
              + orderId
              + ",\"rating\":"
              + rating
              + ",\"comment\":\"traffic\"}",
          null);
    }
  }

  private static void record(Step s, long startNanos) {
    long micros = (System.nanoTime() - startNanos) / 1_000;
    s.latency.recordValue(Math.max(1, Math.min(micros, TimeUnit.MINUTES.toMicros(1))));
  }

  /** One request; the JSON body on 2xx, null otherwise (counted as an error on 5xx or failure). */
  private JsonNode call(
      String step, String method, String path, String body, String idempotencyKey) {
    Step s = steps.get(step);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(settings.target().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("User-Agent", "yumzoom-traffic/1");
    if (body != null) {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      record(s, start);
      if (r.statusCode() >= 500) {
        s.errors.increment();
      }
      return r.statusCode() / 100 == 2 ? JSON.readTree(r.body()) : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s.errors.increment();
      return null;
    } catch (Exception e) {
      record(s, start);
      s.errors.increment();
      return null;
    }
  }
}
