/**
 * Alerting and incident response (issue 4). This package holds the contract between the rule side
 * ({@code alert.rules}: rules, evaluation, state history; {@code alert.dispatch}: routing,
 * grouping, silences, inhibition) and the delivery side ({@code alert.delivery}: channels, outbox,
 * escalation, incidents, remediation): the {@link com.yumzoom.ops.alert.Notification} records and
 * the {@link com.yumzoom.ops.alert.NotificationSink} between them.
 */
package com.yumzoom.ops.alert;
