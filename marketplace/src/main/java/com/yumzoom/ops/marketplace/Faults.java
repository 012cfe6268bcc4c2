package com.yumzoom.ops.marketplace;

import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * Switches that make the service misbehave the way real services do, so the demo shows alerts
 * firing, errors grouping and traces explaining why. All off by default; flipped over {@code POST
 * /admin/faults/{name}}.
 */
public final class Faults {

  /** The faults there are. */
  public enum Fault {
    /** Search takes a path that bypasses the GIN index (a sequential scan computing tsvectors). */
    SLOW_QUERY,
    /** The reviews endpoint loads each reviewer with its own query (N+1). */
    N_PLUS_ONE,
    /** A fraction of restaurant and order requests fail with realistic exceptions. */
    ERROR_BURST,
    /** The payment provider stops answering; order placement times out on it. */
    PAYMENT_OUTAGE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Fault parse(String name) {
      for (Fault f : values()) {
        if (f.wire().equals(name)) {
          return f;
        }
      }
      throw ApiException.notFound(
          "fault: unknown "
              + name
              + " (known: slow-query, n-plus-one, error-burst, payment-outage)");
    }
  }

  /** Fraction of requests that fail while {@link Fault#ERROR_BURST} is on. */
  static final double ERROR_BURST_RATE = 0.3;

  private final Map<Fault, Boolean> enabled = new ConcurrentHashMap<>();
  private final DoubleSupplier random;

  public Faults(DoubleSupplier random) {
    this.random = random;
  }

  public void set(Fault fault, boolean on) {
    enabled.put(fault, on);
  }

  public boolean on(Fault fault) {
    return enabled.getOrDefault(fault, false);
  }

  Map<String, Boolean> snapshot() {
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (Fault f : Fault.values()) {
      out.put(f.wire(), on(f));
    }
    return out;
  }

  /**
   * While an error burst is on, fails a fraction of calls with what a saturated connection pool
   * throws: the commonest production failure of a service like this one.
   */
  void maybeConnectionPoolExhausted() throws SQLTransientConnectionException {
    if (on(Fault.ERROR_BURST) && random.getAsDouble() < ERROR_BURST_RATE) {
      throw new SQLTransientConnectionException(
          "marketplace - Connection is not available, request timed out after 5000ms"
              + " (total=16, active=16, idle=0, waiting=48)");
    }
  }

  /**
   * While an error burst is on, fails a fraction of order placements in the kitchen integration.
   */
  void maybeKitchenRejects(long restaurantId) {
    if (on(Fault.ERROR_BURST) && random.getAsDouble() < ERROR_BURST_RATE) {
      throw new IllegalStateException(
          "kitchen integration for restaurant " + restaurantId + " returned no ticket id");
    }
  }
}
