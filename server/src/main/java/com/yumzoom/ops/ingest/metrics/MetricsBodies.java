package com.yumzoom.ops.ingest.metrics;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpObject;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Request bodies under a size limit, on the wire and again after gzip. A copy of trace ingest's
 * package-private BoundedBody and Bodies (this package cannot see them); the limit is ours, not
 * Armeria's, so a too-large body gets our JSON or {@code google.rpc.Status} 413 and not Armeria's
 * plain-text one.
 */
final class MetricsBodies {

  private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  /** The body passed the limit. */
  static final class TooLargeException extends IOException {
    TooLargeException(long limit) {
      super("request body is larger than the limit of " + limit + " bytes (ingest.max-body-bytes)");
    }
  }

  private MetricsBodies() {}

  static boolean supportedEncoding(RequestHeaders headers) {
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    return encoding == null || encoding.trim().equalsIgnoreCase("identity") || isGzip(encoding);
  }

  /** The raw body, or a failure with {@link TooLargeException} once it passes {@code limit}. */
  static CompletableFuture<byte[]> collect(HttpRequest request, long limit, EventExecutor loop) {
    Collector c = new Collector(limit, request.headers().contentLength());
    request.subscribe(c, loop);
    return c.result;
  }

  /** The decompressed body, under the same limit. */
  static byte[] decode(RequestHeaders headers, byte[] content, long limit) throws IOException {
    long max = Math.min(limit, MAX_ARRAY);
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding == null || !isGzip(encoding)) {
      return content;
    }
    byte[] buf = new byte[(int) Math.min(max + 1, Math.max(8192L, content.length * 4L))];
    int n = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content), 8192)) {
      while (true) {
        if (n == buf.length) {
          if (n > max) {
            throw new TooLargeException(limit);
          }
          buf = Arrays.copyOf(buf, (int) Math.min(max + 1, buf.length * 2L));
        }
        int read = in.read(buf, n, buf.length - n);
        if (read < 0) {
          break;
        }
        n += read;
      }
    }
    if (n > max) {
      throw new TooLargeException(limit);
    }
    return Arrays.copyOf(buf, n);
  }

  private static boolean isGzip(String encoding) {
    String e = encoding.trim().toLowerCase(Locale.ROOT);
    return e.equals("gzip") || e.equals("x-gzip");
  }

  private static final class Collector implements Subscriber<HttpObject> {
    private final long configuredLimit;
    private final long limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private byte[] buffer;
    private int length;
    private Subscription subscription;

    Collector(long limit, long contentLength) {
      this.configuredLimit = limit;
      this.limit = Math.min(limit, MAX_ARRAY);
      this.buffer = new byte[(int) Math.min(contentLength > 0 ? contentLength : 8192, this.limit)];
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
        result.completeExceptionally(new TooLargeException(configuredLimit));
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
}
