package com.yumzoom.ops.alert.dispatch;

/**
 * An Alertmanager-format configuration that cannot be applied; the message starts with the field.
 */
public final class DispatchConfigException extends RuntimeException {

  public DispatchConfigException(String field, String problem) {
    super(field + ": " + problem, null, false, false);
  }
}
