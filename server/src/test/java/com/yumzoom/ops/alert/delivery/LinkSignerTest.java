package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkSignerTest {

  @TempDir Path dataDir;

  @Test
  void theSecretIsCreatedOnceOwnerOnlyAndLinksSurviveARestart() throws Exception {
    LinkSigner first = LinkSigner.inDataDir(dataDir);
    Path file = dataDir.resolve(LinkSigner.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).hasSize(64);
    String sig = first.sign("ack", List.of("a", "b"), 2_000_000_000L);

    LinkSigner again = LinkSigner.inDataDir(dataDir);
    Instant now = Instant.ofEpochSecond(1_900_000_000L);
    assertThat(again.verify("ack", List.of("a", "b"), 2_000_000_000L, sig, now)).isTrue();
    assertThat(again.verify("ack", List.of("a"), 2_000_000_000L, sig, now)).isFalse();
    assertThat(again.verify("resolve", List.of("a", "b"), 2_000_000_000L, sig, now)).isFalse();
    assertThat(again.verify("ack", List.of("a", "b"), 2_000_000_001L, sig, now)).isFalse();
    assertThat(again.verify("ack", List.of("a", "b"), 2_000_000_000L, null, now)).isFalse();
    assertThat(
            again.verify(
                "ack",
                List.of("a", "b"),
                2_000_000_000L,
                sig,
                Instant.ofEpochSecond(2_000_000_001L)))
        .as("expired")
        .isFalse();
    assertThat(
            new LinkSigner(new byte[32]).verify("ack", List.of("a", "b"), 2_000_000_000L, sig, now))
        .as("another server's secret")
        .isFalse();
  }

  @Test
  void linksAreUrlEncoded() {
    LinkSigner s = new LinkSigner(new byte[32]);
    String link =
        s.link("https://ops.example/", "ack", List.of("f1", "f2"), Instant.ofEpochSecond(10));
    assertThat(link)
        .isEqualTo(
            "https://ops.example/ack?action=ack&fp=f1%2Cf2&exp=10&sig="
                + s.sign("ack", List.of("f1", "f2"), 10));
  }
}
