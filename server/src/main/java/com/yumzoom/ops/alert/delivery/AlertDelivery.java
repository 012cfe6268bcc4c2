package com.yumzoom.ops.alert.delivery;

import com.linecorp.armeria.server.ServerBuilder;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.alert.NotificationSink;
import com.yumzoom.ops.config.YumzoomConfig;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery side of alerting, assembled: the {@link NotificationSink} the rule side hands
 * notifications to, backed by the persisted outbox, escalations, incidents and remediation, all in
 * {@code <data-dir>/notifications.duckdb}. {@link #send} returns once the notification is
 * committed; everything after that happens on this class's own threads.
 */
public final class AlertDelivery implements NotificationSink, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);

  private final DeliveryConfig config;
  private final YumzoomConfig.AlertDeliverySettings settings;
  private final Clock clock;
  private final DeliveryStore store;
  private final LinkSigner signer;
  private final Outbox outbox;
  private final Escalations escalations;
  private final Incidents incidents;
  private final Remediations remediations;
  private final ScheduledExecutorService ticker;
  private volatile boolean closed;

  AlertDelivery(
      DeliveryConfig config,
      YumzoomConfig.AlertDeliverySettings settings,
      Path dataDir,
      Clock clock,
      RandomGenerator random,
      HttpClient http) {
    this.config = config;
    this.settings = settings;
    this.clock = clock;
    this.store = DeliveryStore.open(dataDir);
    try {
      this.signer = LinkSigner.inDataDir(dataDir);
      this.incidents = new Incidents(store, clock, settings.incidentSeverities());
      ChannelSender sender =
          new ChannelSender(
              http,
              settings.requestTimeout(),
              signer,
              settings.publicUrl(),
              settings.linkTtl(),
              clock);
      RetryPolicy retry =
          new RetryPolicy(
              settings.maxAttempts(),
              settings.maxAge(),
              settings.initialBackoff(),
              settings.maxBackoff());
      this.outbox =
          new Outbox(
              store,
              sender,
              () -> config,
              retry,
              clock,
              random,
              System::nanoTime,
              settings.maxPending(),
              this::onAttempt);
      this.escalations =
          new Escalations(store, () -> config, clock, outbox::enqueue, incidents::eventForGroup);
      this.remediations =
          new Remediations(
              store,
              () -> config,
              clock,
              http,
              incidents::eventForGroup,
              Remediations.defaultExecutor());
      this.ticker =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().daemon().name("yz-alert-escalation").factory());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Opens the store in {@code dataDir} and reads the alerting file named in {@code settings}. */
  public static AlertDelivery open(
      YumzoomConfig.AlertDeliverySettings settings, Path dataDir, Clock clock) {
    DeliveryConfig config = DeliveryConfig.load(settings.configFile());
    return new AlertDelivery(
        config,
        settings,
        dataDir,
        clock,
        RandomGenerator.getDefault(),
        ChannelSender.defaultClient(settings.requestTimeout()));
  }

  /** For the rule side: whether a route may name this receiver (or escalation policy). */
  public Predicate<String> receiverExists() {
    return config.receiverExists();
  }

  /** Starts the delivery workers and the escalation/retention ticker. */
  public void start() {
    outbox.start(settings.workers(), Duration.ofSeconds(1));
    ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    ticker.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.MINUTES);
  }

  private void tick() {
    try {
      escalations.tick();
    } catch (RuntimeException e) {
      LOG.warn("escalation tick failed; next one in 1 s", e);
    }
  }

  private void purge() {
    try {
      java.time.Instant cutoff = clock.instant().minus(settings.historyMaxAge());
      int n = outbox.purgeBefore(cutoff) + escalations.purgeBefore(cutoff.toEpochMilli());
      if (n > 0) {
        LOG.info("deleted {} notifications older than {}", n, settings.historyMaxAge());
      }
    } catch (RuntimeException e) {
      LOG.warn("notification history purge failed", e);
    }
  }

  /**
   * Queues {@code n} durably and returns. A notification routed to an escalation policy is stored
   * and walks that policy; otherwise it goes to its receiver's channels, and critical alerts walk
   * the receiver's policy if it has one.
   *
   * @throws Outbox.FullException (a RuntimeException) when the outbox is full: the dispatcher keeps
   *     the group due and tries again
   */
  @Override
  public void send(Notification n) {
    if (closed) {
      throw new IllegalStateException("alert delivery is closed");
    }
    boolean toPolicy = config.policies().containsKey(n.receiver());
    // queuing and recording the alerts' states are one commit: both or neither, one WAL sync
    long[] id = new long[1];
    @SuppressWarnings("unchecked")
    Set<String>[] changedHolder = new Set[1];
    store.batched(
        () -> {
          id[0] = toPolicy ? outbox.store(n) : outbox.enqueue(n, n.receiver());
          changedHolder[0] = escalations.record(id[0], n);
        });
    Set<String> changed = changedHolder[0];
    // the notification is committed: what follows must not make the dispatcher send it again
    try {
      incidents.onNotification(n, changed);
      remediations.onNotification(n, changed);
      escalations.tick();
    } catch (RuntimeException e) {
      LOG.warn("after queuing notification {} for {}: {}", id[0], n.receiver(), e.toString(), e);
    }
  }

  /**
   * Acknowledges alerts (API, signed link) and forwards the acknowledgement to every receiver with
   * a PagerDuty channel that was notified about the alert's group, escalation steps included.
   */
  Escalations.Change acknowledge(List<String> fingerprints, String by) {
    Escalations.Change change = escalations.acknowledge(fingerprints, by);
    for (String groupKey : change.groupKeys().stream().distinct().toList()) {
      incidents.acknowledgeGroup(groupKey, by);
      for (Notification latest : outbox.latestFiringPerReceiver(groupKey)) {
        DeliveryConfig.Receiver r = config.receivers().get(latest.receiver());
        if (r == null
            || r.channels().stream().noneMatch(c -> c instanceof ChannelConfig.PagerDuty)) {
          continue;
        }
        try {
          outbox.enqueue(
              new Notification(
                  latest.receiver(),
                  ChannelSender.ACKNOWLEDGED,
                  latest.groupLabels(),
                  latest.commonLabels(),
                  latest.commonAnnotations(),
                  latest.externalUrl(),
                  latest.groupKey(),
                  latest.alerts(),
                  latest.truncatedAlerts()),
              latest.receiver());
        } catch (RuntimeException e) {
          LOG.warn(
              "forwarding the acknowledgement of {} to {} failed", groupKey, latest.receiver(), e);
        }
      }
    }
    return change;
  }

  Escalations.Change resolve(List<String> fingerprints, String by) {
    Escalations.Change change = escalations.resolve(fingerprints, by);
    return change;
  }

  /** Adds the delivery routes (API, signed links, incidents) to {@code sb}. */
  public void register(ServerBuilder sb) {
    DeliveryRoutes.register(sb, this);
  }

  Outbox outbox() {
    return outbox;
  }

  Escalations escalations() {
    return escalations;
  }

  Incidents incidents() {
    return incidents;
  }

  Remediations remediations() {
    return remediations;
  }

  LinkSigner signer() {
    return signer;
  }

  Clock clock() {
    return clock;
  }

  private void onAttempt(
      long notificationId,
      Notification n,
      String channel,
      ChannelSender.Outcome outcome,
      boolean dead) {
    if (outcome.result() == ChannelSender.Result.RETRY && !dead) {
      return; // retries are in the attempt log; the timeline keeps outcomes
    }
    String what =
        switch (outcome.result()) {
          case DELIVERED ->
              "notification " + notificationId + " sent to " + n.receiver() + " via " + channel;
          default ->
              "notification "
                  + notificationId
                  + " to "
                  + n.receiver()
                  + " via "
                  + channel
                  + " failed for good: "
                  + outcome.error();
        };
    if (Alert.RESOLVED.equals(n.status())) {
      // the group's incident may have just been resolved: find the latest one of the group
      incidents.eventForLatest(
          n.groupKey(), dead ? "notification_failed" : "notification_sent", what);
    } else {
      incidents.eventForGroup(
          n.groupKey(), dead ? "notification_failed" : "notification_sent", what);
    }
  }

  /** Stops the workers (attempts in flight are recorded), then closes the store. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ticker.shutdownNow();
    outbox.close();
    remediations.close();
    store.close();
  }
}
