package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.metrics.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorSignalsTest {

  @Test
  void countsPerServiceAndCategoryWithBoundedServices() {
    ErrorSignals s = new ErrorSignals();
    for (int i = 0; i < ErrorSignals.MAX_SERVICES + 50; i++) {
      s.event("svc-" + i, "database");
    }
    s.event("svc-0", "timeout");
    s.newIssue("svc-0");
    s.regression("svc-0");
    List<Sample> samples = s.snapshot(1000);
    long services =
        samples.stream()
            .filter(x -> x.labels().get("__name__").equals(ErrorSignals.EVENTS))
            .map(x -> x.labels().get("service"))
            .distinct()
            .count();
    assertThat(services).isEqualTo(ErrorSignals.MAX_SERVICES + 1); // plus __overflow__
    assertThat(value(samples, ErrorSignals.EVENTS, "__overflow__")).isEqualTo(50);
    assertThat(value(samples, ErrorSignals.NEW_ISSUES, "svc-0")).isEqualTo(1);
    assertThat(value(samples, ErrorSignals.REGRESSIONS, "svc-0")).isEqualTo(1);
  }

  @Test
  void spikingGaugeFallsToZeroInsteadOfVanishing() {
    ErrorSignals s = new ErrorSignals();
    s.spiking(Map.of("checkout", 2L));
    assertThat(value(s.snapshot(1), ErrorSignals.SPIKING, "checkout")).isEqualTo(2);
    s.spiking(Map.of());
    assertThat(value(s.snapshot(2), ErrorSignals.SPIKING, "checkout")).isZero();
  }

  static double value(List<Sample> samples, String name, String service) {
    return samples.stream()
        .filter(x -> x.labels().get("__name__").equals(name))
        .filter(x -> x.labels().get("service").equals(service))
        .mapToDouble(Sample::value)
        .sum();
  }
}
