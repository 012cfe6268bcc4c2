package com.yumzoom.ops.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.CompletionException;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class BodiesTest {

  private static final RequestHeaders PLAIN = RequestHeaders.of(HttpMethod.POST, "/");
  private static final RequestHeaders GZIP =
      RequestHeaders.builder(HttpMethod.POST, "/").set("content-encoding", "gzip").build();

  @Test
  void inflatesUpToTheLimitAndNotOneByteMore() throws Exception {
    byte[] exactly = new byte[10_000];
    byte[] oneMore = new byte[10_001];

    assertThat(Bodies.read(GZIP, OtlpTestData.gzip(exactly), 10_000)).isEqualTo(exactly);
    assertThatThrownBy(() -> Bodies.read(GZIP, OtlpTestData.gzip(oneMore), 10_000))
        .isInstanceOf(BodyTooLargeException.class)
        .hasMessage(
            "request body is larger than the limit of 10000 bytes (ingest.max-body-bytes; counted"
                + " after decompression too)");
  }

  @Test
  void plainBodyOverTheLimitIsRefused() throws Exception {
    assertThat(Bodies.read(PLAIN, new byte[5], 5)).hasSize(5);
    assertThatThrownBy(() -> Bodies.read(PLAIN, new byte[6], 5))
        .isInstanceOf(BodyTooLargeException.class);
  }

  @Test
  void corruptGzipIsAZipException() {
    assertThatThrownBy(() -> Bodies.read(GZIP, new byte[] {1, 2, 3, 4}, 100))
        .isInstanceOf(ZipException.class);
  }

  @Test
  void knowsItsEncodings() {
    assertThat(Bodies.supportedEncoding(PLAIN)).isTrue();
    assertThat(Bodies.supportedEncoding(GZIP)).isTrue();
    assertThat(Bodies.supportedEncoding(header("x-gzip"))).isTrue();
    assertThat(Bodies.supportedEncoding(header("Identity"))).isTrue();
    assertThat(Bodies.supportedEncoding(header("br"))).isFalse();
    assertThat(Bodies.supportedEncoding(header("deflate"))).isFalse();
  }

  @Test
  void boundedBodyCollectsChunksWithinTheLimit() {
    HttpRequest request =
        HttpRequest.of(
            PLAIN, HttpData.wrap(new byte[] {1, 2}), HttpData.wrap(new byte[] {3, 4, 5}));

    byte[] body = BoundedBody.collect(request, 5, ImmediateEventExecutor.INSTANCE).join();

    assertThat(body).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void boundedBodyStopsAtTheLimit() {
    HttpRequest request =
        HttpRequest.of(
            PLAIN, HttpData.wrap(new byte[] {1, 2}), HttpData.wrap(new byte[] {3, 4, 5, 6}));

    assertThatThrownBy(
            () -> BoundedBody.collect(request, 5, ImmediateEventExecutor.INSTANCE).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(BodyTooLargeException.class);
  }

  private static RequestHeaders header(String encoding) {
    return RequestHeaders.builder(HttpMethod.POST, "/").set("content-encoding", encoding).build();
  }
}
