package com.yumzoom.ops.errors;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link ErrorCrashIT}: submits numbered batches of occurrences and prints
 * "acked N" once each is acknowledged, until it is killed (or, as a bound, after {@link
 * #MAX_BATCHES}).
 */
final class ErrorCrashWriter {

  static final int PER_BATCH = 50;
  static final int MAX_BATCHES = 5_000;

  private ErrorCrashWriter() {}

  static List<Occurrence> batch(int n) {
    List<Occurrence> out = new ArrayList<>();
    for (int i = 0; i < PER_BATCH; i++) {
      out.add(
          i % 2 == 0
              ? Occurrences.deadlock(n * PER_BATCH + i, 1_700_000_000_000L + n, "1." + n % 3)
              : Occurrences.npe(i, 1_700_000_000_000L + n, "1." + n % 3));
    }
    return out;
  }

  public static void main(String[] args) {
    ErrorTracking tracking =
        ErrorTracking.open(Path.of(args[0]), ErrorTracking.Settings.defaults(), Clock.systemUTC());
    for (int n = 0; n < MAX_BATCHES; n++) {
      tracking.pipeline().submit(batch(n)).join();
      System.out.println("acked " + n);
      System.out.flush();
    }
    tracking.close();
  }
}
