package com.yumzoom.ops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.store.SpanConsumer;
import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TraceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroupCommitWriterTest {

  /** A consumer whose commits can be held back, so the test controls when a commit finishes. */
  static final class GatedConsumer implements SpanConsumer {
    final List<List<SpanRow>> commits = new CopyOnWriteArrayList<>();
    final Semaphore permits = new Semaphore(0);
    final CountDownLatch firstCommitStarted = new CountDownLatch(1);
    volatile RuntimeException failNext;

    @Override
    public void accept(List<SpanRow> spans) {
      firstCommitStarted.countDown();
      permits.acquireUninterruptibly();
      RuntimeException failure = failNext;
      if (failure != null) {
        failNext = null;
        throw failure;
      }
      commits.add(List.copyOf(spans));
    }
  }

  static List<SpanRow> spans(int n, long seed) {
    List<SpanRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new SpanRow(
              new TraceId(seed, i + 1),
              i + 1,
              0,
              "svc",
              "op",
              2,
              1_000L,
              10L,
              0,
              "\nk=v\n",
              new byte[0],
              new byte[] {1}));
    }
    return out;
  }

  @Test
  void acknowledgesOnlyAfterTheCommitAndGroupsWaitingRequests() throws Exception {
    GatedConsumer consumer = new GatedConsumer();
    try (GroupCommitWriter writer =
        new GroupCommitWriter(consumer, 1_000, 1_000, Duration.ofSeconds(2), System::nanoTime)) {
      CompletableFuture<Void> first = writer.submit(spans(3, 1));
      assertThat(consumer.firstCommitStarted.await(10, TimeUnit.SECONDS)).isTrue();
      // While the first commit is held, two more requests queue up.
      CompletableFuture<Void> second = writer.submit(spans(4, 2));
      CompletableFuture<Void> third = writer.submit(spans(5, 3));
      assertThat(first).isNotDone();
      assertThat(writer.queuedSpans()).isEqualTo(12);

      consumer.permits.release(2);
      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
      third.get(10, TimeUnit.SECONDS);

      assertThat(consumer.commits).hasSize(2);
      assertThat(consumer.commits.get(0)).hasSize(3);
      assertThat(consumer.commits.get(1)).hasSize(9); // second and third in one group commit
      assertThat(writer.queuedSpans()).isZero();
      assertThat(writer.committedSpans()).isEqualTo(12);
    }
  }

  @Test
  void rejectsWithRetryAfterWhenTheQueueIsFull() throws Exception {
    GatedConsumer consumer = new GatedConsumer();
    try (GroupCommitWriter writer =
        new GroupCommitWriter(consumer, 10, 100, Duration.ofSeconds(3), System::nanoTime)) {
      CompletableFuture<Void> accepted = writer.submit(spans(8, 1));
      CompletableFuture<Void> rejected = writer.submit(spans(3, 2));

      assertThat(rejected).isCompletedExceptionally();
      assertThatThrownBy(rejected::get)
          .hasCauseInstanceOf(OverloadedException.class)
          .cause()
          .hasMessageContaining("10 spans, pipeline.queue-max-spans");
      try {
        rejected.get();
      } catch (ExecutionException e) {
        assertThat(((OverloadedException) e.getCause()).retryAfter())
            .isEqualTo(Duration.ofSeconds(3));
      }
      assertThat(writer.rejectedSpans()).isEqualTo(3);

      consumer.permits.release(1);
      accepted.get(10, TimeUnit.SECONDS);
      assertThat(consumer.commits).hasSize(1).first().asList().hasSize(8);
    }
  }

  @Test
  void aFailedCommitFailsOnlyItsRequestsAndTheWorkerGoesOn() throws Exception {
    GatedConsumer consumer = new GatedConsumer();
    consumer.failNext = new IllegalStateException("disk full");
    try (GroupCommitWriter writer =
        new GroupCommitWriter(consumer, 100, 100, Duration.ofSeconds(1), System::nanoTime)) {
      CompletableFuture<Void> doomed = writer.submit(spans(2, 1));
      consumer.permits.release(1);
      assertThatThrownBy(() -> doomed.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("disk full");

      CompletableFuture<Void> next = writer.submit(spans(2, 2));
      consumer.permits.release(1);
      next.get(10, TimeUnit.SECONDS);
      assertThat(consumer.commits).hasSize(1);
      assertThat(writer.failedCommits()).isEqualTo(1);
      assertThat(writer.queuedSpans()).isZero();
    }
  }

  @Test
  void theAfterCommitListenerSeesCommittedBatchesOnlyAndCannotHurtTheWriter() throws Exception {
    GatedConsumer consumer = new GatedConsumer();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    try (GroupCommitWriter writer =
        new GroupCommitWriter(
            consumer,
            100,
            100,
            Duration.ofSeconds(1),
            System::nanoTime,
            committed -> {
              seen.add(committed.size());
              throw new IllegalStateException("listener bug");
            })) {
      consumer.failNext = new IllegalStateException("disk full");
      CompletableFuture<Void> failed = writer.submit(spans(2, 1));
      consumer.permits.release(1);
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("disk full");

      CompletableFuture<Void> ok = writer.submit(spans(3, 2));
      consumer.permits.release(1);
      ok.get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> again = writer.submit(spans(4, 3));
      consumer.permits.release(1);
      again.get(10, TimeUnit.SECONDS);
    }
    assertThat(seen).containsExactly(3, 4);
  }

  @Test
  void closeCommitsEverythingQueuedAndThenRefusesNewWork() throws Exception {
    GatedConsumer consumer = new GatedConsumer();
    GroupCommitWriter writer =
        new GroupCommitWriter(consumer, 1_000, 1_000, Duration.ofSeconds(1), System::nanoTime);
    CompletableFuture<Void> a = writer.submit(spans(5, 1));
    assertThat(consumer.firstCommitStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> b = writer.submit(spans(6, 2));
    consumer.permits.release(Integer.MAX_VALUE / 2);
    writer.close();

    assertThat(a).isCompleted();
    assertThat(b).isCompleted();
    assertThat(consumer.commits.stream().mapToInt(List::size).sum()).isEqualTo(11);
    assertThat(writer.submit(spans(1, 3))).isCompletedExceptionally();
  }
}
