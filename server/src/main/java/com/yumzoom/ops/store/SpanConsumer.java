package com.yumzoom.ops.store;

import java.util.List;

/** Writes spans. */
public interface SpanConsumer {

  /**
   * Persists every span in one transaction: when this returns, all of them are durable (they
   * survive a crash of the process); when it throws, none of them are visible.
   */
  void accept(List<SpanRow> spans);
}
