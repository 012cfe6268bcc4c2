package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardStoreTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_800_000_000_000L), ZoneOffset.UTC);
  @TempDir Path dataDir;

  static ObjectNode dashboard(String title) {
    ObjectNode d = JSON.createObjectNode().put("title", title);
    d.putArray("panels");
    return d;
  }

  @Test
  void createReadUpdateDeleteAndSurviveAReopen() {
    DashboardStore store = new DashboardStore(dataDir, JSON, CLOCK);
    ObjectNode created = store.create(dashboard("Checkout"));
    String id = created.path("id").asText();
    assertThat(DashboardStore.validId(id)).isTrue();
    assertThat(created.path("updated").asLong()).isEqualTo(1_800_000_000_000L);

    assertThat(store.update(id, dashboard("Checkout v2"))).isPresent();
    DashboardStore reopened = new DashboardStore(dataDir, JSON, CLOCK);
    assertThat(reopened.get(id).orElseThrow().path("title").asText()).isEqualTo("Checkout v2");
    assertThat(reopened.list()).extracting(n -> n.path("title").asText()).contains("Checkout v2");

    assertThat(reopened.delete(id)).isTrue();
    assertThat(reopened.get(id)).isEmpty();
    assertThat(reopened.delete(id)).isFalse();
    assertThat(reopened.update(id, dashboard("gone"))).isEmpty();
  }

  @Test
  void builtInsAreListedFirstAndComeFromTheClasspath() {
    DashboardStore store = new DashboardStore(dataDir, JSON, CLOCK);
    store.create(dashboard("Alpha"));
    assertThat(store.list())
        .extracting(n -> n.path("id").asText())
        .startsWith("builtin-services", "builtin-jvm", "builtin-self");
    ObjectNode services = store.get("builtin-services").orElseThrow();
    assertThat(services.path("builtin").asBoolean()).isTrue();
    // every built-in is itself a valid dashboard
    for (String name : DashboardStore.BUILTINS) {
      DashboardValidation.validate(store.get("builtin-" + name).orElseThrow());
    }
  }

  @Test
  void boundsTheNumberOfDashboards() {
    DashboardStore store = new DashboardStore(dataDir, JSON, CLOCK, 2);
    store.create(dashboard("a"));
    store.create(dashboard("b"));
    assertThatThrownBy(() -> store.create(dashboard("c")))
        .hasMessage("dashboards: too many dashboards (limit 2)");
  }

  @Test
  void anUnreadableFileDoesNotHideTheOthers() throws Exception {
    DashboardStore store = new DashboardStore(dataDir, JSON, CLOCK);
    store.create(dashboard("Good"));
    Files.writeString(dataDir.resolve("ui/dashboards/broken.json"), "{not json");
    assertThat(store.list())
        .extracting(n -> n.path("title").asText())
        .contains("Good")
        .anySatisfy(t -> assertThat(t).startsWith("broken.json (unreadable"));
  }

  @Test
  void idsThatCouldEscapeTheDirectoryAreNeverLookedUp() {
    DashboardStore store = new DashboardStore(dataDir, JSON, CLOCK);
    assertThat(store.get("../../etc/passwd")).isEmpty();
    assertThat(store.delete("../x")).isFalse();
  }
}
