package com.yumzoom.ops.metrics.scrape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelabelerTest {

  private static List<RelabelConfig> rules(String yamlList) {
    String yaml = "scrape_configs:\n  - job_name: j\n    relabel_configs:\n" + yamlList.indent(6);
    return ScrapeConfig.parse(yaml).jobs().getFirst().relabelConfigs();
  }

  @Test
  void replaceUsesAnchoredRegexAndGoStyleExpansion() {
    var r =
        rules(
            """
            - source_labels: [__address__]
              regex: '([^:]+):(?P<port>\\d+)'
              target_label: host
              replacement: '${1}-$port$$'
            - source_labels: [__address__]
              regex: 'ost'
              target_label: nomatch
            """);
    assertThat(Relabeler.apply(Map.of("__address__", "db1:9100"), r))
        .containsEntry("host", "db1-9100$")
        .doesNotContainKey("nomatch");
  }

  @Test
  void emptyReplacementDeletesTheTargetLabel() {
    var r =
        rules(
            """
            - source_labels: [x]
              regex: '.*'
              target_label: env
              replacement: ''
            """);
    assertThat(Relabeler.apply(Map.of("env", "prod", "x", "1"), r)).doesNotContainKey("env");
  }

  @Test
  void keepAndDropJoinSourcesWithTheSeparator() {
    var keep =
        rules(
            """
            - source_labels: [a, b]
              separator: '/'
              regex: 'x/y'
              action: keep
            """);
    assertThat(Relabeler.apply(Map.of("a", "x", "b", "y"), keep)).isNotNull();
    assertThat(Relabeler.apply(Map.of("a", "x", "b", "z"), keep)).isNull();
    var drop =
        rules(
            """
            - source_labels: [a]
              regex: 'x'
              action: drop
            """);
    assertThat(Relabeler.apply(Map.of("a", "x"), drop)).isNull();
    assertThat(Relabeler.apply(Map.of("a", "xx"), drop)).isNotNull();
  }

  @Test
  void labelmapLabeldropLabelkeep() {
    var r =
        rules(
            """
            - regex: '__meta_(.+)'
              action: labelmap
            - regex: 'tmp_.*'
              action: labeldrop
            """);
    assertThat(Relabeler.apply(Map.of("__meta_zone", "eu", "tmp_x", "1", "keep", "k"), r))
        .containsEntry("zone", "eu")
        .containsEntry("__meta_zone", "eu")
        .containsEntry("keep", "k")
        .doesNotContainKey("tmp_x");
    var keep =
        rules(
            """
            - regex: 'job|instance'
              action: labelkeep
            """);
    assertThat(Relabeler.apply(Map.of("job", "a", "instance", "i", "other", "o"), keep))
        .containsOnlyKeys("job", "instance");
  }

  @Test
  void hashmodTakesTheLowEightBytesOfMd5() {
    // md5("foo") = acbd18db4cc2f85c edef654fccc4a4d8 (hex); the low 8 bytes mod 10
    long expected = Long.remainderUnsigned(Long.parseUnsignedLong("edef654fccc4a4d8", 16), 10);
    assertThat(Relabeler.hashMod("foo", 10)).isEqualTo(expected);
    var r =
        rules(
            """
            - source_labels: [a]
              modulus: 10
              target_label: shard
              action: hashmod
            """);
    assertThat(Relabeler.apply(Map.of("a", "foo"), r))
        .containsEntry("shard", Long.toString(expected));
  }

  @Test
  void invalidRulesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> rules("- action: explode\n"))
        .hasMessageContaining("scrape_configs[0].relabel_configs[0].action")
        .hasMessageContaining("explode");
    assertThatThrownBy(() -> rules("- regex: '('\n  target_label: x\n"))
        .hasMessageContaining("scrape_configs[0].relabel_configs[0].regex");
    assertThatThrownBy(() -> rules("- action: hashmod\n  target_label: x\n"))
        .hasMessageContaining("modulus");
  }
}
