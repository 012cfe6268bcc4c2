package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeliveryConfigTest {

  @Test
  void withoutAFileThereIsOneLoggingReceiver() {
    DeliveryConfig c = DeliveryConfig.load(null);
    assertThat(c.receivers()).containsOnlyKeys("default");
    assertThat(c.receivers().get("default").channels())
        .containsExactly(new ChannelConfig.Log(true));
    assertThat(c.receiverExists().test("default")).isTrue();
  }

  @Test
  void readsAlertmanagerReceiversWithGlobalDefaultsAndIgnoresTheRuleSections() {
    DeliveryConfig c =
        DeliveryConfig.parse(
            """
            global:
              smtp_smarthost: mail.example.org:587
              smtp_from: alerts@example.org
              slack_api_url: https://hooks.slack.example/T/B/X
            route: {receiver: team, group_by: [alertname]}
            inhibit_rules: [{source_matchers: [severity="critical"]}]
            receivers:
              - name: team
                email_configs: [{to: a@example.org}]
                slack_configs: [{channel: '#ops', send_resolved: true}]
                pagerduty_configs: [{routing_key: 0123456789abcdef0123456789abcdef}]
              - name: blackhole
            """);
    ChannelConfig.Email email = (ChannelConfig.Email) c.receivers().get("team").channels().get(0);
    assertThat(email.host()).isEqualTo("mail.example.org");
    assertThat(email.port()).isEqualTo(587);
    assertThat(email.startTls()).isTrue();
    assertThat(email.from()).isEqualTo("alerts@example.org");
    ChannelConfig.Slack slack = (ChannelConfig.Slack) c.receivers().get("team").channels().get(1);
    assertThat(slack.url().toString()).isEqualTo("https://hooks.slack.example/T/B/X");
    assertThat(slack.sendResolved()).isTrue();
    ChannelConfig.PagerDuty pd =
        (ChannelConfig.PagerDuty) c.receivers().get("team").channels().get(2);
    assertThat(pd.url()).isEqualTo(DeliveryConfig.DEFAULT_PAGERDUTY_URL);
    assertThat(c.receivers().get("blackhole").channels())
        .containsExactly(new ChannelConfig.Log(true));
  }

  @Test
  void escalationPoliciesAreValidated() {
    DeliveryConfig c =
        DeliveryConfig.parse(
            """
            receivers: [{name: a}, {name: b}]
            escalation_policies:
              - name: p
                ack_timeout: 1h30m
                steps: [{receivers: [a]}, {delay: 5m, receivers: [a, b]}]
            """);
    DeliveryConfig.EscalationPolicy p = c.policies().get("p");
    assertThat(p.steps()).hasSize(2);
    assertThat(p.steps().get(0).delay()).isZero();
    assertThat(p.ackTimeout()).isEqualTo(Duration.ofMinutes(90));
    assertThat(p.repeat()).isEqualTo(1);
    assertThat(c.receiverExists().test("p")).isTrue();

    assertThatThrownBy(
            () ->
                DeliveryConfig.parse(
                    """
                    receivers: [{name: a}]
                    escalation_policies: [{name: p, steps: [{receivers: [zz]}]}]
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("escalation_policies[0].steps[0].receivers")
        .hasMessageContaining("unknown receiver zz");
    assertThatThrownBy(
            () -> DeliveryConfig.parse("receivers: [{name: a, escalation_policy: nope}]"))
        .hasMessageContaining("unknown escalation policy nope");
  }

  @Test
  void badChannelsNameTheirPath() {
    assertThatThrownBy(
            () -> DeliveryConfig.parse("receivers: [{name: a, webhook_configs: [{url: ftp://x}]}]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("receivers[0].webhook_configs[0].url")
        .hasMessageContaining("must be an http or https URL");
    assertThatThrownBy(
            () ->
                DeliveryConfig.parse(
                    "receivers: [{name: a, pagerduty_configs: [{routing_key: short}]}]"))
        .hasMessageContaining("receivers[0].pagerduty_configs[0].routing_key");
    assertThatThrownBy(
            () ->
                DeliveryConfig.parse(
                    "receivers: [{name: a, email_configs: [{to: x@y, from: z@y, smarthost: nohost}]}]"))
        .hasMessageContaining("must be host:port");
    assertThatThrownBy(() -> DeliveryConfig.parse("receivers: [{name: a}, {name: a}]"))
        .hasMessageContaining("duplicate receiver a");
    assertThatThrownBy(
            () ->
                DeliveryConfig.parse(
                    "receivers: [{name: a, sms_configs: [{account_sid: s, auth_token: t, from: '1'}]}]"))
        .hasMessageContaining("receivers[0].sms_configs[0].to");
  }

  @Test
  void goDurations() {
    assertThat(DeliveryConfig.duration("x", "1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DeliveryConfig.duration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DeliveryConfig.duration("x", "0")).isZero();
    assertThatThrownBy(() -> DeliveryConfig.duration("steps[0].delay", "5 minutes"))
        .hasMessageContaining("steps[0].delay");
  }
}
