package com.yumzoom.ops.alert.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {

  private static String render(String template, double value, Map<String, String> labels) {
    return Template.parse(template)
        .render(new Template.Context(value, labels, "http://ops.example"));
  }

  @Test
  void valueAndLabels() {
    assertThat(
            render(
                "{{ $labels.service }} error rate {{ $value }} on {{ .Labels.route }}",
                0.25,
                Map.of("service", "orders", "route", "/pay")))
        .isEqualTo("orders error rate 0.25 on /pay");
    assertThat(render("{{ $labels.missing }}x", 1, Map.of())).isEqualTo("x");
  }

  @Test
  void valuesPrintLikeGo() {
    assertThat(render("{{ $value }}", 1_000_000, Map.of())).isEqualTo("1e+06");
    assertThat(render("{{ $value }}", 123456, Map.of())).isEqualTo("123456");
    assertThat(render("{{ $value }}", 0.00001, Map.of())).isEqualTo("1e-05");
    assertThat(render("{{ $value }}", 3, Map.of())).isEqualTo("3");
  }

  @Test
  void humanizeFunctionsMatchPrometheus() {
    assertThat(render("{{ humanize $value }}", 1234567, Map.of())).isEqualTo("1.235M");
    assertThat(render("{{ $value | humanize }}", 0.00123, Map.of())).isEqualTo("1.23m");
    assertThat(render("{{ humanize 0 }}", 0, Map.of())).isEqualTo("0");
    assertThat(render("{{ humanize1024 $value }}", 2048, Map.of())).isEqualTo("2ki");
    assertThat(render("{{ humanizePercentage $value }}", 0.1234, Map.of())).isEqualTo("12.34%");
    assertThat(render("{{ humanizeDuration $value }}", 3661, Map.of())).isEqualTo("1h 1m 1s");
    assertThat(render("{{ humanizeDuration $value }}", 90061, Map.of())).isEqualTo("1d 1h 1m 1s");
    assertThat(render("{{ humanizeDuration $value }}", 0.25, Map.of())).isEqualTo("250ms");
    assertThat(render("{{ printf \"%.2f\" $value }}", 0.12345, Map.of())).isEqualTo("0.12");
  }

  @Test
  void linksIntoTheProduct() {
    Map<String, String> labels = Map.of("service_name", "order api");
    assertThat(render("{{ tracesURL }}", 1, labels))
        .isEqualTo("http://ops.example/traces?service=order+api");
    assertThat(render("{{ errorsURL }}", 1, labels))
        .isEqualTo("http://ops.example/errors?service=order+api");
    assertThat(render("{{ dashboardURL \"red\" }}", 1, labels))
        .isEqualTo("http://ops.example/dashboards/red?service=order+api");
  }

  @Test
  void trimMarkers() {
    assertThat(render("a  {{- $value -}}  b", 1, Map.of())).isEqualTo("a1b");
  }

  @Test
  void unsupportedConstructsAreRefusedAtParse() {
    assertThatThrownBy(() -> Template.parse("{{ if gt $value 1.0 }}x{{ end }}"))
        .hasMessageContaining("function \"if\" not defined");
    assertThatThrownBy(() -> Template.parse("{{ $nope }}"))
        .hasMessageContaining("undefined variable");
    assertThatThrownBy(() -> Template.parse("{{ $value ")).hasMessageContaining("unclosed");
  }
}
