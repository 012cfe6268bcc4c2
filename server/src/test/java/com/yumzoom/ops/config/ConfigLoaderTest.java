package com.yumzoom.ops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void defaultsNeedNoFile() {
    YumzoomConfig c = YumzoomConfig.defaults();
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.otlpGrpcPort()).isEqualTo(4317);
    assertThat(c.otlpHttpPort()).isEqualTo(4318);
    assertThat(c.limits()).isEqualTo(IngestLimits.DEFAULTS);
    assertThat(c.retention().maxAge()).isEqualTo(Duration.ofDays(7));
    assertThat(c.storage().spanLogEnabled()).isFalse();
  }

  @Test
  void theSpanLogIsSwitchedByItsKey() {
    assertThat(
            ConfigLoader.load(null, Map.of("YUMZOOM_STORAGE_SPAN_LOG_ENABLED", "TRUE"), Map.of())
                .storage()
                .spanLogEnabled())
        .isTrue();
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("storage.span-log.enabled", "yes")))
        .hasMessage(
            "invalid configuration 'storage.span-log.enabled': cannot parse 'yes': expected true"
                + " or false");
  }

  @Test
  void fileThenEnvironmentThenFlagsTakePrecedence() throws IOException {
    Path file = dir.resolve("yumzoom.yaml");
    Files.writeString(
        file,
        """
        data-dir: /var/lib/yumzoom
        server:
          http-port: 9000
        ingest:
          max-span-name-length: 200
        retention:
          max-age: 3d
        """);
    YumzoomConfig c =
        ConfigLoader.load(
            file,
            Map.of("YUMZOOM_SERVER_HTTP_PORT", "9100", "YUMZOOM_RETENTION_MAX_AGE", "48h"),
            Map.of("retention.max-age", "PT36H"));
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/yumzoom"));
    assertThat(c.httpPort()).isEqualTo(9100);
    assertThat(c.limits().maxSpanNameLength()).isEqualTo(200);
    assertThat(c.retention().maxAge()).isEqualTo(Duration.ofHours(36));
  }

  @Test
  void invalidValuesNameTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("server.http-port", "http")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration 'server.http-port': cannot parse 'http'");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("YUMZOOM_OTLP_GRPC_PORT", "70000"), Map.of()))
        .hasMessage(
            "invalid configuration 'otlp.grpc-port': must be a port between 0 and 65535, got 70000");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("ingest.max-spans-per-request", "0")))
        .hasMessage(
            "invalid configuration 'ingest.max-spans-per-request': must be positive, got 0");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("retention.max-age", "7w")))
        .hasMessageContaining("'retention.max-age'")
        .hasMessageContaining("unknown unit");
  }

  @Test
  void unknownKeysAreRejectedNotIgnored() throws IOException {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "server:\n  htp-port: 9000\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid configuration 'server.htp-port': unknown key");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("nope", "1")))
        .hasMessageStartingWith("invalid configuration 'nope': unknown key");
  }

  @Test
  void environmentNamesAreDerivedFromKeys() {
    assertThat(ConfigLoader.envName("ingest.max-body-bytes"))
        .isEqualTo("YUMZOOM_INGEST_MAX_BODY_BYTES");
  }
}
