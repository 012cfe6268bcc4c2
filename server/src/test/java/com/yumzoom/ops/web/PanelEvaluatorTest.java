package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.PromqlEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PanelEvaluatorTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void substitutesVariablesAndIntervals() {
    Map<String, String> vars = Map.of("service", "checkout");
    assertThat(PanelEvaluator.substitute("up{service=\"$service\"}", vars, 15_000))
        .isEqualTo("up{service=\"checkout\"}");
    assertThat(PanelEvaluator.substitute("up{service=~\"${service}\"}", vars, 15_000))
        .isEqualTo("up{service=~\"checkout\"}");
    assertThat(PanelEvaluator.substitute("rate(x[$__rate_interval])", vars, 30_000))
        .isEqualTo("rate(x[120s])");
    assertThat(PanelEvaluator.substitute("rate(x[$__interval])", vars, 30_000))
        .isEqualTo("rate(x[30s])");
    assertThat(PanelEvaluator.substitute("x{a=\"$unknown\"}", vars, 1_000))
        .isEqualTo("x{a=\"$unknown\"}");
  }

  @Test
  void stepGivesAtMostMaxPointsInWholeSeconds() {
    assertThat(PanelEvaluator.stepMillis(0, 60_000)).isEqualTo(1_000);
    assertThat(PanelEvaluator.stepMillis(0, 3_600_000)).isEqualTo(6_000);
    long day = 86_400_000;
    long step = PanelEvaluator.stepMillis(0, day);
    assertThat(day / step).isLessThanOrEqualTo(PanelEvaluator.MAX_POINTS);
    assertThat(step % 1_000).isZero();
  }

  @Test
  void evaluatesEveryTargetAndReportsErrorsPerTarget() throws Exception {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(100, 1_000));
    List<Sample> samples = new ArrayList<>();
    for (String service : List.of("a", "b")) {
      Labels labels = Labels.of(Map.of(Labels.NAME, "requests_total", "service", service));
      for (int i = 0; i <= 60; i++) {
        samples.add(new Sample(labels, i * 10_000L, i * (service.equals("a") ? 10 : 20)));
      }
    }
    store.append(samples);
    PanelEvaluator evaluator = new PanelEvaluator(new PromqlEngine(store), JSON);
    ObjectNode panel =
        (ObjectNode)
            JSON.readTree(
                """
                {"id": "rate", "type": "line", "targets": [
                  {"expr": "sum by (service) (rate(requests_total{service=~\\"$svc\\"}[1m]))"},
                  {"expr": "sum(rate(requests_total[1m]"}]}
                """);

    JsonNode out = evaluator.evaluate(panel, Map.of("svc", "a|b"), 300_000, 600_000);

    assertThat(out.path("panel").asText()).isEqualTo("rate");
    assertThat(out.path("series")).hasSize(2);
    JsonNode a = out.path("series").get(0);
    assertThat(a.path("labels").path("service").asText()).isEqualTo("a");
    assertThat(a.path("target").asInt()).isZero();
    assertThat(a.path("t").size()).isEqualTo(a.path("v").size()).isPositive();
    assertThat(a.path("v").get(0).asDouble()).isEqualTo(1.0);
    assertThat(out.path("series").get(1).path("v").get(0).asDouble()).isEqualTo(2.0);
    assertThat(out.path("errors")).hasSize(1);
    assertThat(out.path("errors").get(0).path("target").asInt()).isEqualTo(1);
    assertThat(out.path("errors").get(0).path("message").asText()).contains("parse error");
  }

  @Test
  void theNewestSampleIsIncludedEvenWhenItIsNewerThanTheLastWholeStep() throws Exception {
    InMemorySampleStore store = new InMemorySampleStore(new MetricsLimits(10, 100));
    Labels g = Labels.of(Map.of(Labels.NAME, "queue_depth"));
    store.append(List.of(new Sample(g, 590_000, 3), new Sample(g, 600_400, 7)));
    PanelEvaluator evaluator = new PanelEvaluator(new PromqlEngine(store), JSON);
    JsonNode panel =
        JSON.readTree(
            "{\"id\": \"q\", \"type\": \"stat\", \"targets\": [{\"expr\": \"queue_depth\"}]}");

    JsonNode values =
        evaluator.evaluate(panel, Map.of(), 300_000, 600_450).path("series").get(0).path("v");

    assertThat(values.get(values.size() - 1).asDouble()).isEqualTo(7.0);
  }
}
