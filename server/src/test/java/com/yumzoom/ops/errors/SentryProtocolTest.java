package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SentryProtocolTest {

  static final String EVENT =
      """
      {"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","timestamp":"2026-11-20T10:00:00.5Z",
       "platform":"java","level":"fatal","release":"shop@2","environment":"prod",
       "user":{"email":"a@example.com"},"request":{"method":"POST","url":"http://x/pay"},
       "tags":{"region":"eu"},
       "contexts":{"trace":{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331"}},
       "exception":{"values":[
         {"type":"SQLException","module":"java.sql","value":"deadlock on row 7",
          "stacktrace":{"frames":[
            {"module":"com.acme.Checkout","function":"run","filename":"Checkout.java","lineno":38,"in_app":true},
            {"module":"com.acme.OrderDao","function":"save","filename":"OrderDao.java","lineno":88,"in_app":true}]}},
         {"type":"CheckoutException","module":"com.acme","value":"checkout failed",
          "stacktrace":{"frames":[
            {"module":"com.acme.Checkout","function":"run","filename":"Checkout.java","lineno":40}]}}]}}
      """;

  @Test
  void mapsChainOrderFramesAndContext() {
    Occurrence o = SentryProtocol.occurrence(SentryProtocol.parseStore(bytes(EVENT)), "1", 5L);
    ParsedStackTrace t = o.event().trace();
    // Sentry lists the root cause first; our chain is outermost first
    assertThat(t.chain())
        .extracting(ExceptionRecord::type)
        .containsExactly("com.acme.CheckoutException", "java.sql.SQLException");
    // Sentry frames are caller first; ours innermost first
    assertThat(t.rootCause().frames().getFirst().function()).isEqualTo("save");
    assertThat(o.timestampMs())
        .isEqualTo(java.time.Instant.parse("2026-11-20T10:00:00.5Z").toEpochMilli());
    assertThat(o.level()).isEqualTo("fatal");
    assertThat(o.userId()).isEqualTo("a@example.com");
    assertThat(o.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(o.spanId()).isEqualTo("b7ad6b7169203331");
    assertThat(o.requestJson()).contains("\"url\":\"http://x/pay\"");
    assertThat(o.event().tags()).containsEntry("region", "eu").containsEntry("project", "1");
    assertThat(o.id()).isEqualTo("9ec79c33ec9942ab8353589fcb2e04dc");
  }

  @Test
  void sameFaultFromSentryAndFromAPrintedTraceGroupsTogether() {
    Occurrence sentry = SentryProtocol.occurrence(SentryProtocol.parseStore(bytes(EVENT)), "1", 5L);
    String printed =
        """
        com.acme.CheckoutException: checkout failed
        \tat com.acme.Checkout.run(Checkout.java:40)
        Caused by: java.sql.SQLException: deadlock on row 12
        \tat com.acme.OrderDao.save(OrderDao.java:91)
        \tat com.acme.Checkout.run(Checkout.java:38)
        """;
    Grouping g = Grouping.defaults();
    assertThat(g.fingerprint(sentry.event()).hash())
        .isEqualTo(g.fingerprint(ErrorEvent.parse(printed, java.util.Map.of())).hash());
  }

  @Test
  void clientFingerprintSplitsOrMergesOnPurpose() {
    Grouping g = Grouping.defaults();
    InAppRules inApp = InAppRules.defaults();
    Occurrence plain = SentryProtocol.occurrence(SentryProtocol.parseStore(bytes(EVENT)), "1", 5L);
    Occurrence extended =
        SentryProtocol.occurrence(
            SentryProtocol.parseStore(
                bytes(EVENT.replaceFirst("\\{", "{\"fingerprint\":[\"{{ default }}\",\"eu\"],"))),
            "1",
            5L);
    Occurrence replaced =
        SentryProtocol.occurrence(
            SentryProtocol.parseStore(
                bytes(EVENT.replaceFirst("\\{", "{\"fingerprint\":[\"payments-down\"],"))),
            "1",
            5L);
    Occurrence other =
        SentryProtocol.occurrence(
            SentryProtocol.parseStore(
                bytes(
                    "{\"fingerprint\":[\"payments-down\"],\"message\":\"completely different\"}")),
            "1",
            5L);
    assertThat(extended.clientFingerprint()).containsExactly("{{ default }}", "eu");
    String plainHash = Grouped.of(plain, g, inApp).fingerprint().hash();
    assertThat(Grouped.of(extended, g, inApp).fingerprint().hash()).isNotEqualTo(plainHash);
    assertThat(Grouped.of(replaced, g, inApp).fingerprint().hash())
        .isEqualTo(Grouped.of(other, g, inApp).fingerprint().hash())
        .isNotEqualTo(plainHash);
    assertThat(Grouped.of(replaced, g, inApp).fingerprint().title())
        .isEqualTo(Grouped.of(plain, g, inApp).fingerprint().title());
  }

  @Test
  void envelopeItemsWithAndWithoutLengthOnlyEventsCount() {
    String event = "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"message\":\"hello 5\"}";
    String envelope =
        "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"https://abc@o.ingest/1\"}\n"
            + "{\"type\":\"session\"}\n{\"started\":\"x\"}\n"
            + "{\"type\":\"event\",\"length\":"
            + event.getBytes(StandardCharsets.UTF_8).length
            + "}\n"
            + event
            + "\n";
    SentryProtocol.Envelope e = SentryProtocol.parseEnvelope(bytes(envelope));
    assertThat(e.dsnKey()).isEqualTo("abc");
    assertThat(e.events()).hasSize(1);
    Occurrence o = SentryProtocol.occurrence(e.events().getFirst(), "1", 5L);
    assertThat(o.event().trace().rootCause().type()).isEqualTo("Message");
    assertThat(o.event().trace().rootCause().message()).isEqualTo("hello 5");
  }

  @Test
  void badInputNamesTheField() {
    assertThatThrownBy(
            () ->
                SentryProtocol.parseEnvelope(bytes("{}\n{\"type\":\"event\",\"length\":999}\n{}")))
        .hasMessage("envelope item 1: length 999 runs past the body");
    assertThatThrownBy(
            () ->
                SentryProtocol.occurrence(
                    SentryProtocol.parseStore(bytes("{\"platform\":\"java\"}")), "1", 5L))
        .hasMessage("exception.values: missing (and no message)");
    String longType = "{\"exception\":{\"values\":[{\"type\":\"" + "T".repeat(600) + "\"}]}}";
    assertThatThrownBy(
            () -> SentryProtocol.occurrence(SentryProtocol.parseStore(bytes(longType)), "1", 5L))
        .hasMessage("exception.values[0].type: longer than 512 characters (limit 512)");
  }

  @Test
  void unknownLevelsMapOverInsteadOfFailing() {
    assertThat(SentryProtocol.level("critical")).isEqualTo("fatal");
    assertThat(SentryProtocol.level("log")).isEqualTo("info");
    assertThat(SentryProtocol.level("whatever")).isEqualTo("error");
  }

  @Test
  void keyFromHeaderQueryOrDsn() {
    assertThat(
            SentryProtocol.key("Sentry sentry_version=7, sentry_client=x/1, sentry_key=pub", null))
        .isEqualTo("pub");
    assertThat(SentryProtocol.key(null, "q")).isEqualTo("q");
    assertThat(SentryProtocol.keyOfDsn("http://k:secret@host:9/3")).isEqualTo("k");
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
