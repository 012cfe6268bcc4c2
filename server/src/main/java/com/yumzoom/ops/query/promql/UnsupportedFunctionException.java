package com.yumzoom.ops.query.promql;

/** A function PromQL knows but this engine does not implement; names it for reports. */
public final class UnsupportedFunctionException extends RuntimeException {
  private final String function;

  UnsupportedFunctionException(String function) {
    super("unsupported function " + function);
    this.function = function;
  }

  public String function() {
    return function;
  }
}
