package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every channel against a real receiver on loopback: GreenMail for SMTP, the JDK HTTP server for
 * Slack, the SMS provider, webhooks and PagerDuty. Asserts what arrives, byte for byte where the
 * format is a contract.
 */
class ChannelsIT {

  @RegisterExtension
  static GreenMailExtension smtp =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
          .withConfiguration(
              com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig()
                  .withUser("alerts", "s3cret"));

  static TestReceiver http;
  static final Clock CLOCK = Clock.fixed(TestAlerts.T0.plusSeconds(30), ZoneOffset.UTC);
  static final LinkSigner SIGNER = new LinkSigner(new byte[32]);
  ChannelSender sender;
  DeliveryConfig config;

  @BeforeAll
  static void startReceiver() throws Exception {
    http = new TestReceiver();
  }

  @AfterAll
  static void stopReceiver() {
    http.close();
  }

  @BeforeEach
  void setUp() {
    http.requests.clear();
    sender =
        new ChannelSender(
            ChannelSender.defaultClient(Duration.ofSeconds(2)),
            Duration.ofSeconds(5),
            SIGNER,
            "https://ops.example",
            Duration.ofDays(1),
            CLOCK);
    config =
        DeliveryConfig.parse(
            """
            global:
              smtp_smarthost: 127.0.0.1:%d
              smtp_from: yumzoom@example.org
            receivers:
              - name: mail
                email_configs:
                  - to: oncall@example.org, lead@example.org
                    auth_username: alerts
                    auth_password: s3cret
                    require_tls: false
              - name: slack
                slack_configs:
                  - api_url: %s
                    channel: '#ops'
              - name: sms
                sms_configs:
                  - base_url: %s
                    account_sid: AC123
                    auth_token: tok
                    from: '+15550001'
                    to: ['+15550002', '+15550003']
              - name: hook
                webhook_configs:
                  - url: %s
                    hmac_secret: hook-secret
                    max_alerts: 1
              - name: pd
                pagerduty_configs:
                  - url: %s
                    routing_key: 0123456789abcdef0123456789abcdef
            """
                .formatted(
                    smtp.getSmtp().getPort(),
                    http.url("/slack/T000/B000/XXX"),
                    http.url("/twilio"),
                    http.url("/hook"),
                    http.url("/v2/enqueue")));
  }

  ChannelConfig channel(String receiver, int i) {
    return config.receivers().get(receiver).channels().get(i);
  }

  @Test
  void emailCarriesSubjectTextAndHtmlWithLinks() throws Exception {
    Notification n = TestAlerts.critical("mail");
    ChannelSender.Outcome out = sender.deliver(channel("mail", 0), n);

    assertThat(out.result()).isEqualTo(ChannelSender.Result.DELIVERED);
    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(received).hasSize(2); // one copy per recipient
    MimeMessage msg = received[0];
    assertThat(msg.getSubject()).isEqualTo("[FIRING:1] HighErrorRate");
    assertThat(msg.getFrom()[0].toString()).isEqualTo("yumzoom@example.org");
    assertThat(Arrays.stream(msg.getAllRecipients()).map(Object::toString))
        .containsExactly("oncall@example.org", "lead@example.org");
    MimeMultipart parts = (MimeMultipart) msg.getContent();
    assertThat(parts.getContentType()).startsWith("multipart/alternative");
    String text = (String) parts.getBodyPart(0).getContent();
    String html = (String) parts.getBodyPart(1).getContent();
    assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
    assertThat(text).contains("Severity: critical", "Value: 0.12", "HighErrorRate on api");
    assertThat(text).contains("Acknowledge: https://ops.example/ack?action=ack&fp=fp1&exp=");
    assertThat(html).contains("<h2>[FIRING:1] HighErrorRate</h2>", ">Acknowledge</a>");
  }

  @Test
  void emailToAnUnreachableServerIsRetried() {
    ChannelConfig.Email bad =
        new ChannelConfig.Email(
            List.of("x@example.org"), "y@example.org", "127.0.0.1", 1, null, null, false, false);
    ChannelSender.Outcome out = sender.deliver(bad, TestAlerts.critical("mail"));
    assertThat(out.result()).isEqualTo(ChannelSender.Result.RETRY);
    assertThat(out.error()).startsWith("smtp: ");
  }

  @Test
  void slackGetsBlockKitWithViewAndSignedAcknowledgeButtons() throws Exception {
    ChannelSender.Outcome out = sender.deliver(channel("slack", 0), TestAlerts.critical("slack"));

    assertThat(out).isEqualTo(ChannelSender.Outcome.delivered(200));
    TestReceiver.Request req = http.requests.getFirst();
    assertThat(req.path()).isEqualTo("/slack/T000/B000/XXX");
    assertThat(req.header("content-type")).isEqualTo("application/json");
    JsonNode body = Payloads.JSON.readTree(req.body());
    assertThat(body.path("channel").asText()).isEqualTo("#ops");
    JsonNode blocks = body.path("blocks");
    assertThat(blocks.get(0).path("type").asText()).isEqualTo("header");
    assertThat(blocks.get(0).path("text").path("text").asText())
        .isEqualTo("[FIRING:1] HighErrorRate");
    String fields = blocks.get(1).path("fields").toString();
    assertThat(fields).contains("*Severity*\\ncritical", "*Value*\\n0.12", "*Since*");
    JsonNode buttons = blocks.get(3).path("elements");
    assertThat(buttons.get(0).path("text").path("text").asText()).isEqualTo("View");
    assertThat(buttons.get(0).path("url").asText())
        .isEqualTo("http://yz.local/alerts?rule=HighErrorRate");
    assertThat(buttons.get(1).path("text").path("text").asText()).isEqualTo("Acknowledge");
    String ack = buttons.get(1).path("url").asText();
    long exp = CLOCK.instant().plus(Duration.ofDays(1)).getEpochSecond();
    assertThat(ack)
        .isEqualTo(
            "https://ops.example/ack?action=ack&fp=fp1&exp="
                + exp
                + "&sig="
                + SIGNER.sign("ack", List.of("fp1"), exp));
  }

  @Test
  void smsPostsTwilioFormWithBasicAuthOnePerNumberCriticalOnly() throws Exception {
    Notification critical = TestAlerts.critical("sms");
    ChannelConfig first = channel("sms", 0);
    ChannelConfig second = channel("sms", 1);
    assertThat(sender.deliver(first, critical).result()).isEqualTo(ChannelSender.Result.DELIVERED);
    assertThat(sender.deliver(second, critical).result()).isEqualTo(ChannelSender.Result.DELIVERED);

    assertThat(http.requests).hasSize(2);
    TestReceiver.Request req = http.requests.getFirst();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/twilio/2010-04-01/Accounts/AC123/Messages.json");
    assertThat(req.header("authorization"))
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("AC123:tok".getBytes()));
    assertThat(req.header("content-type")).isEqualTo("application/x-www-form-urlencoded");
    Map<String, String> form = form(req.body());
    assertThat(form).containsEntry("To", "+15550002").containsEntry("From", "+15550001");
    assertThat(form.get("Body"))
        .startsWith(
            "[FIRING:1] HighErrorRate sev=critical value=0.12 - HighErrorRate on api Ack: ");
    assertThat(form(http.requests.get(1).body())).containsEntry("To", "+15550003");

    Notification warning =
        TestAlerts.notification(
            "sms", Alert.FIRING, TestAlerts.alert(Alert.FIRING, "SlowRequests", "warning", "fp2"));
    assertThat(ChannelSender.wants(first, warning)).isFalse();
    assertThat(ChannelSender.wants(first, critical)).isTrue();
  }

  @Test
  void webhookSendsAlertmanagerPayloadSignedWithHmac() throws Exception {
    Notification n =
        TestAlerts.notification(
            "hook",
            Alert.FIRING,
            TestAlerts.alert(Alert.FIRING, "HighErrorRate", "critical", "fp1"),
            TestAlerts.alert(Alert.RESOLVED, "HighErrorRate", "critical", "fp9"));
    assertThat(sender.deliver(channel("hook", 0), n).result())
        .isEqualTo(ChannelSender.Result.DELIVERED);

    TestReceiver.Request req = http.requests.getFirst();
    assertThat(req.header("x-yumzoom-signature"))
        .isEqualTo(
            "sha256="
                + LinkSigner.hmacHex("hook-secret", req.body().getBytes(StandardCharsets.UTF_8)));
    JsonNode body = Payloads.JSON.readTree(req.body());
    assertThat(body.path("version").asText()).isEqualTo("4");
    assertThat(body.path("status").asText()).isEqualTo("firing");
    assertThat(body.path("receiver").asText()).isEqualTo("hook");
    assertThat(body.path("groupKey").asText()).isEqualTo(n.groupKey());
    assertThat(body.path("externalURL").asText()).isEqualTo("http://yz.local");
    assertThat(body.path("groupLabels").path("alertname").asText()).isEqualTo("HighErrorRate");
    assertThat(body.path("commonLabels").path("severity").asText()).isEqualTo("critical");
    assertThat(body.path("commonAnnotations").path("summary").asText())
        .isEqualTo("HighErrorRate on api");
    // max_alerts: 1 keeps the first alert and counts the other
    assertThat(body.path("truncatedAlerts").asInt()).isEqualTo(1);
    assertThat(body.path("alerts")).hasSize(1);
    JsonNode a = body.path("alerts").get(0);
    assertThat(a.path("status").asText()).isEqualTo("firing");
    assertThat(a.path("startsAt").asText()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(a.path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(a.path("fingerprint").asText()).isEqualTo("fp1");
    assertThat(a.path("generatorURL").asText())
        .isEqualTo("http://yz.local/alerts?rule=HighErrorRate");
    assertThat(a.path("labels").path("alertname").asText()).isEqualTo("HighErrorRate");
  }

  @Test
  void webhookStatusesAreClassified() {
    http.respond(503, 429, 400);
    ChannelConfig hook = channel("hook", 0);
    Notification n = TestAlerts.critical("hook");
    assertThat(sender.deliver(hook, n))
        .isEqualTo(
            new ChannelSender.Outcome(
                ChannelSender.Result.RETRY, 503, "HTTP 503: {\"error\":\"no\"}"));
    assertThat(sender.deliver(hook, n).result()).isEqualTo(ChannelSender.Result.RETRY);
    assertThat(sender.deliver(hook, n).result()).isEqualTo(ChannelSender.Result.FAILED);
    assertThat(sender.deliver(hook, n).result()).isEqualTo(ChannelSender.Result.DELIVERED);
  }

  @Test
  void pagerDutyTriggersAcknowledgesAndResolvesWithOneDedupKey() throws Exception {
    ChannelConfig pd = channel("pd", 0);
    Notification firing = TestAlerts.critical("pd");
    Notification acked =
        new Notification(
            "pd",
            ChannelSender.ACKNOWLEDGED,
            firing.groupLabels(),
            firing.commonLabels(),
            firing.commonAnnotations(),
            firing.externalUrl(),
            firing.groupKey(),
            firing.alerts(),
            0);
    Notification resolved =
        TestAlerts.notification(
            "pd",
            Alert.RESOLVED,
            TestAlerts.alert(Alert.RESOLVED, "HighErrorRate", "critical", "fp1"));
    for (Notification n : List.of(firing, acked, resolved)) {
      assertThat(sender.deliver(pd, n).result()).isEqualTo(ChannelSender.Result.DELIVERED);
    }

    assertThat(http.requests).extracting(TestReceiver.Request::path).containsOnly("/v2/enqueue");
    JsonNode trigger = Payloads.JSON.readTree(http.requests.get(0).body());
    assertThat(trigger.path("routing_key").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
    assertThat(trigger.path("dedup_key").asText()).isEqualTo(firing.groupKey());
    JsonNode payload = trigger.path("payload");
    assertThat(payload.path("summary").asText())
        .isEqualTo("[FIRING:1] HighErrorRate HighErrorRate on api");
    assertThat(payload.path("source").asText()).isEqualTo("yumzoom-ops");
    assertThat(payload.path("severity").asText()).isEqualTo("critical");
    assertThat(payload.path("custom_details").path("firing").asInt()).isEqualTo(1);
    assertThat(trigger.path("links").get(0).path("href").asText())
        .isEqualTo("http://yz.local/alerts?rule=HighErrorRate");
    JsonNode ack = Payloads.JSON.readTree(http.requests.get(1).body());
    assertThat(ack.path("event_action").asText()).isEqualTo("acknowledge");
    assertThat(ack.path("dedup_key").asText()).isEqualTo(firing.groupKey());
    JsonNode resolve = Payloads.JSON.readTree(http.requests.get(2).body());
    assertThat(resolve.path("event_action").asText()).isEqualTo("resolve");
    assertThat(resolve.path("dedup_key").asText()).isEqualTo(firing.groupKey());
    assertThat(resolve.has("payload")).isFalse();
  }

  static Map<String, String> form(String body) {
    return Arrays.stream(body.split("&"))
        .map(kv -> kv.split("=", 2))
        .collect(
            Collectors.toMap(
                kv -> URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv -> URLDecoder.decode(kv[1], StandardCharsets.UTF_8)));
  }
}
