package com.yumzoom.ops.errors;

import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.query.promql.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error signals as metrics in the metrics store, so alert rules can page on them:
 *
 * <ul>
 *   <li>{@value #EVENTS}{@code {service, category}}: occurrences stored (counter)
 *   <li>{@value #NEW_ISSUES}{@code {service}}: issues created (counter)
 *   <li>{@value #REGRESSIONS}{@code {service}}: resolved issues that came back (counter)
 *   <li>{@value #SPIKING}{@code {service}}: unresolved issues spiking now (gauge, see {@link
 *       SpikeDetector})
 * </ul>
 *
 * Cardinality is bounded: at most {@value #MAX_SERVICES} services (12 categories each); later
 * services are counted under {@code service="__overflow__"}. Counters are cumulative from process
 * start; a restart is a counter reset, which {@code rate()} and {@code increase()} handle.
 */
public final class ErrorSignals {

  public static final String EVENTS = "yumzoom_errors_events_total";
  public static final String NEW_ISSUES = "yumzoom_errors_new_issues_total";
  public static final String REGRESSIONS = "yumzoom_errors_regressions_total";
  public static final String SPIKING = "yumzoom_errors_spiking_issues";
  static final int MAX_SERVICES = 200;
  static final String OVERFLOW = "__overflow__";

  private static final Logger LOG = LoggerFactory.getLogger(ErrorSignals.class);

  private final Map<String, long[]> events = new HashMap<>(); // service -> per category
  private final Map<String, long[]> perService = new HashMap<>(); // new issues, regressions
  private Map<String, Long> spiking = Map.of();

  synchronized void event(String service, String category) {
    Category c;
    try {
      c = Category.valueOf(category.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      c = Category.UNKNOWN;
    }
    events
        .computeIfAbsent(bounded(service, events), k -> new long[Category.values().length])[
        c.ordinal()]++;
  }

  synchronized void newIssue(String service) {
    perService.computeIfAbsent(bounded(service, perService), k -> new long[2])[0]++;
  }

  synchronized void regression(String service) {
    perService.computeIfAbsent(bounded(service, perService), k -> new long[2])[1]++;
  }

  /** Replaces the spiking gauge: spiking issues per service. */
  synchronized void spiking(Map<String, Long> perServiceCounts) {
    Map<String, Long> bounded = new HashMap<>();
    // a service that stops spiking reports 0 instead of vanishing, so alerts resolve cleanly
    spiking.keySet().forEach(s -> bounded.put(s, 0L));
    perServiceCounts.forEach(
        (s, n) -> bounded.merge(bounded.size() < MAX_SERVICES ? s : OVERFLOW, n, Long::sum));
    spiking = bounded;
  }

  private static String bounded(String service, Map<String, ?> map) {
    return map.containsKey(service) || map.size() < MAX_SERVICES ? service : OVERFLOW;
  }

  synchronized List<Sample> snapshot(long tMs) {
    List<Sample> out = new ArrayList<>();
    events.forEach(
        (service, counts) -> {
          for (Category c : Category.values()) {
            if (counts[c.ordinal()] > 0) {
              out.add(
                  new Sample(
                      labels(EVENTS, service, "category", c.label()), tMs, counts[c.ordinal()]));
            }
          }
        });
    perService.forEach(
        (service, counts) -> {
          out.add(new Sample(labels(NEW_ISSUES, service, null, null), tMs, counts[0]));
          out.add(new Sample(labels(REGRESSIONS, service, null, null), tMs, counts[1]));
        });
    spiking.forEach(
        (service, n) -> out.add(new Sample(labels(SPIKING, service, null, null), tMs, n)));
    return out;
  }

  private static Labels labels(String name, String service, String key, String value) {
    TreeMap<String, String> m = new TreeMap<>();
    m.put(Labels.NAME, name);
    m.put("service", service);
    m.put("job", "yumzoom");
    if (key != null) {
      m.put(key, value);
    }
    return new Labels(m);
  }

  /** Appends {@link #snapshot} to the store; never throws. */
  public void flushTo(SampleStore store, long tMs) {
    try {
      AppendResult r = store.append(snapshot(tMs));
      if (r.error() != null) {
        LOG.warn("error signals: {} samples rejected: {}", r.rejected(), r.error());
      }
    } catch (RuntimeException e) {
      LOG.warn("error signals flush failed", e);
    }
  }
}
