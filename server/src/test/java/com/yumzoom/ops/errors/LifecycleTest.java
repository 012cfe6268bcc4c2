package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  /** Releases first seen in this order: 1.0 at 100, 1.1 at 200, 2.0 at 300. */
  static final ToLongFunction<String> FIRST_SEEN =
      r -> Map.of("1.0", 100L, "1.1", 200L, "2.0", 300L).getOrDefault(r, Long.MAX_VALUE);

  static IssueState resolved(String mode, String release, long atMs) {
    IssueState i = new IssueState();
    i.status = IssueStatus.RESOLVED;
    i.resolveMode = mode;
    i.resolvedInRelease = release;
    i.resolvedAtMs = atMs;
    return i;
  }

  @Test
  void resolvedNowRegressesOnAnyOccurrence() {
    IssueState i = resolved("now", "", 50);
    assertThat(Lifecycle.onOccurrence(i, "", 60, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.REGRESSED);
    assertThat(i.status).isEqualTo(IssueStatus.REGRESSED);
    assertThat(i.resolveMode).isEmpty();
  }

  @Test
  void resolvedInReleaseRegressesFromThatReleaseOnwardOnly() {
    assertThat(Lifecycle.onOccurrence(resolved("in_release", "1.1", 50), "1.0", 60, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(Lifecycle.onOccurrence(resolved("in_release", "1.1", 50), "", 60, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(Lifecycle.onOccurrence(resolved("in_release", "1.1", 50), "1.1", 60, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.REGRESSED);
    assertThat(Lifecycle.onOccurrence(resolved("in_release", "1.1", 50), "2.0", 60, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.REGRESSED);
  }

  @Test
  void resolvedInNextReleaseRegressesOnlyInANewerRelease() {
    assertThat(Lifecycle.onOccurrence(resolved("next_release", "1.1", 250), "1.1", 260, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(Lifecycle.onOccurrence(resolved("next_release", "1.1", 250), "1.0", 260, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(Lifecycle.onOccurrence(resolved("next_release", "1.1", 250), "2.0", 360, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.REGRESSED);
    // no release known at resolution: a release first seen after the resolution regresses
    assertThat(Lifecycle.onOccurrence(resolved("next_release", "", 250), "1.1", 260, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(Lifecycle.onOccurrence(resolved("next_release", "", 250), "2.0", 360, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.REGRESSED);
  }

  @Test
  void ignoreUntilTimeOrCountExpiresAndForeverDoesNot() {
    IssueState until = new IssueState();
    until.status = IssueStatus.IGNORED;
    until.ignoreUntilMs = 1000;
    assertThat(Lifecycle.onOccurrence(until, "", 999, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(Lifecycle.onOccurrence(until, "", 1000, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.UNIGNORED);
    assertThat(until.status).isEqualTo(IssueStatus.UNRESOLVED);

    IssueState count = new IssueState();
    count.status = IssueStatus.IGNORED;
    count.ignoreUntilCount = 12;
    count.totalCount = 11;
    assertThat(Lifecycle.onOccurrence(count, "", 1, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    count.totalCount = 12;
    assertThat(Lifecycle.onOccurrence(count, "", 1, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.UNIGNORED);

    IssueState forever = new IssueState();
    forever.status = IssueStatus.IGNORED;
    forever.totalCount = 1_000_000;
    assertThat(Lifecycle.onOccurrence(forever, "", Long.MAX_VALUE - 1, FIRST_SEEN))
        .isEqualTo(Lifecycle.Transition.NONE);
    assertThat(forever.status).isEqualTo(IssueStatus.IGNORED);
  }
}
