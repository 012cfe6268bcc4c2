package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Notification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted outbox: {@link #enqueue} writes a notification and one delivery per channel of its
 * receiver in one transaction and returns; workers deliver later, with retries.
 *
 * <p>Design: the database is the queue. A delivery is {@code pending} with a {@code
 * next_attempt_at}, then {@code delivered} or {@code dead}; every attempt is a row of {@code
 * attempts}. In-flight deliveries are tracked in memory only, so after a crash or restart every
 * pending delivery is simply due again: delivery is at least once, and exactly once unless the
 * process dies between a receiver's answer and the commit recording it. A dispatcher thread claims
 * due deliveries up to the number of free workers (a bounded pool), so nothing queues in memory;
 * {@link #wake} cuts the wait when a notification arrives, which keeps breach-to-delivery latency
 * to one database round trip. Workers catch everything: an attempt that throws is recorded as a
 * failed attempt and retried, never a dead thread.
 */
final class Outbox implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  static final String PENDING = "pending";
  static final String DELIVERED = "delivered";
  static final String DEAD = "dead";

  /** Told about each attempt's outcome (incident timelines); exceptions are logged, not fatal. */
  interface Listener {
    void onAttempt(
        long notificationId,
        Notification n,
        String channel,
        ChannelSender.Outcome outcome,
        boolean dead);
  }

  /** Thrown by {@link #enqueue} when {@code maxPending} deliveries are already waiting. */
  static final class FullException extends RuntimeException {
    FullException(String message) {
      super(message, null, false, false);
    }
  }

  private final DeliveryStore store;
  private final ChannelSender sender;
  private final Supplier<DeliveryConfig> config;
  private final RetryPolicy retry;
  private final Clock clock;
  private final RandomGenerator random;
  private final LongSupplier nanos;
  private final int maxPending;
  private final Listener listener;
  private final AtomicInteger pending = new AtomicInteger();
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

  /**
   * Pending deliveries by due time ({@code [nextAttemptAtMillis, id]}), so finding due work never
   * scans the table. Entries leave when claimed and come back on retry.
   */
  private final PriorityQueue<long[]> schedule =
      new PriorityQueue<>(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));

  private final AtomicLong workerErrors = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final Object signal = new Object();
  private volatile boolean woken;
  private volatile boolean closed;
  private Thread dispatcher;
  private ExecutorService workers;
  private Semaphore permits;

  Outbox(
      DeliveryStore store,
      ChannelSender sender,
      Supplier<DeliveryConfig> config,
      RetryPolicy retry,
      Clock clock,
      RandomGenerator random,
      LongSupplier nanos,
      int maxPending,
      Listener listener) {
    this.store = store;
    this.sender = sender;
    this.config = config;
    this.retry = retry;
    this.clock = clock;
    this.random = random;
    this.nanos = nanos;
    this.maxPending = maxPending;
    this.listener = listener;
    // the schedule is rebuilt from the database: after a restart every pending delivery is due
    // again at its recorded time; bounded by maxPending like the table it mirrors
    store.query(
        "SELECT next_attempt_at, id FROM deliveries WHERE state = ?",
        rs -> {
          schedule(rs.getLong(1), rs.getLong(2));
          return null;
        },
        PENDING);
    pending.set(schedule.size());
  }

  /**
   * Persists {@code n} with one pending delivery per channel of {@code receiver} that takes it;
   * returns the notification id once committed.
   *
   * @throws FullException when the outbox holds {@code maxPending} undelivered deliveries
   */
  long enqueue(Notification n, String receiver) {
    DeliveryConfig.Receiver r = config.get().receivers().get(receiver);
    List<ChannelConfig> channels = r == null ? List.of() : r.channels();
    List<Integer> wanted = new ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      if (ChannelSender.wants(channels.get(i), n)) {
        wanted.add(i);
      }
    }
    if (pending.get() + wanted.size() > maxPending) {
      throw new FullException(
          "outbox full: " + pending.get() + " deliveries pending (limit " + maxPending + ")");
    }
    String payload = json(n, receiver);
    long now = clock.millis();
    long id = store.newId();
    List<Long> deliveryIds = new ArrayList<>();
    for (int i = 0; i < wanted.size(); i++) {
      deliveryIds.add(store.newId());
    }
    store.transaction(
        () -> {
          store.update(
              "INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?)",
              id,
              now,
              receiver,
              n.groupKey(),
              n.status(),
              n.alerts().size(),
              payload);
          if (r == null) {
            // visible as a dead letter, not lost: the route names a receiver we do not have
            store.update(
                "INSERT INTO deliveries VALUES (?, ?, ?, 'none', -1, ?, 0, ?, ?, ?, ?)",
                store.newId(),
                id,
                receiver,
                DEAD,
                now,
                now,
                now,
                "unknown receiver " + receiver);
          }
          for (int i = 0; i < wanted.size(); i++) {
            int index = wanted.get(i);
            store.update(
                "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, NULL)",
                deliveryIds.get(i),
                id,
                receiver,
                channels.get(index).type(),
                index,
                PENDING,
                now,
                now,
                now);
          }
          store.afterCommit(
              () -> {
                pending.addAndGet(deliveryIds.size());
                for (long deliveryId : deliveryIds) {
                  schedule(now, deliveryId);
                }
                wake();
              });
          return null;
        });
    return id;
  }

  private void schedule(long at, long deliveryId) {
    synchronized (schedule) {
      schedule.add(new long[] {at, deliveryId});
    }
  }

  /** Millis until the earliest scheduled delivery is due (0 if one is due, -1 if none). */
  private long untilNextDue() {
    synchronized (schedule) {
      long[] head = schedule.peek();
      return head == null ? -1 : Math.max(0, head[0] - clock.millis());
    }
  }

  /**
   * Persists {@code n} without deliveries: a notification routed to an escalation policy, whose
   * steps enqueue it for their receivers later.
   */
  long store(Notification n) {
    long id = store.newId();
    store.update(
        "INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?)",
        id,
        clock.millis(),
        n.receiver(),
        n.groupKey(),
        n.status(),
        n.alerts().size(),
        json(n, n.receiver()));
    return id;
  }

  /** The latest firing notification of {@code groupKey} for each receiver that got one. */
  List<Notification> latestFiringPerReceiver(String groupKey) {
    return store
        .query(
            "SELECT arg_max(payload, id) FROM notifications WHERE group_key = ? AND status = ?"
                + " GROUP BY receiver",
            rs -> rs.getString(1),
            groupKey,
            com.yumzoom.ops.alert.Alert.FIRING)
        .stream()
        .map(Payloads::fromJson)
        .toList();
  }

  /** A stored notification, or null. */
  Notification notification(long id) {
    String payload =
        store.queryOne("SELECT payload FROM notifications WHERE id = ?", rs -> rs.getString(1), id);
    return payload == null ? null : Payloads.fromJson(payload);
  }

  private static String json(Notification n, String receiver) {
    Notification stored =
        n.receiver().equals(receiver)
            ? n
            : new Notification(
                receiver,
                n.status(),
                n.groupLabels(),
                n.commonLabels(),
                n.commonAnnotations(),
                n.externalUrl(),
                n.groupKey(),
                n.alerts(),
                n.truncatedAlerts());
    try {
      return Payloads.JSON.writeValueAsString(Payloads.webhook(stored, 0));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Wakes the dispatcher now instead of at its next poll. */
  void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private record Due(
      long id,
      long notificationId,
      String receiver,
      String channel,
      int index,
      int attempts,
      long createdAt,
      String payload) {}

  /** Claims up to {@code limit} due deliveries from the schedule and loads them. */
  private List<Due> due(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    long now = clock.millis();
    List<Long> ids = new ArrayList<>();
    synchronized (schedule) {
      while (ids.size() < limit && !schedule.isEmpty() && schedule.peek()[0] <= now) {
        ids.add(schedule.poll()[1]);
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    Object[] params = new Object[ids.size() + 1];
    params[0] = PENDING;
    for (int i = 0; i < ids.size(); i++) {
      params[i + 1] = ids.get(i);
    }
    try {
      return load(ids, marks, params);
    } catch (RuntimeException e) {
      // claimed but not loaded: put them back so they are not forgotten until a restart
      for (long id : ids) {
        schedule(now + retry.initialBackoff().toMillis(), id);
      }
      throw e;
    }
  }

  private List<Due> load(List<Long> ids, String marks, Object[] params) {
    return store.query(
        "SELECT d.id, d.notification_id, d.receiver, d.channel, d.channel_index, d.attempts,"
            + " d.created_at, n.payload FROM deliveries d JOIN notifications n"
            + " ON n.id = d.notification_id WHERE d.state = ? AND d.id IN ("
            + marks
            + ") ORDER BY d.next_attempt_at, d.id",
        rs ->
            new Due(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5),
                rs.getInt(6),
                rs.getLong(7),
                rs.getString(8)),
        params);
  }

  /**
   * Delivers everything due now on the calling thread; returns how many attempts were made. Tests
   * drive the outbox with this and a manual clock; the workers use the same path.
   */
  int deliverDue() {
    int made = 0;
    for (Due d : due(1000)) {
      if (inFlight.add(d.id())) {
        try {
          attemptSafely(d);
          made++;
        } finally {
          inFlight.remove(d.id());
        }
      }
    }
    return made;
  }

  /**
   * An attempt whose outcome could not be recorded (the store failed) is scheduled again: the
   * receiver may get it twice, but it is never forgotten.
   */
  private void attemptSafely(Due d) {
    try {
      attempt(d);
    } catch (Throwable t) {
      workerErrors.incrementAndGet();
      LOG.error("delivery {} failed outside the channel; trying again later", d.id(), t);
      schedule(clock.millis() + retry.initialBackoff().toMillis(), d.id());
    }
  }

  private void attempt(Due d) {
    Notification n;
    try {
      n = Payloads.fromJson(d.payload());
    } catch (RuntimeException e) {
      record(
          d,
          null,
          new ChannelSender.Outcome(
              ChannelSender.Result.FAILED, 0, "unreadable: " + e.getMessage()),
          0);
      return;
    }
    DeliveryConfig.Receiver r = config.get().receivers().get(d.receiver());
    ChannelConfig channel =
        r != null && d.index() < r.channels().size() ? r.channels().get(d.index()) : null;
    if (channel == null || !channel.type().equals(d.channel())) {
      record(
          d,
          n,
          new ChannelSender.Outcome(
              ChannelSender.Result.FAILED,
              0,
              "receiver "
                  + d.receiver()
                  + " no longer has "
                  + d.channel()
                  + " channel #"
                  + d.index()),
          0);
      return;
    }
    long start = nanos.getAsLong();
    ChannelSender.Outcome outcome;
    try {
      outcome = sender.deliver(channel, n);
    } catch (RuntimeException e) {
      outcome = new ChannelSender.Outcome(ChannelSender.Result.RETRY, 0, "unexpected " + e);
      LOG.warn("delivery {} on {} threw", d.id(), d.channel(), e);
    }
    record(d, n, outcome, (nanos.getAsLong() - start) / 1e6);
  }

  private void record(Due d, Notification n, ChannelSender.Outcome outcome, double latencyMs) {
    Instant now = clock.instant();
    int attempt = d.attempts() + 1;
    String state;
    long next = now.toEpochMilli();
    String error = outcome.error();
    switch (outcome.result()) {
      case DELIVERED -> state = DELIVERED;
      case FAILED -> state = DEAD;
      default -> {
        Duration wait = retry.backoff(attempt, random.nextDouble());
        Instant deadline = Instant.ofEpochMilli(d.createdAt()).plus(retry.maxAge());
        if (attempt >= retry.maxAttempts()) {
          state = DEAD;
          error = error + " (gave up after " + attempt + " attempts)";
        } else if (now.plus(wait).isAfter(deadline)) {
          state = DEAD;
          error = error + " (gave up: older than " + retry.maxAge() + ")";
        } else {
          state = PENDING;
          next = now.plus(wait).toEpochMilli();
        }
      }
    }
    String finalState = state;
    long finalNext = next;
    String finalError = error;
    store.batched(
        () -> {
          store.update(
              "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?)",
              d.id(),
              attempt,
              now.toEpochMilli(),
              outcome.result().name().toLowerCase(java.util.Locale.ROOT),
              outcome.statusCode(),
              outcome.error(),
              latencyMs);
          store.update(
              "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, updated_at = ?,"
                  + " last_error = ? WHERE id = ?",
              finalState,
              attempt,
              finalNext,
              now.toEpochMilli(),
              finalError,
              d.id());
        });
    if (finalState.equals(PENDING)) {
      schedule(finalNext, d.id());
    } else {
      pending.decrementAndGet();
      (finalState.equals(DELIVERED) ? delivered : deadLettered).incrementAndGet();
    }
    if (finalState.equals(DEAD)) {
      LOG.warn(
          "delivery {} ({} on {}) dead-lettered: {}",
          d.id(),
          d.receiver(),
          d.channel(),
          finalError);
    }
    if (n != null) {
      try {
        listener.onAttempt(d.notificationId(), n, d.channel(), outcome, finalState.equals(DEAD));
      } catch (RuntimeException e) {
        workerErrors.incrementAndGet();
        LOG.warn("delivery listener failed for delivery {}", d.id(), e);
      }
    }
  }

  /** Starts the dispatcher and {@code workerCount} workers. */
  synchronized void start(int workerCount, Duration pollInterval) {
    if (dispatcher != null) {
      throw new IllegalStateException("already started");
    }
    permits = new Semaphore(workerCount);
    workers =
        Executors.newFixedThreadPool(
            workerCount, Thread.ofPlatform().daemon().name("yz-alert-delivery-", 0).factory());
    dispatcher =
        Thread.ofPlatform()
            .daemon()
            .name("yz-alert-outbox")
            .start(() -> dispatchLoop(pollInterval));
  }

  private void dispatchLoop(Duration pollInterval) {
    while (!closed) {
      try {
        List<Due> due = due(permits.availablePermits());
        for (Due d : due) {
          if (closed || !inFlight.add(d.id())) {
            continue;
          }
          permits.acquire();
          try {
            workers.execute(
                () -> {
                  try {
                    attemptSafely(d);
                  } finally {
                    inFlight.remove(d.id());
                    permits.release();
                    wake();
                  }
                });
          } catch (RuntimeException e) {
            inFlight.remove(d.id());
            permits.release();
            throw e;
          }
        }
        if (due.isEmpty() || permits.availablePermits() == 0) {
          synchronized (signal) {
            long wait = untilNextDue();
            wait = wait < 0 ? pollInterval.toMillis() : Math.min(wait, pollInterval.toMillis());
            if (!woken && !closed && (wait > 0 || permits.availablePermits() == 0)) {
              signal.wait(Math.max(1, wait));
            }
            woken = false;
          }
        }
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (Throwable t) {
        workerErrors.incrementAndGet();
        if (closed) {
          return;
        }
        LOG.error("outbox dispatcher failed; going on", t);
        try {
          Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  int pending() {
    return pending.get();
  }

  long delivered() {
    return delivered.get();
  }

  long deadLettered() {
    return deadLettered.get();
  }

  long workerErrors() {
    return workerErrors.get();
  }

  /** Deletes delivered and dead notifications older than {@code cutoff}; returns rows deleted. */
  int purgeBefore(Instant cutoff) {
    long c = cutoff.toEpochMilli();
    return store.transaction(
        () -> {
          String old =
              "SELECT id FROM notifications WHERE received_at < ? AND id NOT IN"
                  + " (SELECT notification_id FROM deliveries WHERE state = 'pending')";
          store.update(
              "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE"
                  + " notification_id IN ("
                  + old
                  + "))",
              c);
          store.update("DELETE FROM deliveries WHERE notification_id IN (" + old + ")", c);
          return store.update(
              "DELETE FROM notifications WHERE received_at < ? AND id NOT IN"
                  + " (SELECT notification_id FROM deliveries)",
              c);
        });
  }

  // ---- reads for the API ----

  /** Notifications newest first with their deliveries; {@code state} filters by delivery state. */
  ArrayNode list(String state, String receiver, int limit) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder("WHERE true");
    if (state != null) {
      where.append(" AND id IN (SELECT notification_id FROM deliveries WHERE state = ?)");
      params.add(state);
    }
    if (receiver != null) {
      where.append(" AND receiver = ?");
      params.add(receiver);
    }
    params.add(limit);
    Map<Long, ObjectNode> byId = new LinkedHashMap<>();
    ArrayNode out = Payloads.JSON.createArrayNode();
    store.query(
        "SELECT id, received_at, receiver, group_key, status, alerts FROM notifications "
            + where
            + " ORDER BY id DESC LIMIT ?",
        rs -> {
          ObjectNode o = out.addObject();
          o.put("id", rs.getLong(1));
          o.put("receivedAt", Payloads.time(Instant.ofEpochMilli(rs.getLong(2))));
          o.put("receiver", rs.getString(3));
          o.put("groupKey", rs.getString(4));
          o.put("status", rs.getString(5));
          o.put("alerts", rs.getInt(6));
          o.putArray("deliveries");
          byId.put(rs.getLong(1), o);
          return null;
        },
        params.toArray());
    if (!byId.isEmpty()) {
      long min = byId.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
      store.query(
          "SELECT notification_id, id, channel, channel_index, state, attempts, next_attempt_at,"
              + " updated_at, last_error FROM deliveries WHERE notification_id >= ? ORDER BY id",
          rs -> {
            ObjectNode n = byId.get(rs.getLong(1));
            if (n != null) {
              delivery((ArrayNode) n.get("deliveries"), rs);
            }
            return null;
          },
          min);
    }
    return out;
  }

  private static ObjectNode delivery(ArrayNode into, java.sql.ResultSet rs)
      throws java.sql.SQLException {
    ObjectNode d = into.addObject();
    d.put("id", rs.getLong("id"));
    d.put("channel", rs.getString("channel"));
    d.put("channelIndex", rs.getInt("channel_index"));
    d.put("state", rs.getString("state"));
    d.put("attempts", rs.getInt("attempts"));
    if (PENDING.equals(rs.getString("state"))) {
      d.put("nextAttemptAt", Payloads.time(Instant.ofEpochMilli(rs.getLong("next_attempt_at"))));
    }
    d.put("updatedAt", Payloads.time(Instant.ofEpochMilli(rs.getLong("updated_at"))));
    d.put("lastError", rs.getString("last_error"));
    return d;
  }

  /** One notification: payload, deliveries, and every attempt of each; null when unknown. */
  ObjectNode detail(long id) {
    ObjectNode n =
        store.queryOne(
            "SELECT id, received_at, receiver, group_key, status, payload FROM notifications"
                + " WHERE id = ?",
            rs -> {
              ObjectNode o = Payloads.JSON.createObjectNode();
              o.put("id", rs.getLong(1));
              o.put("receivedAt", Payloads.time(Instant.ofEpochMilli(rs.getLong(2))));
              o.put("receiver", rs.getString(3));
              o.put("groupKey", rs.getString(4));
              o.put("status", rs.getString(5));
              try {
                o.set("payload", Payloads.JSON.readTree(rs.getString(6)));
              } catch (JsonProcessingException e) {
                o.put("payload", rs.getString(6));
              }
              return o;
            },
            id);
    if (n == null) {
      return null;
    }
    ArrayNode deliveries = n.putArray("deliveries");
    Map<Long, ArrayNode> attempts = new LinkedHashMap<>();
    store.query(
        "SELECT * FROM deliveries WHERE notification_id = ? ORDER BY id",
        rs -> {
          attempts.put(rs.getLong("id"), delivery(deliveries, rs).putArray("attemptLog"));
          return null;
        },
        id);
    store.query(
        "SELECT a.* FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
            + " WHERE d.notification_id = ? ORDER BY a.delivery_id, a.attempt",
        rs -> {
          ObjectNode a = attempts.get(rs.getLong("delivery_id")).addObject();
          a.put("attempt", rs.getInt("attempt"));
          a.put("at", Payloads.time(Instant.ofEpochMilli(rs.getLong("attempted_at"))));
          a.put("result", rs.getString("result"));
          a.put("statusCode", rs.getInt("status_code"));
          a.put("error", rs.getString("error"));
          a.put("latencyMs", rs.getDouble("latency_ms"));
          return null;
        },
        id);
    return n;
  }

  /** Stops the dispatcher and waits (bounded) for attempts in flight to be recorded. */
  @Override
  public void close() {
    closed = true;
    wake();
    Thread d;
    ExecutorService w;
    synchronized (this) {
      d = dispatcher;
      w = workers;
    }
    try {
      if (d != null) {
        d.join(TimeUnit.SECONDS.toMillis(5));
      }
      if (w != null) {
        w.shutdown();
        if (!w.awaitTermination(15, TimeUnit.SECONDS)) {
          w.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
