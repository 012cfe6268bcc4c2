package com.yumzoom.ops.errors;

import java.util.List;

/**
 * A rule-based hint for a category of error. These are heuristics derived from the category alone,
 * not a diagnosis of the specific fault; the wording says so and the UI must show it as such.
 *
 * @param category the category the hint is for
 * @param summary one sentence, starting with "Often" or "Commonly" to make the uncertainty explicit
 * @param checks things worth checking, most likely first
 */
public record SuggestedFix(Category category, String summary, List<String> checks) {

  /** Shown with every suggestion. */
  public static final String DISCLAIMER =
      "Heuristic suggestion based on the error category only; it may not apply to this error.";

  public SuggestedFix {
    if (category == null) {
      throw new IllegalArgumentException("fix.category must not be null");
    }
    if (summary == null || summary.isBlank()) {
      throw new IllegalArgumentException("fix.summary must not be blank");
    }
    checks = List.copyOf(checks);
  }

  /** The hint for a category; {@link Category#UNKNOWN} gets generic triage advice. */
  public static SuggestedFix forCategory(Category category) {
    return switch (category) {
      case DATABASE ->
          new SuggestedFix(
              category,
              "Often caused by a failing query, a constraint violation or an exhausted connection"
                  + " pool.",
              List.of(
                  "Look at the query in the linked trace span (db.statement) and its duration.",
                  "For constraint or duplicate-key errors, check whether the write can be retried"
                      + " or made idempotent.",
                  "For deadlocks, make transactions touch rows in a consistent order and keep"
                      + " them short.",
                  "For pool exhaustion, look for slow queries or leaked connections before"
                      + " raising the pool size."));
      case NETWORK ->
          new SuggestedFix(
              category,
              "Commonly a downstream service that is down, unreachable or resetting connections.",
              List.of(
                  "Check the health of the host named in the message and the linked trace.",
                  "Check DNS and the configured address and port for the downstream.",
                  "Consider retries with backoff for idempotent calls, and a circuit breaker."));
      case TIMEOUT ->
          new SuggestedFix(
              category,
              "Often a slow dependency or a timeout shorter than the operation's normal latency.",
              List.of(
                  "Compare the timeout with the dependency's p99 latency in the trace view.",
                  "Look for the slowest child span in the linked trace.",
                  "Check for lock contention or resource saturation on the dependency."));
      case VALIDATION ->
          new SuggestedFix(
              category,
              "Commonly invalid input reaching code that does not expect it.",
              List.of(
                  "Check which request parameters produced the error (see the event's request).",
                  "Validate at the boundary and return a 4xx instead of failing deeper.",
                  "If the input comes from another service, check for a contract change."));
      case AUTHENTICATION ->
          new SuggestedFix(
              category,
              "Often expired or missing credentials, or a clock skew between services.",
              List.of(
                  "Check token expiry and refresh logic.",
                  "Check that secrets and API keys are present in this environment.",
                  "Check clock synchronisation if tokens are rejected as not yet valid."));
      case AUTHORIZATION ->
          new SuggestedFix(
              category,
              "Commonly a user or service account without the permission the operation needs.",
              List.of(
                  "Check the roles or scopes of the affected users.",
                  "Check recent permission or policy changes.",
                  "If expected, handle it as a 403 instead of reporting it as an error."));
      case NOT_FOUND ->
          new SuggestedFix(
              category,
              "Often a reference to something deleted, not yet created, or from another"
                  + " environment.",
              List.of(
                  "Check whether the missing entity was deleted or never created (race between"
                      + " write and read, replication lag).",
                  "If callers can legitimately ask for missing items, return a 404 instead of"
                      + " throwing."));
      case RATE_LIMIT ->
          new SuggestedFix(
              category,
              "Commonly more requests than a downstream quota allows.",
              List.of(
                  "Check the request rate to the downstream in the traces.",
                  "Add client-side throttling or backoff honouring Retry-After.",
                  "Batch or cache repeated calls."));
      case OUT_OF_MEMORY ->
          new SuggestedFix(
              category,
              "Often an unbounded collection, a large payload loaded at once, or a heap sized too"
                  + " small.",
              List.of(
                  "Look for unbounded caches, queues or result sets.",
                  "Stream large payloads instead of loading them whole.",
                  "Compare the heap limit with the process's real working set."));
      case NULL_REFERENCE ->
          new SuggestedFix(
              category,
              "Commonly a value assumed present that is missing for some inputs.",
              List.of(
                  "Look at the top in-app frame: which value was null or undefined.",
                  "Check whether the value is optional upstream (absent field, failed lookup).",
                  "Handle the absent case explicitly rather than adding a blanket null check."));
      case CONFIGURATION ->
          new SuggestedFix(
              category,
              "Often a missing or wrong setting, environment variable or dependency in this"
                  + " environment.",
              List.of(
                  "Compare the configuration of this environment with one that works.",
                  "Check whether the error started with a deploy (see releases).",
                  "Fail fast at start-up on invalid configuration."));
      case UNKNOWN ->
          new SuggestedFix(
              category,
              "No rule matched this error; start from the stack trace.",
              List.of(
                  "Open the top in-app frame and the linked trace.",
                  "Check whether the first occurrence coincides with a release."));
    };
  }
}
