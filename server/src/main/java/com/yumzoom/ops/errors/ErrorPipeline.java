package com.yumzoom.ops.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.yumzoom.ops.pipeline.OverloadedException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the error store: sources submit occurrences, one thread groups whatever has
 * queued into issues and commits it in one transaction, then completes the submitters' futures, so
 * an acknowledged event is on disk (the same group commit as {@code pipeline.GroupCommitWriter}).
 *
 * <p>Grouping stays stable across restarts and upgrades: an occurrence is first fingerprinted with
 * every older grouping version issues exist for, and joins the issue such a fingerprint belongs to;
 * only when none matches is the current version's fingerprint used (and a new issue created with
 * it). The fingerprint of the current version is computed on the submitting thread; the writer only
 * looks issues up.
 *
 * <p>Bounded: the queue holds at most {@code queueMaxEvents} occurrences ({@link #submit} fails
 * with {@link OverloadedException}, {@link #offer} drops and counts); the writer caches at most
 * {@value #MAX_CACHED_ISSUES} issues and {@value #MAX_CACHED_KEYS} fingerprints and releases,
 * falling back to the database. Status changes, merges and unmerges run on the same thread as
 * commands, so they never race with grouping. The worker never dies: a failed commit fails only its
 * submitters and drops the caches, so memory never runs ahead of the database.
 */
public final class ErrorPipeline implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorPipeline.class);
  static final int MAX_CACHED_ISSUES = 10_000;
  static final int MAX_CACHED_KEYS = 100_000;

  private sealed interface Work permits Submit, Command {}

  private record Submit(List<Grouped> events, CompletableFuture<List<Long>> done) implements Work {}

  private record Command(Function<ErrorPipeline, Object> fn, CompletableFuture<Object> done)
      implements Work {}

  private final ErrorStore store;
  private final Grouping grouping;
  private final InAppRules inApp;
  private final ErrorSignals signals;
  private final Clock clock;
  private final int queueMaxEvents;
  private final int commitMaxEvents;
  private final Duration retryAfter;
  private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final Thread worker;
  private volatile boolean accepting = true;
  private volatile boolean running = true;

  private final LongAdder committedEvents = new LongAdder();
  private final LongAdder droppedEvents = new LongAdder();
  private final LongAdder rejectedEvents = new LongAdder();
  private final LongAdder failedCommits = new LongAdder();

  // writer thread only
  private final Map<Long, IssueState> issues = lru(MAX_CACHED_ISSUES);
  private final Map<String, Long> fingerprints = lru(MAX_CACHED_KEYS);
  private final Map<String, Long> releases = lru(MAX_CACHED_KEYS);
  // SDKs resend an event whose acknowledgement they missed (timeout, restart); span events keep
  // their id when a batch is replayed. Recent ids are remembered so a resend is not counted twice.
  private final Map<String, Long> recentEventIds = lru(MAX_CACHED_KEYS);
  private final LongAdder duplicateEvents = new LongAdder();
  private final ErrorStore.Batch batch = new ErrorStore.Batch();
  private final List<Runnable> afterCommit = new ArrayList<>();
  private List<String> olderVersions = List.of();
  private long nextIssueId;

  ErrorPipeline(
      ErrorStore store,
      Grouping grouping,
      InAppRules inApp,
      ErrorSignals signals,
      Clock clock,
      int queueMaxEvents,
      int commitMaxEvents,
      Duration retryAfter) {
    this.store = store;
    this.grouping = grouping;
    this.inApp = inApp;
    this.signals = signals;
    this.clock = clock;
    this.queueMaxEvents = queueMaxEvents;
    this.commitMaxEvents = commitMaxEvents;
    this.retryAfter = retryAfter;
    this.nextIssueId = store.maxIssueId() + 1;
    this.olderVersions =
        store.groupingVersions().stream().filter(v -> !v.equals(Grouping.CURRENT_VERSION)).toList();
    this.worker = Thread.ofPlatform().name("yumzoom-errors-writer").unstarted(this::run);
    worker.start();
  }

  private static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }

  /**
   * Groups and stores the occurrences; the future completes with their issue ids once they are
   * committed.
   *
   * @throws OverloadedException (in the future) when the queue is full or the server stops
   */
  public CompletableFuture<List<Long>> submit(List<Occurrence> occurrences) {
    if (occurrences.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<Grouped> grouped = group(occurrences);
    if (!reserve(grouped.size())) {
      rejectedEvents.add(grouped.size());
      return CompletableFuture.failedFuture(
          new OverloadedException(
              accepting
                  ? "error queue is full (" + queueMaxEvents + " events, errors.queue-max-events)"
                  : "server is shutting down",
              retryAfter));
    }
    CompletableFuture<List<Long>> done = new CompletableFuture<>();
    queue.add(new Submit(grouped, done));
    return done;
  }

  /** Fire and forget (derived from already stored spans): drops and counts when full. */
  public boolean offer(List<Occurrence> occurrences) {
    if (occurrences.isEmpty()) {
      return true;
    }
    List<Grouped> grouped;
    try {
      grouped = group(occurrences);
    } catch (RuntimeException e) {
      droppedEvents.add(occurrences.size());
      LOG.debug("dropping occurrences that cannot be grouped", e);
      return false;
    }
    if (!reserve(grouped.size())) {
      droppedEvents.add(grouped.size());
      return false;
    }
    queue.add(new Submit(grouped, new CompletableFuture<>()));
    return true;
  }

  private List<Grouped> group(List<Occurrence> occurrences) {
    List<Grouped> out = new ArrayList<>(occurrences.size());
    for (Occurrence o : occurrences) {
      out.add(Grouped.of(o, grouping, inApp));
    }
    return out;
  }

  private boolean reserve(int n) {
    if (!accepting) {
      return false;
    }
    long after = queued.addAndGet(n);
    if (after > queueMaxEvents && after != n) {
      queued.addAndGet(-n);
      return false;
    }
    return true;
  }

  /** Runs {@code fn} on the writer thread and commits what it changed. */
  @SuppressWarnings("unchecked")
  <T> CompletableFuture<T> command(Function<ErrorPipeline, T> fn) {
    if (!accepting) {
      return CompletableFuture.failedFuture(
          new OverloadedException("server is shutting down", retryAfter));
    }
    CompletableFuture<Object> done = new CompletableFuture<>();
    queue.add(new Command((Function<ErrorPipeline, Object>) fn, done));
    return (CompletableFuture<T>) done;
  }

  private void run() {
    List<Submit> submits = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Work first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        Work next = first;
        int events = 0;
        while (next != null) {
          if (next instanceof Command c) {
            commitEvents(submits);
            runCommand(c);
          } else {
            Submit s = (Submit) next;
            submits.add(s);
            events += s.events().size();
            if (events >= commitMaxEvents) {
              break;
            }
          }
          next = queue.poll();
        }
        commitEvents(submits);
      } catch (InterruptedException e) {
        Thread.interrupted();
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError vme) {
          throw vme;
        }
        LOG.error("error writer caught an unexpected error; continuing", t);
        failed(submits, t);
      }
    }
  }

  private void commitEvents(List<Submit> submits) {
    if (submits.isEmpty()) {
      return;
    }
    int n = 0;
    try {
      List<List<Long>> ids = new ArrayList<>(submits.size());
      for (Submit s : submits) {
        List<Long> idsOfSubmit = new ArrayList<>(s.events().size());
        for (Grouped g : s.events()) {
          idsOfSubmit.add(accept(g));
        }
        n += s.events().size();
        ids.add(idsOfSubmit);
      }
      store.commit(batch);
      queued.addAndGet(-n);
      committedEvents.add(n);
      afterCommit.forEach(Runnable::run);
      for (int i = 0; i < submits.size(); i++) {
        submits.get(i).done().complete(ids.get(i));
      }
    } catch (RuntimeException e) {
      failed(submits, e);
    } finally {
      batch.clear();
      afterCommit.clear();
      submits.clear();
    }
  }

  private void failed(List<Submit> submits, Throwable t) {
    failedCommits.increment();
    LOG.warn("error commit failed: {}", t.toString());
    dropCaches();
    for (Submit s : submits) {
      if (!s.done().isDone()) {
        queued.addAndGet(-s.events().size());
        s.done().completeExceptionally(t);
      }
    }
    batch.clear();
    afterCommit.clear();
    submits.clear();
  }

  private void dropCaches() {
    issues.clear();
    fingerprints.clear();
    releases.clear();
    recentEventIds.clear();
    nextIssueId = Math.max(nextIssueId, store.maxIssueId() + 1);
  }

  private void runCommand(Command c) {
    Object result;
    try {
      result = c.fn().apply(this);
      store.commit(batch);
      afterCommit.forEach(Runnable::run);
    } catch (RuntimeException e) {
      if (!batch.isEmpty()) {
        dropCaches();
      }
      c.done().completeExceptionally(e);
      return;
    } finally {
      batch.clear();
      afterCommit.clear();
    }
    c.done().complete(result);
  }

  /** Groups one occurrence into the pending batch; returns its issue id. */
  private long accept(Grouped g) {
    Occurrence o = g.occurrence();
    Long duplicateOf = recentEventIds.get(o.id());
    if (duplicateOf != null) {
      afterCommit.add(duplicateEvents::increment);
      return duplicateOf;
    }
    String hash = g.fingerprint().hash();
    long issueId = 0;
    // a client-chosen fingerprint is the same in every version: look it up as it is
    for (String v : o.clientFingerprint().isEmpty() ? olderVersions : List.<String>of()) {
      Fingerprint f = grouping.fingerprint(o.event(), v);
      issueId = lookup(v, f.hash());
      if (issueId != 0) {
        hash = f.hash();
        break;
      }
    }
    if (issueId == 0) {
      issueId = lookup(Grouping.CURRENT_VERSION, hash);
    }
    IssueState issue;
    if (issueId == 0) {
      issue = create(g);
      issueId = issue.id;
    } else {
      issue = issue(issueId);
      for (int hops = 0; issue.status == IssueStatus.MERGED && hops < 16; hops++) {
        issue = issue(issue.mergedInto);
      }
      issueId = issue.id;
    }
    issue.totalCount++;
    issue.lastSeenMs = Math.max(issue.lastSeenMs, o.timestampMs());
    issue.firstSeenMs = Math.min(issue.firstSeenMs, o.timestampMs());
    IssueState.addBounded(issue.releases, o.release());
    IssueState.addBounded(issue.environments, o.environment());
    if (IssueState.severityRank(o.level()) > IssueState.severityRank(issue.severity)) {
      issue.severity = o.level();
    }
    if (!o.release().isEmpty() && releaseFirstSeen(o.release()) == Long.MAX_VALUE) {
      releases.put(o.release(), o.timestampMs());
      batch.newReleases.put(o.release(), o.timestampMs());
    }
    Lifecycle.Transition t =
        Lifecycle.onOccurrence(issue, o.release(), o.timestampMs(), this::releaseFirstSeen);
    if (t == Lifecycle.Transition.REGRESSED) {
      String service = o.service();
      afterCommit.add(() -> signals.regression(service));
    }
    batch.issues.put(issueId, issue);
    recentEventIds.put(o.id(), issueId);
    batch.events.add(new ErrorStore.EventRow(g, issueId, hash));
    batch.countHour(issueId, o.timestampMs(), 1);
    String service = o.service();
    String category = issue.category;
    afterCommit.add(() -> signals.event(service, category));
    return issueId;
  }

  private IssueState create(Grouped g) {
    Occurrence o = g.occurrence();
    IssueState i = new IssueState();
    i.id = nextIssueId++;
    i.groupingVersion = g.fingerprint().version();
    i.fingerprint = g.fingerprint().hash();
    ExceptionRecord top = o.event().trace().chain().getFirst();
    i.type = top.type();
    i.title = g.fingerprint().title();
    i.culprit = g.culprit();
    i.platform = o.event().trace().platform().name().toLowerCase(java.util.Locale.ROOT);
    i.category = g.category().label();
    i.severity = o.level();
    i.status = IssueStatus.UNRESOLVED;
    i.service = o.service();
    i.firstSeenMs = o.timestampMs();
    i.lastSeenMs = o.timestampMs();
    i.statusChangedMs = clock.millis();
    issues.put(i.id, i);
    fingerprints.put(i.groupingVersion + ":" + i.fingerprint, i.id);
    batch.newFingerprints.add(new String[] {i.groupingVersion, i.fingerprint, "" + i.id});
    String service = o.service();
    afterCommit.add(() -> signals.newIssue(service));
    return i;
  }

  private long lookup(String version, String hash) {
    String key = version + ":" + hash;
    Long id = fingerprints.get(key);
    if (id == null) {
      id = store.findIssue(version, hash);
      if (id != 0) {
        fingerprints.put(key, id);
      }
    }
    return id;
  }

  /** The issue's current state, from the batch, the cache or the store. */
  IssueState issue(long id) {
    IssueState i = batch.issues.get(id);
    if (i == null) {
      i = issues.get(id);
    }
    if (i == null) {
      i = store.loadIssue(id);
      if (i == null) {
        throw new IssueNotFoundException(id);
      }
      issues.put(id, i);
    }
    return i;
  }

  private long releaseFirstSeen(String release) {
    if (release.isEmpty()) {
      return Long.MAX_VALUE;
    }
    Long t = releases.get(release);
    if (t == null) {
      t = store.releaseFirstSeen(release);
      if (t != Long.MAX_VALUE) {
        releases.put(release, t);
      }
    }
    return t;
  }

  // ---------------------------------------------------------------- commands (writer thread)

  /** A requested status change, validated by the API. */
  record StatusChange(
      IssueStatus status,
      String resolveMode,
      String inRelease,
      long ignoreUntilMs,
      long ignoreForCount) {}

  Long applyStatus(long id, StatusChange change) {
    IssueState i = issue(id);
    if (i.status == IssueStatus.MERGED) {
      throw new IllegalArgumentException(
          "status: issue " + id + " was merged into " + i.mergedInto + "; change that issue");
    }
    long now = clock.millis();
    i.statusChangedMs = now;
    Lifecycle.clearResolution(i);
    i.ignoreUntilMs = 0;
    i.ignoreUntilCount = 0;
    switch (change.status()) {
      case RESOLVED -> {
        i.status = IssueStatus.RESOLVED;
        i.resolvedAtMs = now;
        i.resolveMode = change.resolveMode();
        switch (change.resolveMode()) {
          case "in_release" -> {
            i.resolvedInRelease = change.inRelease();
            if (releaseFirstSeen(change.inRelease()) == Long.MAX_VALUE) {
              // a release announced before its first event: it is newer than all we have seen
              releases.put(change.inRelease(), now);
              batch.newReleases.put(change.inRelease(), now);
            }
          }
          case "next_release" -> i.resolvedInRelease = latestRelease(i);
          default -> i.resolveMode = "now";
        }
      }
      case IGNORED -> {
        i.status = IssueStatus.IGNORED;
        i.ignoreUntilMs = change.ignoreUntilMs();
        i.ignoreUntilCount =
            change.ignoreForCount() > 0 ? i.totalCount + change.ignoreForCount() : 0;
      }
      default -> i.status = IssueStatus.UNRESOLVED;
    }
    batch.issues.put(id, i);
    return id;
  }

  private String latestRelease(IssueState i) {
    String best = "";
    long bestSeen = Long.MIN_VALUE;
    for (String r : i.releases) {
      long seen = releaseFirstSeen(r);
      if (seen != Long.MAX_VALUE && seen >= bestSeen) {
        best = r;
        bestSeen = seen;
      }
    }
    return best;
  }

  Long merge(long targetId, List<Long> sourceIds) {
    IssueState target = issue(targetId);
    if (target.status == IssueStatus.MERGED) {
      throw new IllegalArgumentException("target: issue " + targetId + " is itself merged");
    }
    List<IssueState> sources = new ArrayList<>();
    for (long s : sourceIds) {
      if (s == targetId) {
        throw new IllegalArgumentException("issues: cannot merge issue " + s + " into itself");
      }
      IssueState src = issue(s);
      if (src.status == IssueStatus.MERGED) {
        throw new IllegalArgumentException("issues: issue " + s + " is already merged");
      }
      sources.add(src);
    }
    for (IssueState src : sources) {
      for (String table : List.of("issue_fingerprints", "events", "issue_hours")) {
        batch.statements.add(
            new ErrorStore.Statement2(
                "UPDATE " + table + " SET issue_id = ? WHERE issue_id = ?",
                List.of(targetId, src.id)));
      }
      target.totalCount += src.totalCount;
      target.firstSeenMs = Math.min(target.firstSeenMs, src.firstSeenMs);
      target.lastSeenMs = Math.max(target.lastSeenMs, src.lastSeenMs);
      src.releases.forEach(r -> IssueState.addBounded(target.releases, r));
      src.environments.forEach(e -> IssueState.addBounded(target.environments, e));
      src.status = IssueStatus.MERGED;
      src.mergedInto = targetId;
      src.statusChangedMs = clock.millis();
      batch.issues.put(src.id, src);
    }
    batch.issues.put(targetId, target);
    fingerprints.clear();
    return targetId;
  }

  /** Moves the events of one fingerprint of an issue into a new issue; returns its id. */
  Long unmerge(long issueId, String hash) {
    IssueState from = issue(issueId);
    String version = null;
    List<String[]> fps = store.fingerprintsOf(issueId);
    for (String[] f : fps) {
      if (f[1].equals(hash)) {
        version = f[0];
      }
    }
    if (version == null) {
      throw new IllegalArgumentException(
          "fingerprint: " + hash + " does not belong to issue " + issueId);
    }
    if (fps.size() < 2) {
      throw new IllegalArgumentException(
          "fingerprint: it is the only fingerprint of issue " + issueId + "; nothing to unmerge");
    }
    long[] stats = store.eventStats(issueId, hash);
    IssueState n = new IssueState();
    n.id = nextIssueId++;
    n.groupingVersion = version;
    n.fingerprint = hash;
    n.type = from.type;
    n.title = from.title;
    n.culprit = from.culprit;
    latestEventOf(issueId, hash, n);
    n.platform = from.platform;
    n.category = from.category;
    n.severity = from.severity;
    n.status = IssueStatus.UNRESOLVED;
    n.service = from.service;
    n.totalCount = stats[0];
    n.firstSeenMs = stats[0] > 0 ? stats[1] : from.firstSeenMs;
    n.lastSeenMs = stats[0] > 0 ? stats[2] : from.lastSeenMs;
    n.releases = new ArrayList<>(from.releases);
    n.environments = new ArrayList<>(from.environments);
    n.statusChangedMs = clock.millis();
    from.totalCount = Math.max(0, from.totalCount - stats[0]);
    batch.statements.add(
        new ErrorStore.Statement2(
            "INSERT INTO issue_hours SELECT ?, (ts_ms // 3600000) * 3600000, count(*) FROM events"
                + " WHERE issue_id = ? AND fingerprint = ? GROUP BY ALL",
            List.of(n.id, issueId, hash)));
    batch.statements.add(
        new ErrorStore.Statement2(
            "INSERT INTO issue_hours SELECT ?, (ts_ms // 3600000) * 3600000, -count(*) FROM events"
                + " WHERE issue_id = ? AND fingerprint = ? GROUP BY ALL",
            List.of(issueId, issueId, hash)));
    for (String table : List.of("events", "issue_fingerprints")) {
      String column = table.equals("events") ? "fingerprint" : "hash";
      batch.statements.add(
          new ErrorStore.Statement2(
              "UPDATE " + table + " SET issue_id = ? WHERE issue_id = ? AND " + column + " = ?",
              List.of(n.id, issueId, hash)));
    }
    batch.issues.put(issueId, from);
    batch.issues.put(n.id, n);
    issues.put(n.id, n);
    fingerprints.clear();
    return n.id;
  }

  /** Title and culprit of the newest retained event of a fingerprint, when there is one. */
  private void latestEventOf(long issueId, String hash, IssueState into) {
    String[] row = store.latestEvent(issueId, hash);
    if (row == null) {
      return;
    }
    String message = MessageNormalizer.normalize(row[1]);
    into.type = row[0];
    into.title = message.isEmpty() ? row[0] : row[0] + ": " + message;
    if (into.title.length() > GroupingV1.MAX_TITLE) {
      into.title = into.title.substring(0, GroupingV1.MAX_TITLE - 1) + "…";
    }
    JsonNode chain = ErrorJson.parse(row[2]).path("chain");
    for (int c = chain.size() - 1; c >= 0; c--) {
      for (JsonNode f : chain.get(c).path("frames")) {
        if (f.path("inApp").asBoolean()) {
          into.culprit = f.path("module").asText() + "." + f.path("function").asText();
          return;
        }
      }
    }
  }

  /** Deletes events and hourly counts older than the cutoff; issues stay. */
  Long deleteOlderThan(long cutoffMs) {
    batch.statements.add(
        new ErrorStore.Statement2("DELETE FROM events WHERE ts_ms < ?", List.of(cutoffMs)));
    batch.statements.add(
        new ErrorStore.Statement2(
            "DELETE FROM issue_hours WHERE hour_ms < ?",
            List.of(Math.floorDiv(cutoffMs, ErrorStore.HOUR_MS) * ErrorStore.HOUR_MS)));
    return cutoffMs;
  }

  // ---------------------------------------------------------------- status

  public long queuedEvents() {
    return queued.get();
  }

  public long committedEvents() {
    return committedEvents.sum();
  }

  /** Occurrences from spans dropped because the queue was full. */
  public long droppedEvents() {
    return droppedEvents.sum();
  }

  /** Submissions refused with 429 / UNAVAILABLE because the queue was full. */
  public long rejectedEvents() {
    return rejectedEvents.sum();
  }

  /** Events not stored again because an event with the same id was stored recently. */
  public long duplicateEvents() {
    return duplicateEvents.sum();
  }

  public long failedCommits() {
    return failedCommits.sum();
  }

  Duration retryAfter() {
    return retryAfter;
  }

  /** Stops accepting, commits everything queued, returns when the writer has finished. */
  @Override
  public void close() {
    accepting = false;
    running = false;
    boolean interrupted = false;
    while (worker.isAlive()) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    Work late;
    while ((late = queue.poll()) != null) {
      OverloadedException e = new OverloadedException("server is shutting down", retryAfter);
      if (late instanceof Submit s) {
        s.done().completeExceptionally(e);
      } else if (late instanceof Command c) {
        c.done().completeExceptionally(e);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
