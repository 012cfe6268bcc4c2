package com.yumzoom.ops.alert.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery store's transactions and group commit on a real DuckDB file. */
class DeliveryStoreIT {

  @TempDir Path dir;

  static final String INSERT =
      "INSERT INTO incident_events VALUES (?, 0, 'note', ?)"; // a table with no other writers here

  long count(DeliveryStore store) {
    return store.queryOne("SELECT count(*) FROM incident_events", rs -> rs.getLong(1));
  }

  @Test
  void aGroupCommitFailsOnlyTheBadWorkAndKeepsTheRest() throws Exception {
    try (DeliveryStore store = DeliveryStore.open(dir)) {
      int threads = 8;
      CountDownLatch start = new CountDownLatch(1);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<Thread> started = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        started.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        start.await();
                        store.batched(
                            () -> {
                              store.update(INSERT, (long) n, "work " + n);
                              if (n == 3) {
                                throw new IllegalStateException("bad work " + n);
                              }
                            });
                      } catch (Throwable t) {
                        failures.add(t);
                      }
                    }));
      }
      start.countDown();
      for (Thread t : started) {
        t.join(30_000);
      }
      assertThat(failures)
          .singleElement()
          .hasToString("java.lang.IllegalStateException: bad work 3");
      assertThat(count(store)).isEqualTo(threads - 1);
      assertThat(
              store.query(
                  "SELECT incident_id FROM incident_events ORDER BY 1", rs -> rs.getLong(1)))
          .containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 7L);
    }
  }

  @Test
  void afterCommitHooksRunOnlyForCommittedWorkAndNestedTransactionsJoin() {
    try (DeliveryStore store = DeliveryStore.open(dir)) {
      List<String> hooks = new ArrayList<>();
      assertThatThrownBy(
              () ->
                  store.transaction(
                      () -> {
                        store.update(INSERT, 1L, "rolled back");
                        store.afterCommit(() -> hooks.add("never"));
                        store.transaction(
                            () -> {
                              store.update(INSERT, 2L, "inner, rolled back with the outer");
                              return null;
                            });
                        throw new IllegalArgumentException("fail");
                      }))
          .hasMessage("fail");
      assertThat(count(store)).isZero();
      assertThat(hooks).isEmpty();

      store.transaction(
          () -> {
            store.update(INSERT, 3L, "kept");
            store.afterCommit(() -> hooks.add("ran"));
            assertThat(hooks).as("not before the commit").isEmpty();
            return null;
          });
      assertThat(hooks).containsExactly("ran");
      assertThat(count(store)).isEqualTo(1);
    }
  }
}
