package com.yumzoom.ops.ingest;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Request bodies, decompressed under the same size limit as on the wire: a gzip bomb of a few
 * kilobytes stops at {@code limit + 1} inflated bytes instead of filling the heap.
 */
public final class Bodies {

  /** Arrays cannot be longer; a configured limit above this is effectively this. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  private Bodies() {}

  /** Whether we can decode the request's Content-Encoding (none, identity or gzip). */
  public static boolean supportedEncoding(RequestHeaders headers) {
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    return encoding == null || isIdentity(encoding) || isGzip(encoding);
  }

  /**
   * The decoded body.
   *
   * @throws BodyTooLargeException when the body, before or after decompression, exceeds the limit
   * @throws IOException when the gzip stream is corrupt
   */
  public static byte[] read(RequestHeaders headers, byte[] content, long limit) throws IOException {
    long max = Math.min(limit, MAX_ARRAY);
    if (content.length > max) {
      throw new BodyTooLargeException(limit);
    }
    String encoding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    if (encoding != null && isGzip(encoding)) {
      return gunzip(content, max, limit);
    }
    return content;
  }

  private static byte[] gunzip(byte[] content, long max, long limit) throws IOException {
    int initial = (int) Math.min(max + 1, Math.max(8192L, content.length * 4L));
    byte[] buf = new byte[initial];
    int n = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content), 8192)) {
      while (true) {
        if (n == buf.length) {
          if (n > max) {
            throw new BodyTooLargeException(limit);
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
      throw new BodyTooLargeException(limit);
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  private static boolean isGzip(String encoding) {
    String e = encoding.trim().toLowerCase(Locale.ROOT);
    return e.equals("gzip") || e.equals("x-gzip");
  }

  private static boolean isIdentity(String encoding) {
    return encoding.trim().equalsIgnoreCase("identity");
  }

  /**
   * The raw body as it arrives, or a failure with {@link BodyTooLargeException} once it passes
   * {@code limit}; shared by every ingest endpoint (traces, metrics).
   */
  public static java.util.concurrent.CompletableFuture<byte[]> collect(
      com.linecorp.armeria.common.HttpRequest request,
      long limit,
      io.netty.util.concurrent.EventExecutor loop) {
    return BoundedBody.collect(request, limit, loop);
  }
}
