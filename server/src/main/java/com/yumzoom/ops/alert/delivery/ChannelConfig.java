package com.yumzoom.ops.alert.delivery;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One way a receiver is reached: one entry of an Alertmanager receiver's {@code *_configs} lists
 * (plus {@code sms_configs}, ours). Validated when the alerting file is read, so a delivery never
 * meets a half-configured channel.
 */
sealed interface ChannelConfig {

  /** The channel kind as it appears in the outbox and API: email, slack, sms, webhook, ... */
  String type();

  /** Whether resolved notifications go out on this channel. */
  boolean sendResolved();

  /**
   * SMTP.
   *
   * @param host SMTP server host
   * @param port SMTP server port
   * @param startTls STARTTLS is required before authenticating (Alertmanager's {@code require_tls})
   */
  record Email(
      List<String> to,
      String from,
      String host,
      int port,
      String username,
      String password,
      boolean startTls,
      boolean sendResolved)
      implements ChannelConfig {
    public Email {
      to = List.copyOf(to);
    }

    @Override
    public String type() {
      return "email";
    }
  }

  /** Slack incoming webhook ({@code api_url}) with Block Kit content. */
  record Slack(URI url, String channel, boolean sendResolved) implements ChannelConfig {
    @Override
    public String type() {
      return "slack";
    }
  }

  /**
   * SMS through a Twilio-compatible Messages API: {@code POST
   * {baseUrl}/2010-04-01/Accounts/{accountSid}/Messages.json}.
   *
   * @param to one phone number: a config listing several becomes one channel per number, so a retry
   *     never repeats a message to a number that already has it
   * @param severities alerts of these severities are sent; the others are left out
   */
  record Sms(
      URI baseUrl,
      String accountSid,
      String authToken,
      String from,
      String to,
      Set<String> severities,
      boolean sendResolved)
      implements ChannelConfig {
    public Sms {
      severities = Set.copyOf(severities);
    }

    @Override
    public String type() {
      return "sms";
    }
  }

  /**
   * Alertmanager's webhook payload, signed with HMAC-SHA256 when {@code hmacSecret} is set.
   *
   * @param maxAlerts most alerts in one payload (0: all); the rest are counted in truncatedAlerts
   */
  record Webhook(URI url, String hmacSecret, int maxAlerts, boolean sendResolved)
      implements ChannelConfig {
    @Override
    public String type() {
      return "webhook";
    }
  }

  /** PagerDuty Events API v2 at {@code url} (the full enqueue URL, as in Alertmanager). */
  record PagerDuty(URI url, String routingKey, String severity, boolean sendResolved)
      implements ChannelConfig {
    public PagerDuty {
      Objects.requireNonNull(routingKey, "routing_key");
    }

    @Override
    public String type() {
      return "pagerduty";
    }
  }

  /** Logs the notification; the outbox records it like any delivery. */
  record Log(boolean sendResolved) implements ChannelConfig {
    @Override
    public String type() {
      return "log";
    }
  }
}
