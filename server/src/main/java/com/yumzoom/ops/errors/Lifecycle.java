package com.yumzoom.ops.errors;

import java.util.function.ToLongFunction;

/**
 * What a new occurrence does to an issue's status. Pure, so the rules are unit-tested without a
 * store.
 *
 * <ul>
 *   <li>Resolved now: any later occurrence regresses the issue.
 *   <li>Resolved in release X: occurrences from X or from a release first seen after X regress;
 *       occurrences from older releases (still deployed somewhere) and without a release do not.
 *   <li>Resolved in the next release: the release current at resolution is remembered; only a
 *       release first seen after it regresses (without a current release: any release first seen
 *       after the resolution).
 *   <li>Ignored until a time or until N more occurrences: back to unresolved once passed; ignored
 *       forever stays ignored.
 * </ul>
 *
 * Release order is the order in which the server first saw each release, because release names are
 * not ordered (semver, dates, git hashes).
 */
final class Lifecycle {

  enum Transition {
    NONE,
    REGRESSED,
    UNIGNORED
  }

  private Lifecycle() {}

  /**
   * @param issue state after counting this occurrence
   * @param release the occurrence's release, empty when unknown
   * @param atMs when the occurrence happened
   * @param firstSeen first-seen time of a release, {@code Long.MAX_VALUE} when never seen
   */
  static Transition onOccurrence(
      IssueState issue, String release, long atMs, ToLongFunction<String> firstSeen) {
    switch (issue.status) {
      case RESOLVED -> {
        boolean regress =
            switch (issue.resolveMode) {
              case "in_release" ->
                  !release.isEmpty()
                      && (release.equals(issue.resolvedInRelease)
                          || firstSeen.applyAsLong(release)
                              > firstSeen.applyAsLong(issue.resolvedInRelease));
              case "next_release" ->
                  !release.isEmpty()
                      && !release.equals(issue.resolvedInRelease)
                      && firstSeen.applyAsLong(release)
                          > (issue.resolvedInRelease.isEmpty()
                              ? issue.resolvedAtMs
                              : firstSeen.applyAsLong(issue.resolvedInRelease));
              default -> true;
            };
        if (regress) {
          issue.status = IssueStatus.REGRESSED;
          issue.statusChangedMs = atMs;
          clearResolution(issue);
          return Transition.REGRESSED;
        }
        return Transition.NONE;
      }
      case IGNORED -> {
        boolean timeUp = issue.ignoreUntilMs > 0 && atMs >= issue.ignoreUntilMs;
        boolean countUp = issue.ignoreUntilCount > 0 && issue.totalCount >= issue.ignoreUntilCount;
        if (timeUp || countUp) {
          issue.status = IssueStatus.UNRESOLVED;
          issue.statusChangedMs = atMs;
          issue.ignoreUntilMs = 0;
          issue.ignoreUntilCount = 0;
          return Transition.UNIGNORED;
        }
        return Transition.NONE;
      }
      default -> {
        return Transition.NONE;
      }
    }
  }

  static void clearResolution(IssueState issue) {
    issue.resolveMode = "";
    issue.resolvedInRelease = "";
    issue.resolvedAtMs = 0;
  }
}
