package com.yumzoom.ops.ingest;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Collects a request body, stopping at a limit with {@link BodyTooLargeException}.
 *
 * <p>Why not Armeria's own request length limit: when it trips while the body is streaming in,
 * Armeria answers 413 itself, in plain text, and our JSON (or {@code google.rpc.Status}) error
 * naming the limit never reaches the client. Here the limit is ours, so is the answer.
 */
final class BoundedBody implements Subscriber<HttpObject> {

  /** Arrays cannot be longer. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  private final long limit;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private byte[] buffer;
  private int length;
  private Subscription subscription;

  private final long configuredLimit;

  private BoundedBody(long limit, long contentLength) {
    this.configuredLimit = limit;
    this.limit = Math.min(limit, MAX_ARRAY);
    // Content-Length, when given, was already checked against the limit.
    this.buffer = new byte[(int) Math.min(contentLength > 0 ? contentLength : 8192, this.limit)];
  }

  /** The body, or a failure with {@link BodyTooLargeException} once it passes {@code limit}. */
  static CompletableFuture<byte[]> collect(HttpRequest request, long limit, EventExecutor loop) {
    BoundedBody body = new BoundedBody(limit, request.headers().contentLength());
    request.subscribe(body, loop);
    return body.result;
  }

  @Override
  public void onSubscribe(Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(HttpObject object) {
    if (!(object instanceof HttpData data) || result.isDone()) {
      return;
    }
    int n = data.length();
    if (length + (long) n > limit) {
      subscription.cancel();
      buffer = null;
      result.completeExceptionally(new BodyTooLargeException(configuredLimit));
      return;
    }
    if (length + n > buffer.length) {
      long grown = Math.max(length + (long) n, Math.min(limit, buffer.length * 2L));
      buffer = Arrays.copyOf(buffer, (int) grown);
    }
    System.arraycopy(data.array(), 0, buffer, length, n);
    length += n;
  }

  @Override
  public void onError(Throwable t) {
    buffer = null;
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    if (!result.isDone()) {
      result.complete(length == buffer.length ? buffer : Arrays.copyOf(buffer, length));
    }
  }
}
