package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class DashboardValidationTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode dashboard() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"title": "Checkout", "tags": ["team-a"], "time": {"from": "now-6h", "to": "now"},
             "refresh": "10s", "custom": {"kept": true},
             "variables": [{"name": "service", "label": "Service", "metric": "up"}],
             "panels": [{"id": "p1", "title": "Rate", "type": "line", "w": 12, "h": 6,
                         "thresholds": [{"value": 0.5, "color": "red"}],
                         "targets": [{"expr": "rate(x[5m])", "legend": "{{service}}"}]}]}
            """);
  }

  static void assertInvalid(ObjectNode d, String message) {
    assertThatThrownBy(() -> DashboardValidation.validate(d))
        .isInstanceOf(DashboardValidation.Invalid.class)
        .hasMessage(message);
  }

  @Test
  void acceptsAFullDashboardAndKeepsUnknownFields() throws Exception {
    ObjectNode d = DashboardValidation.validate(dashboard());
    assertThat(d.path("custom").path("kept").asBoolean()).isTrue();
    assertThat(d.path("panels")).hasSize(1);
  }

  @Test
  void aDashboardWithoutPanelsGetsAnEmptyList() throws Exception {
    ObjectNode d = JSON.createObjectNode().put("title", "Empty");
    assertThat(DashboardValidation.validate(d).path("panels").isArray()).isTrue();
  }

  @Test
  void namesTheFieldAndTheLimit() throws Exception {
    ObjectNode d = dashboard();
    d.remove("title");
    assertInvalid(d, "title: required");

    d = dashboard();
    d.put("title", "x".repeat(201));
    assertInvalid(d, "title: longer than 200 characters (limit 200)");

    d = dashboard();
    ((ObjectNode) d.path("panels").get(0).path("targets").get(0)).put("expr", "x".repeat(4097));
    assertInvalid(d, "panels[0].targets[0].expr: longer than 4096 characters (limit 4096)");

    d = dashboard();
    ((ObjectNode) d.path("panels").get(0)).put("type", "pie");
    assertInvalid(
        d,
        "panels[0].type: must be one of [area, bar, gauge, heatmap, line, stacked, stat, table]");

    d = dashboard();
    ((ObjectNode) d.path("panels").get(0)).put("w", 25);
    assertInvalid(d, "panels[0].w: must be an integer from 1 to 24 (limit 24)");

    d = dashboard();
    ((ObjectNode) d.path("panels").get(0)).putArray("targets");
    assertInvalid(d, "panels[0].targets: at least one query is required (limit 8)");

    d = dashboard();
    ((ObjectNode) d.path("variables").get(0)).put("name", "1bad");
    assertInvalid(d, "variables[0].name: must match [A-Za-z_][A-Za-z0-9_]* (limit 32 characters)");

    d = dashboard();
    ((ObjectNode) d.path("panels").get(0).path("thresholds").get(0)).put("value", "high");
    assertInvalid(d, "panels[0].thresholds[0].value: must be a number");
  }

  @Test
  void boundsTheNumberOfPanelsAndRejectsDuplicateIds() throws Exception {
    ObjectNode d = dashboard();
    ArrayNode panels = (ArrayNode) d.path("panels");
    ObjectNode first = (ObjectNode) panels.get(0);
    panels.add(first.deepCopy());
    assertInvalid(d, "panels[1].id: duplicate panel id p1");

    panels.remove(1);
    for (int i = 1; i < 49; i++) {
      panels.add(first.deepCopy().put("id", "p" + (i + 1)));
    }
    assertThat(panels).hasSize(49);
    assertInvalid(d, "panels: more than 48 entries (limit 48)");
  }

  @Test
  void rejectsWhatIsNotAnObject() {
    assertThatThrownBy(() -> DashboardValidation.validate(JSON.createArrayNode()))
        .hasMessage("dashboard: must be a JSON object");
  }
}
