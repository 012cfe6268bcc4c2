package com.yumzoom.ops.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.sse.ServerSentEvent;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.StreamWriter;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.streaming.ServerSentEvents;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server-sent-event stream per open dashboard: the server evaluates every panel on the
 * dashboard's refresh interval and pushes the results, so ten people watching a twelve-panel
 * dashboard cost ten evaluations per interval, not a hundred and twenty polling requests each.
 *
 * <p>Bounded: at most {@link #MAX_STREAMS} streams (503 with Retry-After past that); a stream whose
 * previous evaluation has not been consumed by its browser skips a tick instead of queueing, so a
 * slow client never makes the server buffer without limit. A failing evaluation is sent as an
 * {@code error} event and the stream goes on.
 */
final class LiveDashboards implements AutoCloseable {

  static final int MAX_STREAMS = 64;
  static final long MIN_REFRESH_MS = 1_000;
  static final long HEARTBEAT_MS = 15_000;
  private static final Logger LOG = LoggerFactory.getLogger(LiveDashboards.class);

  private final DashboardStore store;
  private final PanelEvaluator evaluator;
  private final ObjectMapper json;
  private final Clock clock;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;
  private final Semaphore slots = new Semaphore(MAX_STREAMS);
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong evaluations = new AtomicLong();

  LiveDashboards(
      DashboardStore store,
      PanelEvaluator evaluator,
      ObjectMapper json,
      Clock clock,
      ScheduledExecutorService ticker,
      ExecutorService workers) {
    this.store = store;
    this.evaluator = evaluator;
    this.json = json;
    this.clock = clock;
    this.ticker = ticker;
    this.workers = workers;
  }

  long evaluations() {
    return evaluations.get();
  }

  int openStreams() {
    return open.size();
  }

  /** The parameters of one stream, validated before the stream opens. */
  record Request(String id, String from, String to, long refreshMs, Map<String, String> vars) {

    static Request parse(String id, QueryParams p) {
      String from = p.get("from", "now-1h");
      String to = p.get("to", "now");
      long now = 0;
      try {
        TimeRanges.parse(from, now);
      } catch (IllegalArgumentException e) {
        throw new DashboardValidation.Invalid("from: " + e.getMessage());
      }
      try {
        TimeRanges.parse(to, now);
      } catch (IllegalArgumentException e) {
        throw new DashboardValidation.Invalid("to: " + e.getMessage());
      }
      long refresh;
      try {
        refresh = TimeRanges.refreshMillis(p.get("refresh", "off"));
      } catch (IllegalArgumentException e) {
        throw new DashboardValidation.Invalid("refresh: " + e.getMessage());
      }
      if (refresh != 0 && refresh < MIN_REFRESH_MS) {
        throw new DashboardValidation.Invalid("refresh: below 1s (limit 1s)");
      }
      Map<String, String> vars = new HashMap<>();
      for (String name : p.names()) {
        if (name.startsWith("var-")) {
          String value = p.get(name, "");
          if (value.length() > 256) {
            throw new DashboardValidation.Invalid(
                name + ": longer than 256 characters (limit 256)");
          }
          if (vars.size() == DashboardValidation.MAX_VARIABLES) {
            throw new DashboardValidation.Invalid(
                "var-*: more than "
                    + DashboardValidation.MAX_VARIABLES
                    + " variables (limit "
                    + DashboardValidation.MAX_VARIABLES
                    + ")");
          }
          vars.put(name.substring(4), value);
        }
      }
      return new Request(id, from, to, refresh, Map.copyOf(vars));
    }
  }

  /** Opens a stream, or empty when every slot is taken. */
  Optional<HttpResponse> open(ServiceRequestContext ctx, Request request) {
    if (!slots.tryAcquire()) {
      return Optional.empty();
    }
    ctx.clearRequestTimeout();
    StreamWriter<ServerSentEvent> writer = StreamMessage.streaming();
    Stream stream = new Stream(request, writer);
    open.add(stream);
    writer
        .whenComplete()
        .handle(
            (v, e) -> {
              stream.stop();
              return null;
            });
    boolean live = request.refreshMs() > 0 && TimeRanges.isRelative(request.to());
    long period = live ? request.refreshMs() : HEARTBEAT_MS;
    writer.tryWrite(ServerSentEvent.ofRetry(java.time.Duration.ofSeconds(5)));
    stream.future =
        ticker.scheduleWithFixedDelay(() -> stream.tick(live), 0, period, TimeUnit.MILLISECONDS);
    return Optional.of(ServerSentEvents.fromPublisher(writer));
  }

  private final class Stream {
    final Request request;
    final StreamWriter<ServerSentEvent> writer;
    final AtomicBoolean busy = new AtomicBoolean();
    final AtomicBoolean stopped = new AtomicBoolean();
    volatile ScheduledFuture<?> future;
    volatile boolean sentOnce;
    volatile JsonNode dashboard;

    Stream(Request request, StreamWriter<ServerSentEvent> writer) {
      this.request = request;
      this.writer = writer;
    }

    void tick(boolean live) {
      if (stopped.get() || !writer.isOpen()) {
        stop();
        ScheduledFuture<?> f = future;
        if (f != null) {
          f.cancel(false);
        }
        return;
      }
      if (sentOnce && !live) {
        // a heartbeat finds dead connections; like results, it is skipped while one is unread
        if (busy.compareAndSet(false, true)) {
          if (writer.tryWrite(ServerSentEvent.ofComment("heartbeat"))) {
            writer.whenConsumed().thenRun(() -> busy.set(false));
          } else {
            busy.set(false);
          }
        }
        return;
      }
      if (!busy.compareAndSet(false, true)) {
        return; // the browser has not taken the previous results yet: skip, do not queue
      }
      try {
        workers.execute(this::evaluate);
      } catch (RuntimeException e) {
        busy.set(false);
      }
    }

    private void evaluate() {
      boolean queued = false;
      try {
        if (dashboard == null) {
          Optional<ObjectNode> d = store.get(request.id());
          if (d.isEmpty()) {
            send("error", error("dashboard " + request.id() + " not found"));
            writer.close();
            return;
          }
          dashboard = d.get();
        }
        long now = clock.millis();
        long start = TimeRanges.parse(request.from(), now);
        long end = TimeRanges.parse(request.to(), now);
        if (end <= start) {
          send("error", error("to: must be after from"));
          writer.close();
          return;
        }
        long began = System.nanoTime();
        for (JsonNode panel : dashboard.path("panels")) {
          send("panel", evaluator.evaluate(panel, request.vars(), start, end));
        }
        ObjectNode done = json.createObjectNode();
        done.put("t", now);
        done.put("start", start);
        done.put("end", end);
        done.put("evalMillis", (System.nanoTime() - began) / 1_000_000);
        queued = send("tick", done);
        evaluations.incrementAndGet();
        sentOnce = true;
      } catch (RuntimeException e) {
        LOG.warn("live dashboard {} evaluation failed", request.id(), e);
        send("error", error("evaluation failed: " + e.getClass().getSimpleName()));
      } finally {
        if (queued) {
          writer.whenConsumed().thenRun(() -> busy.set(false));
        } else {
          busy.set(false);
        }
      }
    }

    private ObjectNode error(String message) {
      ObjectNode n = json.createObjectNode();
      n.put("message", message);
      return n;
    }

    private boolean send(String event, JsonNode data) {
      try {
        return writer.tryWrite(
            ServerSentEvent.builder().event(event).data(json.writeValueAsString(data)).build());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    void stop() {
      if (stopped.compareAndSet(false, true)) {
        ScheduledFuture<?> f = future;
        if (f != null) {
          f.cancel(false);
        }
        open.remove(this);
        slots.release();
        writer.close();
      }
    }
  }

  @Override
  public void close() {
    for (Stream s : Set.copyOf(open)) {
      s.stop();
    }
  }
}
