package com.yumzoom.ops.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.yumzoom.ops.ingest.IngestStats.Outcome;
import com.yumzoom.ops.ingest.Responses.ErrorFormat;
import com.yumzoom.ops.ingest.Responses.Failure;
import com.yumzoom.ops.pipeline.OverloadedException;
import com.yumzoom.ops.pipeline.SpanSink;
import java.io.EOFException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request cycle shared by the HTTP ingest endpoints: admit (content type, encoding, a decode
 * permit) on the event loop, receive the body under the size limit, decompress and decode on the
 * blocking executor, hand the rows to the sink, and answer only when the sink says they are
 * durable. Nothing here waits: every step is a callback on the previous one's future.
 */
abstract class IngestHttpService implements HttpService {

  private static final Logger log = LoggerFactory.getLogger(IngestHttpService.class);

  /** A throttled client retries after this; short, because decoding slots free up quickly. */
  static final Duration DECODE_RETRY_AFTER = Duration.ofSeconds(1);

  /** After a storage failure, give the store a moment before the client retries. */
  static final Duration STORAGE_RETRY_AFTER = Duration.ofSeconds(5);

  /** The body encodings a subclass understands. */
  enum Format {
    PROTOBUF,
    JSON
  }

  private final SpanSink sink;
  private final IngestStats stats;
  private final DecodePermits permits;
  private final long maxBodyBytes;

  IngestHttpService(SpanSink sink, IngestStats stats, DecodePermits permits, long maxBodyBytes) {
    this.sink = sink;
    this.stats = stats;
    this.permits = permits;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The body format for this content type, or null if unsupported (415). */
  abstract Format format(MediaType contentType);

  /** What the 415 says is accepted. */
  abstract String supportedTypes();

  /** How errors are encoded for a request of this format (null: unsupported content type). */
  abstract ErrorFormat errorFormat(Format format);

  /** Decodes a (decompressed) body; runs on the blocking executor. */
  abstract DecodedSpans decode(byte[] body, Format format) throws Exception;

  /** The response once the spans are durable. */
  abstract HttpResponse success(DecodedSpans decoded, Format format);

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    RequestHeaders headers = req.headers();
    MediaType contentType = headers.contentType();
    Format format = format(contentType);
    if (format == null) {
      stats.record(Outcome.UNSUPPORTED);
      return Responses.error(
          errorFormat(null),
          Failure.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be " + supportedTypes() + ", got " + describe(contentType),
          null);
    }
    if (!Bodies.supportedEncoding(headers)) {
      stats.record(Outcome.UNSUPPORTED);
      return Responses.error(
          errorFormat(format),
          Failure.UNSUPPORTED_MEDIA_TYPE,
          "Content-Encoding must be gzip or identity, got "
              + headers.get(HttpHeaderNames.CONTENT_ENCODING),
          null);
    }
    if (headers.contentLength() > maxBodyBytes) {
      stats.record(Outcome.TOO_LARGE);
      return Responses.error(
          errorFormat(format), Failure.TOO_LARGE, LimitMessages.bodyTooLarge(maxBodyBytes), null);
    }
    DecodePermits.Permit permit = permits.tryAcquire();
    if (permit == null) {
      stats.record(Outcome.THROTTLED);
      return Responses.error(
          errorFormat(format),
          Failure.OVERLOADED,
          "too many requests are being decoded (" + permits.max() + "); retry later",
          DECODE_RETRY_AFTER);
    }
    // Whatever happens below, the permit goes back when the exchange ends.
    ctx.log().whenComplete().thenRun(permit::release);

    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    // The route has no length limit of its own; BoundedBody applies ours (see there why).
    BoundedBody.collect(req, maxBodyBytes, ctx.eventLoop())
        .handle(
            (raw, error) -> {
              if (error != null) {
                permit.release();
                response.complete(bodyFailure(error, format));
                return null;
              }
              try {
                ctx.blockingTaskExecutor()
                    .execute(() -> decodeAndSubmit(headers, raw, format, permit, response));
              } catch (RejectedExecutionException e) {
                permit.release();
                stats.record(Outcome.THROTTLED);
                response.complete(
                    Responses.error(
                        errorFormat(format),
                        Failure.OVERLOADED,
                        "no thread free to decode; retry later",
                        DECODE_RETRY_AFTER));
              }
              return null;
            });
    return HttpResponse.of(response);
  }

  private void decodeAndSubmit(
      RequestHeaders headers,
      byte[] raw,
      Format format,
      DecodePermits.Permit permit,
      CompletableFuture<HttpResponse> response) {
    DecodedSpans decoded;
    try {
      byte[] body = Bodies.read(headers, raw, maxBodyBytes);
      decoded = decode(body, format);
    } catch (Exception | StackOverflowError e) {
      response.complete(decodeFailure(e, format));
      return;
    } finally {
      permit.release();
    }
    if (decoded.rows().isEmpty()) {
      stats.accepted(0, decoded.rejectedSpans());
      response.complete(success(decoded, format));
      return;
    }
    CompletableFuture<Void> committed;
    try {
      committed = sink.submit(decoded.rows());
    } catch (RuntimeException e) {
      committed = CompletableFuture.failedFuture(e);
    }
    committed.whenComplete(
        (ignored, error) -> {
          try {
            if (error == null) {
              stats.accepted(decoded.rows().size(), decoded.rejectedSpans());
              response.complete(success(decoded, format));
            } else {
              response.complete(sinkFailure(error, format));
            }
          } catch (RuntimeException e) {
            // Never leave the client waiting for a response that cannot come.
            log.warn("Cannot answer an ingest request", e);
            response.complete(
                Responses.error(
                    errorFormat(format), Failure.INTERNAL, "cannot write the response", null));
          }
        });
  }

  /** The body could not be received: too large, or the client went away. */
  private HttpResponse bodyFailure(Throwable error, Format format) {
    Throwable e = unwrap(error);
    if (e instanceof BodyTooLargeException || e instanceof ContentTooLargeException) {
      return decodeFailure(e, format);
    }
    stats.record(Outcome.INVALID);
    log.debug("Ingest request body could not be received", e);
    return Responses.error(
        errorFormat(format), Failure.INVALID, "body could not be received: " + e, null);
  }

  private HttpResponse decodeFailure(Throwable error, Format format) {
    Throwable e = unwrap(error);
    ErrorFormat ef = errorFormat(format);
    if (e instanceof InvalidRequestException) {
      stats.record(Outcome.INVALID);
      return Responses.error(ef, Failure.INVALID, e.getMessage(), null);
    }
    if (e instanceof InvalidProtocolBufferException) {
      stats.record(Outcome.INVALID);
      return Responses.error(ef, Failure.INVALID, invalidBodyMessage(e, format), null);
    }
    if (e instanceof ZipException || e instanceof EOFException) {
      stats.record(Outcome.INVALID);
      return Responses.error(
          ef, Failure.INVALID, "body is not valid gzip: " + e.getMessage(), null);
    }
    if (e instanceof BodyTooLargeException || e instanceof ContentTooLargeException) {
      // (ContentTooLargeException only if a decorator set a request length limit.)
      stats.record(Outcome.TOO_LARGE);
      return Responses.error(ef, Failure.TOO_LARGE, LimitMessages.bodyTooLarge(maxBodyBytes), null);
    }
    if (e instanceof StackOverflowError) {
      stats.record(Outcome.INVALID);
      return Responses.error(ef, Failure.INVALID, "body is nested too deeply", null);
    }
    stats.record(Outcome.FAILED);
    log.warn("Cannot decode an ingest request", e);
    return Responses.error(ef, Failure.INTERNAL, "cannot decode the request: " + e, null);
  }

  private HttpResponse sinkFailure(Throwable error, Format format) {
    Throwable e = unwrap(error);
    if (e instanceof OverloadedException overloaded) {
      stats.record(Outcome.THROTTLED);
      return Responses.error(
          errorFormat(format), Failure.OVERLOADED, e.getMessage(), overloaded.retryAfter());
    }
    stats.record(Outcome.FAILED);
    log.warn("Spans could not be stored: {}", e.toString());
    return Responses.error(
        errorFormat(format),
        Failure.STORAGE_UNAVAILABLE,
        "spans could not be stored; retry later",
        STORAGE_RETRY_AFTER);
  }

  /** For a body the parser rejected: what we expected, and what the parser said. */
  String invalidBodyMessage(Throwable e, Format format) {
    return "body is not a valid request: " + e.getMessage();
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static String describe(MediaType contentType) {
    return contentType == null ? "none" : contentType.toString();
  }
}
