package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error store and its single writer on a real DuckDB file. */
class ErrorStoreIT {

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
  ErrorTracking tracking;

  ErrorTracking open() {
    tracking = ErrorTracking.open(dir, ErrorTracking.Settings.defaults(), clock);
    return tracking;
  }

  @AfterEach
  void close() {
    if (tracking != null) {
      tracking.close();
    }
  }

  long now() {
    return clock.millis();
  }

  List<Long> submit(Occurrence... o) {
    return tracking.pipeline().submit(List.of(o)).join();
  }

  static ErrorQueries.IssueFilter all(String sort) {
    return new ErrorQueries.IssueFilter(null, null, null, null, null, 0, 0, null, sort, 50, 0);
  }

  @Test
  void groupsCountsAndSurvivesARestartWithTheSameIssues() {
    open();
    List<Occurrence> batch = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(Occurrences.deadlock(i, now() + i, "1.0"));
      batch.add(Occurrences.npe(10 + i, now() + i, "1.0"));
    }
    List<Long> ids = tracking.pipeline().submit(batch).join();
    assertThat(ids.stream().distinct()).hasSize(2);
    long deadlock = ids.get(0);
    ObjectNode issue = tracking.queries().issue(deadlock, now());
    assertThat(issue.get("count").asLong()).isEqualTo(30);
    assertThat(issue.get("users").asLong()).isEqualTo(3);
    assertThat(issue.get("category").asText()).isEqualTo("database");
    assertThat(issue.get("title").asText())
        .isEqualTo("java.sql.SQLException: deadlock on row <num>");
    assertThat(issue.get("culprit").asText()).isEqualTo("com.acme.OrderDao.save");
    assertThat(issue.get("releases").toString()).isEqualTo("[\"1.0\"]");
    assertThat(issue.get("hourly").get(47).get("count").asLong()).isEqualTo(30);
    assertThat(issue.get("suggestedFix").get("disclaimer").asText()).contains("Heuristic");
    assertThat(issue.get("suggestedFix").has("query")).isFalse();

    tracking.close();
    tracking = null;
    open();
    List<Long> again = submit(Occurrences.deadlock(99, now() + 100, "1.1"));
    assertThat(again).containsExactly(deadlock);
    assertThat(tracking.queries().issue(deadlock, now()).get("count").asLong()).isEqualTo(31);
    Occurrence fresh = Occurrences.of("java.lang.IllegalStateException: other", now(), "", "");
    assertThat(submit(fresh).getFirst()).isGreaterThan(Math.max(ids.get(0), ids.get(1)));
  }

  @Test
  void databaseIssuesSuggestTheQueryOfTheLatestEventAndLinkItsTrace() {
    open();
    Occurrence withQuery =
        new Occurrence(
            Occurrence.newId(),
            now(),
            "otlp-span",
            ErrorEvent.parse(
                Occurrences.DEADLOCK.formatted(4, 81),
                java.util.Map.of("db.statement", "UPDATE orders SET state = ? WHERE id = ?")),
            "error",
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            "checkout",
            "",
            "{}",
            "{}",
            "",
            "");
    long id = submit(withQuery).getFirst();
    JsonNode fix = tracking.queries().issue(id, now()).get("suggestedFix");
    assertThat(fix.get("category").asText()).isEqualTo("database");
    assertThat(fix.get("query").asText()).isEqualTo("UPDATE orders SET state = ? WHERE id = ?");
    assertThat(fix.get("latestTrace").asText())
        .isEqualTo("/api/traces/0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void aResentEventIdIsStoredOnce() {
    open();
    Occurrence o = Occurrences.npe(5, now(), "");
    long id = submit(o, o).getFirst();
    assertThat(submit(o)).containsExactly(id);
    assertThat(tracking.queries().issue(id, now()).get("count").asLong()).isEqualTo(1);
    assertThat(tracking.queries().events(id, 10, 0).get("events")).hasSize(1);
    assertThat(tracking.pipeline().duplicateEvents()).isEqualTo(2);
  }

  @Test
  void listFiltersSortsSearchesAndPages() {
    open();
    for (int i = 0; i < 5; i++) {
      submit(Occurrences.deadlock(i, now() + i, "1.0"));
    }
    submit(Occurrences.npe(3, now() + 10, "2.0"));
    JsonNode byCount = tracking.queries().list(all("count")).get("issues");
    assertThat(byCount).hasSize(2);
    assertThat(byCount.get(0).get("category").asText()).isEqualTo("database");
    JsonNode byLast = tracking.queries().list(all("last_seen")).get("issues");
    assertThat(byLast.get(0).get("category").asText()).isEqualTo("null_reference");
    JsonNode release2 =
        tracking
            .queries()
            .list(
                new ErrorQueries.IssueFilter(
                    null, null, null, "2.0", null, 0, 0, null, "last_seen", 50, 0))
            .get("issues");
    assertThat(release2).hasSize(1);
    JsonNode search =
        tracking
            .queries()
            .list(
                new ErrorQueries.IssueFilter(
                    null, null, null, null, null, 0, 0, "DEADLOCK", "last_seen", 50, 0))
            .get("issues");
    assertThat(search).hasSize(1);
    ObjectNode page1 =
        tracking
            .queries()
            .list(
                new ErrorQueries.IssueFilter(
                    null, null, null, null, null, 0, 0, null, "count", 1, 0));
    assertThat(page1.get("issues")).hasSize(1);
    assertThat(page1.get("nextCursor").asText()).isEqualTo("1");
    assertThat(page1.get("total").asLong()).isEqualTo(2);
    ObjectNode page2 =
        tracking
            .queries()
            .list(
                new ErrorQueries.IssueFilter(
                    null, null, null, null, null, 0, 0, null, "count", 1, 1));
    assertThat(page2.get("issues").get(0).get("id"))
        .isNotEqualTo(page1.get("issues").get(0).get("id"));
    assertThat(page2.get("nextCursor").isNull()).isTrue();
  }

  @Test
  void resolvedInNextReleaseRegressesOnlyInALaterRelease() {
    open();
    long id = submit(Occurrences.deadlock(1, now(), "1.0")).getFirst();
    resolve(id, "next_release", "");
    submit(Occurrences.deadlock(2, now() + 1, "1.0"));
    assertThat(status(id)).isEqualTo("resolved");
    submit(Occurrences.deadlock(3, now() + 2, "1.1"));
    assertThat(status(id)).isEqualTo("regressed");
    assertThat(tracking.signals().snapshot(now()).toString())
        .contains("yumzoom_errors_regressions_total")
        .contains("yumzoom_errors_new_issues_total");
  }

  @Test
  void resolvedNowRegressesOnAnyRecurrenceAndIgnoreUntilCountExpires() {
    open();
    long id = submit(Occurrences.npe(1, now(), "")).getFirst();
    resolve(id, "now", "");
    submit(Occurrences.npe(2, now() + 1, ""));
    assertThat(status(id)).isEqualTo("regressed");
    tracking
        .pipeline()
        .command(
            p ->
                p.applyStatus(
                    id, new ErrorPipeline.StatusChange(IssueStatus.IGNORED, "", "", 0, 2)))
        .join();
    submit(Occurrences.npe(3, now() + 2, ""));
    assertThat(status(id)).isEqualTo("ignored");
    submit(Occurrences.npe(4, now() + 3, ""));
    assertThat(status(id)).isEqualTo("unresolved");
  }

  @Test
  void mergeMovesEventsAndUnmergeSplitsAFingerprintBackOut() {
    open();
    long a =
        submit(Occurrences.deadlock(1, now(), "1.0"), Occurrences.deadlock(2, now(), "1.0"))
            .getFirst();
    long b = submit(Occurrences.npe(1, now() + 5, "1.0")).getFirst();
    tracking.pipeline().command(p -> p.merge(a, List.of(b))).join();
    assertThat(status(b)).isEqualTo("merged");
    ObjectNode merged = tracking.queries().issue(a, now());
    assertThat(merged.get("count").asLong()).isEqualTo(3);
    assertThat(merged.get("fingerprints")).hasSize(2);
    // new events of the merged fingerprint land in the target
    assertThat(submit(Occurrences.npe(7, now() + 6, "1.0"))).containsExactly(a);
    assertThat(tracking.queries().events(a, 10, 0).get("events")).hasSize(4);

    String npeHash =
        tracking.queries().events(a, 1, 0).get("events").get(0).get("fingerprint").asText();
    long split = tracking.pipeline().command(p -> p.unmerge(a, npeHash)).join();
    ObjectNode splitIssue = tracking.queries().issue(split, now());
    assertThat(splitIssue.get("count").asLong()).isEqualTo(2);
    assertThat(splitIssue.get("category").asText()).isEqualTo("database"); // copied from the source
    assertThat(splitIssue.get("title").asText()).startsWith("java.lang.NullPointerException");
    assertThat(tracking.queries().issue(a, now()).get("count").asLong()).isEqualTo(2);
    assertThat(submit(Occurrences.npe(8, now() + 7, "1.0"))).containsExactly(split);
    assertThatThrownBy(() -> tracking.pipeline().command(p -> p.unmerge(a, npeHash)).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("fingerprint: " + npeHash + " does not belong to issue " + a);
  }

  @Test
  void retentionDeletesOldEventsButKeepsIssues() {
    open();
    long id = submit(Occurrences.deadlock(1, now() - Duration.ofDays(8).toMillis(), "")).getFirst();
    submit(Occurrences.deadlock(2, now(), ""));
    tracking
        .pipeline()
        .command(p -> p.deleteOlderThan(now() - Duration.ofDays(7).toMillis()))
        .join();
    assertThat(tracking.queries().events(id, 10, 0).get("events")).hasSize(1);
    assertThat(tracking.queries().issue(id, now()).get("count").asLong()).isEqualTo(2);
  }

  @Test
  void aFullQueueIsRefusedNotBuffered() throws Exception {
    tracking =
        ErrorTracking.open(
            dir,
            new ErrorTracking.Settings(
                List.of("k"), 2, 10, InAppRules.defaults(), List.of(), Duration.ofSeconds(2)),
            clock);
    java.util.concurrent.CountDownLatch writerBusy = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    var blocker =
        tracking
            .pipeline()
            .command(
                p -> {
                  writerBusy.countDown();
                  try {
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return 0L;
                });
    assertThat(writerBusy.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    var accepted =
        tracking
            .pipeline()
            .submit(List.of(Occurrences.npe(1, now(), ""), Occurrences.npe(2, now(), "")));
    var refused = tracking.pipeline().submit(List.of(Occurrences.npe(3, now(), "")));
    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::join)
        .hasCauseInstanceOf(com.yumzoom.ops.pipeline.OverloadedException.class)
        .hasMessageContaining("error queue is full (2 events, errors.queue-max-events)");
    assertThat(tracking.pipeline().rejectedEvents()).isEqualTo(1);
    release.countDown();
    blocker.join();
    assertThat(accepted.join()).hasSize(2);
    assertThat(tracking.pipeline().queuedEvents()).isZero();
  }

  void resolve(long id, String mode, String release) {
    tracking
        .pipeline()
        .command(
            p ->
                p.applyStatus(
                    id, new ErrorPipeline.StatusChange(IssueStatus.RESOLVED, mode, release, 0, 0)))
        .join();
  }

  String status(long id) {
    return tracking.queries().issue(id, now()).get("status").asText();
  }
}
