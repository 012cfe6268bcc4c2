package com.yumzoom.ops.metrics.scrape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.metrics.SampleStore;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ScrapeConfig}: builds the targets of every job (static targets, {@code
 * relabel_configs}; a dropped target is listed as such), scrapes each on its own virtual thread at
 * its interval with a fixed per-target offset (a hash of the target, as Prometheus spreads its
 * scrapes), and serves {@code GET /api/v1/targets} in Prometheus' shape.
 */
public final class ScrapeManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScrapeManager.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ScrapeTarget> active;
  private final List<Map<String, String>> dropped;
  private final Clock clock;
  private final ScrapeStats stats = new ScrapeStats();
  private final List<Thread> loops = new ArrayList<>();
  private final HttpClient http;
  private final java.util.concurrent.ExecutorService appendExecutor =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  private volatile boolean running;

  public ScrapeManager(ScrapeConfig config, SampleStore store, Clock clock, LongSupplier nanoTime) {
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    List<ScrapeTarget> targets = new ArrayList<>();
    List<Map<String, String>> drops = new ArrayList<>();
    for (ScrapeConfig.Job job : config.jobs()) {
      for (ScrapeConfig.StaticConfig sc : job.staticConfigs()) {
        for (String address : sc.targets()) {
          Map<String, String> discovered = ScrapeTarget.discovered(job, address, sc.labels());
          TreeMap<String, String> relabelled = Relabeler.apply(discovered, job.relabelConfigs());
          if (relabelled == null || !relabelled.containsKey("__address__")) {
            drops.add(discovered);
            continue;
          }
          targets.add(
              new ScrapeTarget(
                  job,
                  discovered,
                  relabelled,
                  store,
                  clock,
                  nanoTime,
                  http,
                  stats,
                  appendExecutor));
        }
      }
    }
    this.active = List.copyOf(targets);
    this.dropped = List.copyOf(drops);
  }

  public List<ScrapeTarget> activeTargets() {
    return active;
  }

  public List<Map<String, String>> droppedTargets() {
    return dropped;
  }

  public ScrapeStats stats() {
    return stats;
  }

  /** Starts one virtual thread per target. */
  public synchronized void start() {
    running = true;
    for (ScrapeTarget t : active) {
      loops.add(Thread.ofVirtual().name("scrape-" + t.url()).start(() -> loop(t)));
    }
    if (!active.isEmpty()) {
      LOG.info("scraping {} targets ({} dropped by relabelling)", active.size(), dropped.size());
    }
  }

  private void loop(ScrapeTarget t) {
    long interval = t.job().interval().toMillis();
    long offset = offset(t, interval);
    long now = clock.millis();
    long next = Math.floorDiv(now, interval) * interval + offset;
    if (next < now) {
      next += interval;
    }
    while (running) {
      try {
        long wait = next - clock.millis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        if (!running) {
          return;
        }
        t.scrape(false);
        next += interval;
        long behind = clock.millis() - next;
        if (behind > 0) {
          next += (behind / interval + 1) * interval; // skip missed slots rather than burst
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("scrape loop of {} continues after an error", t.url(), e);
        next += interval;
      }
    }
  }

  /** A stable offset within the interval: the same target scrapes at the same phase. */
  static long offset(ScrapeTarget t, long interval) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest((t.job().name() + "\n" + t.url()).getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return Long.remainderUnsigned(v, interval);
    } catch (NoSuchAlgorithmException e) {
      return 0;
    }
  }

  /** Registers {@code GET /api/v1/targets} ({@code state=active|dropped|any}). */
  public static void register(ServerBuilder sb, ScrapeManager manager) {
    sb.service(
        "/api/v1/targets",
        (ctx, req) -> {
          String query = ctx.query();
          String state =
              com.linecorp.armeria.common.QueryParams.fromQueryString(query == null ? "" : query)
                  .get("state", "any");
          return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, manager.targetsJson(state));
        });
  }

  String targetsJson(String state) {
    ObjectNode root = JSON.createObjectNode();
    root.put("status", "success");
    ObjectNode data = root.putObject("data");
    ArrayNode activeNode = data.putArray("activeTargets");
    ArrayNode droppedNode = data.putArray("droppedTargets");
    boolean any = !state.equalsIgnoreCase("active") && !state.equalsIgnoreCase("dropped");
    if (any || state.equalsIgnoreCase("active")) {
      for (ScrapeTarget t : active) {
        ObjectNode n = activeNode.addObject();
        ObjectNode d = n.putObject("discoveredLabels");
        new TreeMap<>(t.discoveredLabels()).forEach(d::put);
        ObjectNode l = n.putObject("labels");
        t.labels().map().forEach(l::put);
        n.put("scrapePool", t.job().name());
        n.put("scrapeUrl", t.url().toString());
        n.put("globalUrl", t.url().toString());
        ScrapeTarget.Status s = t.status();
        n.put("lastError", s.lastError());
        n.put(
            "lastScrape",
            s.lastScrapeMs() == 0
                ? "0001-01-01T00:00:00Z"
                : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    Instant.ofEpochMilli(s.lastScrapeMs()).atOffset(ZoneOffset.UTC)));
        n.put("lastScrapeDuration", s.lastDurationSeconds());
        n.put("health", s.health());
        n.put("scrapeInterval", PromDurations.format(t.job().interval()));
        n.put("scrapeTimeout", PromDurations.format(t.job().timeout()));
      }
    }
    if (any || state.equalsIgnoreCase("dropped")) {
      for (Map<String, String> m : dropped) {
        ObjectNode d = droppedNode.addObject().putObject("discoveredLabels");
        new TreeMap<>(m).forEach(d::put);
      }
    }
    return root.toString();
  }

  @Override
  public synchronized void close() {
    running = false;
    for (Thread t : loops) {
      t.interrupt();
    }
    for (Thread t : loops) {
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    loops.clear();
    appendExecutor.close(); // waits for the appends handed over
    http.close();
  }
}
