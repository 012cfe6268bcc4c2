package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.alert.Alert;
import java.time.Instant;
import java.util.Objects;

/**
 * An alert as the rule side hands it to the dispatcher: the {@link Alert} plus what only the
 * dispatcher needs.
 *
 * @param validUntil a firing alert not refreshed by then counts as resolved (its rule was removed
 *     or evaluation stopped), as Prometheus' {@code endsAt} works for Alertmanager
 * @param receiverHint the rule's {@code receiver}, or null to use the routing tree
 * @param sendResolved whether the rule wants a resolved notification
 */
public record DispatchAlert(
    Alert alert, Instant validUntil, String receiverHint, boolean sendResolved) {

  public DispatchAlert {
    Objects.requireNonNull(alert, "alert");
    Objects.requireNonNull(validUntil, "validUntil");
  }

  public String fingerprint() {
    return alert.fingerprint();
  }
}
