package com.yumzoom.ops.alert;

/**
 * Where the dispatcher hands notifications. The delivery side implements it with a persisted
 * outbox: {@link #send} returns once the notification is durably queued (it never performs the
 * network call itself) and throws only if it could not be queued, in which case the dispatcher
 * keeps the group due and tries again at its next flush.
 */
public interface NotificationSink {

  void send(Notification notification);
}
