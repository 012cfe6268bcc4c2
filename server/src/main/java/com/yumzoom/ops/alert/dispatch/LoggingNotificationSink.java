package com.yumzoom.ops.alert.dispatch;

import com.yumzoom.ops.alert.Notification;
import com.yumzoom.ops.alert.NotificationSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs notifications; the sink until a delivery side is wired in. */
public final class LoggingNotificationSink implements NotificationSink {

  private static final Logger LOG = LoggerFactory.getLogger(LoggingNotificationSink.class);

  @Override
  public void send(Notification n) {
    LOG.info(
        "notification to {}: {} {} ({} alerts)",
        n.receiver(),
        n.status(),
        n.groupKey(),
        n.alerts().size());
  }
}
