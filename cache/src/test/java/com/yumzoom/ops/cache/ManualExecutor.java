package com.yumzoom.ops.cache;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** Queues tasks until the test runs them, so background work happens at a chosen moment. */
public final class ManualExecutor implements Executor {
  private final Queue<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable command) {
    tasks.add(command);
  }

  public synchronized int pending() {
    return tasks.size();
  }

  /** Runs queued tasks (and any they queue) until none is left; bounded. */
  public void runAll() {
    for (int i = 0; i < 10_000; i++) {
      Runnable r;
      synchronized (this) {
        r = tasks.poll();
      }
      if (r == null) {
        return;
      }
      r.run();
    }
    throw new AssertionError("tasks keep queueing more tasks");
  }
}
