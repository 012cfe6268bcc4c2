package com.yumzoom.ops.alert.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.alert.Alert;
import com.yumzoom.ops.alert.Notification;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs one delivery attempt of one notification on one channel and classifies the result:
 * delivered, worth retrying (network errors, 408, 429, 5xx) or failed for good (other 4xx: the
 * request itself is wrong, so repeating it cannot help).
 *
 * <p>Blocking by design: it runs on the outbox's worker threads, never on an event loop.
 */
final class ChannelSender {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelSender.class);

  /** The header carrying the webhook body's HMAC-SHA256: {@code sha256=<hex>}. */
  static final String SIGNATURE_HEADER = "X-YumZoom-Signature";

  /** Status an acknowledgement is forwarded with (PagerDuty only). */
  static final String ACKNOWLEDGED = "acknowledged";

  static final int MAX_LINK_FINGERPRINTS = 20;

  enum Result {
    DELIVERED,
    RETRY,
    FAILED
  }

  /** The outcome of one attempt; {@code statusCode} 0 when no HTTP status was received. */
  record Outcome(Result result, int statusCode, String error) {
    static Outcome delivered(int status) {
      return new Outcome(Result.DELIVERED, status, null);
    }
  }

  private final HttpClient http;
  private final Duration timeout;
  private final LinkSigner signer;
  private final String publicUrl;
  private final Duration linkTtl;
  private final Clock clock;

  ChannelSender(
      HttpClient http,
      Duration timeout,
      LinkSigner signer,
      String publicUrl,
      Duration linkTtl,
      Clock clock) {
    this.http = http;
    this.timeout = timeout;
    this.signer = signer;
    this.publicUrl = publicUrl;
    this.linkTtl = linkTtl;
    this.clock = clock;
  }

  static HttpClient defaultClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Whether this channel takes this notification at all (send_resolved, SMS severities, acks). */
  static boolean wants(ChannelConfig c, Notification n) {
    if (ACKNOWLEDGED.equals(n.status())) {
      return c instanceof ChannelConfig.PagerDuty;
    }
    if (Alert.RESOLVED.equals(n.status()) && !c.sendResolved()) {
      return false;
    }
    if (c instanceof ChannelConfig.Sms sms) {
      return n.alerts().stream().anyMatch(a -> sms.severities().contains(a.severity()));
    }
    return true;
  }

  /** Our base URL for links: configured, else the notification's, else localhost. */
  String baseUrl(Notification n) {
    if (!publicUrl.isEmpty()) {
      return publicUrl;
    }
    if (n.externalUrl() != null && !n.externalUrl().isEmpty()) {
      return n.externalUrl();
    }
    return "http://localhost:8080";
  }

  Payloads.Links links(Notification n) {
    String view =
        n.alerts().stream()
            .map(Alert::generatorUrl)
            .filter(u -> u != null && !u.isEmpty())
            .findFirst()
            .orElse(baseUrl(n));
    String ack = null;
    if (Alert.FIRING.equals(n.status())) {
      List<String> fps =
          n.alerts().stream()
              .filter(a -> Alert.FIRING.equals(a.status()))
              .map(Alert::fingerprint)
              .limit(MAX_LINK_FINGERPRINTS)
              .toList();
      if (!fps.isEmpty()) {
        ack = signer.link(baseUrl(n), "ack", fps, clock.instant().plus(linkTtl));
      }
    }
    return new Payloads.Links(view, ack);
  }

  Outcome deliver(ChannelConfig channel, Notification n) {
    try {
      return switch (channel) {
        case ChannelConfig.Email c -> email(c, n);
        case ChannelConfig.Slack c ->
            postJson(c.url(), Payloads.slack(n, c.channel(), links(n)), null);
        case ChannelConfig.Sms c -> sms(c, n);
        case ChannelConfig.Webhook c -> webhook(c, n);
        case ChannelConfig.PagerDuty c -> pagerDuty(c, n);
        case ChannelConfig.Log c -> {
          LOG.info(
              "notification for receiver {}: {} ({} alerts, group {})",
              n.receiver(),
              Payloads.title(n),
              n.alerts().size(),
              n.groupKey());
          yield Outcome.delivered(0);
        }
      };
    } catch (IOException e) {
      return new Outcome(Result.RETRY, 0, describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(Result.RETRY, 0, "interrupted");
    }
  }

  private Outcome webhook(ChannelConfig.Webhook c, Notification n)
      throws IOException, InterruptedException {
    byte[] body = bytes(Payloads.webhook(n, c.maxAlerts()));
    HttpRequest.Builder req = json(c.url(), body);
    if (c.hmacSecret() != null) {
      req.header(SIGNATURE_HEADER, "sha256=" + LinkSigner.hmacHex(c.hmacSecret(), body));
    }
    return send(req.build());
  }

  private Outcome pagerDuty(ChannelConfig.PagerDuty c, Notification n)
      throws IOException, InterruptedException {
    String action =
        switch (n.status()) {
          case Alert.RESOLVED -> "resolve";
          case ACKNOWLEDGED -> "acknowledge";
          default -> "trigger";
        };
    return postJson(c.url(), Payloads.pagerDuty(n, c, action, links(n)), null);
  }

  private Outcome sms(ChannelConfig.Sms c, Notification n)
      throws IOException, InterruptedException {
    String base = c.baseUrl().toString();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI uri =
        URI.create(
            base
                + "/2010-04-01/Accounts/"
                + URLEncoder.encode(c.accountSid(), StandardCharsets.UTF_8)
                + "/Messages.json");
    String form =
        "To="
            + URLEncoder.encode(c.to(), StandardCharsets.UTF_8)
            + "&From="
            + URLEncoder.encode(c.from(), StandardCharsets.UTF_8)
            + "&Body="
            + URLEncoder.encode(Payloads.sms(n, links(n)), StandardCharsets.UTF_8);
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (c.accountSid() + ":" + c.authToken()).getBytes(StandardCharsets.UTF_8));
    return send(
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + auth)
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build());
  }

  private Outcome email(ChannelConfig.Email c, Notification n) {
    Properties props = new Properties();
    props.put("mail.smtp.host", c.host());
    props.put("mail.smtp.port", Integer.toString(c.port()));
    String millis = Long.toString(timeout.toMillis());
    props.put("mail.smtp.connectiontimeout", millis);
    props.put("mail.smtp.timeout", millis);
    props.put("mail.smtp.writetimeout", millis);
    if (c.startTls()) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    boolean auth = c.username() != null;
    props.put("mail.smtp.auth", Boolean.toString(auth));
    Session session = Session.getInstance(props);
    try {
      MimeMessage msg = new MimeMessage(session);
      msg.setFrom(new InternetAddress(c.from()));
      for (String to : c.to()) {
        msg.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
      }
      msg.setSubject(Payloads.title(n), "UTF-8");
      msg.setSentDate(Date.from(clock.instant()));
      Payloads.Links links = links(n);
      MimeBodyPart text = new MimeBodyPart();
      text.setText(Payloads.emailText(n, links), "UTF-8", "plain");
      MimeBodyPart html = new MimeBodyPart();
      html.setText(Payloads.emailHtml(n, links), "UTF-8", "html");
      MimeMultipart alternative = new MimeMultipart("alternative");
      alternative.addBodyPart(text);
      alternative.addBodyPart(html);
      msg.setContent(alternative);
      if (auth) {
        Transport.send(msg, c.username(), c.password() == null ? "" : c.password());
      } else {
        Transport.send(msg);
      }
      return Outcome.delivered(250);
    } catch (jakarta.mail.internet.AddressException e) {
      return new Outcome(Result.FAILED, 0, "bad address: " + e.getMessage());
    } catch (MessagingException e) {
      return new Outcome(Result.RETRY, 0, "smtp: " + describe(e));
    }
  }

  private Outcome postJson(URI url, ObjectNode body, String signature)
      throws IOException, InterruptedException {
    return send(json(url, bytes(body)).build());
  }

  private HttpRequest.Builder json(URI url, byte[] body) {
    return HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "YumZoom-Ops-Alerting")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private Outcome send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Outcome.delivered(status);
    }
    String body = Payloads.cut(response.body() == null ? "" : response.body(), 200);
    Result result = status == 408 || status == 429 || status >= 500 ? Result.RETRY : Result.FAILED;
    return new Outcome(result, status, "HTTP " + status + (body.isEmpty() ? "" : ": " + body));
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return Payloads.JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    Throwable cause = e.getCause();
    if ((m == null || m.isEmpty()) && cause != null) {
      m = cause.toString();
    }
    return Payloads.cut(e.getClass().getSimpleName() + (m == null ? "" : ": " + m), 500);
  }
}
