package com.yumzoom.ops.cache.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.cache.http.Conditional.Headers;
import com.yumzoom.ops.cache.http.Conditional.Outcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HttpCachingTest {
  private final ETag menuV1 = ETag.strong("menu v1".getBytes());
  private final Instant modified = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void cacheControlWritesCdnFriendlyDirectives() {
    String v =
        CacheControl.publicFor(Duration.ofMinutes(1))
            .withSharedMaxAge(Duration.ofMinutes(10))
            .withStaleWhileRevalidate(Duration.ofSeconds(30))
            .withStaleIfError(Duration.ofDays(1))
            .toHeaderValue();
    assertThat(v)
        .isEqualTo(
            "public, max-age=60, s-maxage=600, stale-while-revalidate=30, stale-if-error=86400");
    assertThat(CacheControl.immutableAsset().toHeaderValue())
        .isEqualTo("public, max-age=31536000, immutable");
    assertThat(CacheControl.noStoreAtAll().toHeaderValue()).isEqualTo("private, no-store");
    assertThat(CacheControl.revalidateAlways().toHeaderValue()).isEqualTo("no-cache");
  }

  @Test
  void cacheControlParsesWhatItWritesAndToleratesJunk() {
    CacheControl c =
        CacheControl.privateFor(Duration.ofSeconds(5))
            .withStaleIfError(Duration.ofSeconds(9))
            .withMustRevalidate();
    assertThat(CacheControl.parse(c.toHeaderValue())).isEqualTo(c);

    CacheControl junk = CacheControl.parse("PUBLIC, max-age=\"120\", s-maxage=abc, foo=bar,,");
    assertThat(junk.visibility()).isEqualTo(CacheControl.Visibility.PUBLIC);
    assertThat(junk.maxAge()).isEqualTo(Duration.ofMinutes(2));
    assertThat(junk.sharedMaxAge()).isNull();
    assertThat(CacheControl.parse("no-store, max-age=60").maxAge()).isNull();
  }

  @Test
  void cacheControlRejectsContradictions() {
    assertThatThrownBy(
            () ->
                new CacheControl(
                    CacheControl.Visibility.PUBLIC,
                    true,
                    false,
                    Duration.ofSeconds(1),
                    null,
                    null,
                    null,
                    false,
                    false))
        .hasMessage("cacheControl.no-store contradicts max-age");
    assertThatThrownBy(() -> CacheControl.publicFor(Duration.ofSeconds(-1)))
        .hasMessage("cacheControl.max-age negative");
  }

  @Test
  void etagsAreStableAndCompareStronglyOrWeakly() {
    assertThat(ETag.strong("menu v1".getBytes())).isEqualTo(menuV1);
    assertThat(ETag.strong("menu v2".getBytes())).isNotEqualTo(menuV1);
    assertThat(menuV1.toHeaderValue()).matches("\"[A-Za-z0-9_-]{22}\"");
    ETag weak = new ETag(menuV1.opaque(), true);
    assertThat(weak.toHeaderValue()).startsWith("W/\"");
    assertThat(weak.weakMatch(menuV1)).isTrue();
    assertThat(weak.strongMatch(menuV1)).isFalse();
    assertThat(menuV1.strongMatch(menuV1)).isTrue();
  }

  @Test
  void etagListsParseWithWeakMembersStarAndGarbage() {
    assertThat(ETag.parseList("\"a\", W/\"b\" ,junk, \"c\""))
        .containsExactly(new ETag("a", false), new ETag("b", true), new ETag("c", false));
    assertThat(ETag.parseList(" * ")).isNull();
    assertThat(ETag.parseList(null)).isEmpty();
    assertThat(ETag.parseList("\"unterminated")).isEmpty();
  }

  @Test
  void matchingIfNoneMatchAnswers304EvenForAWeakCopy() {
    String header = "\"other\", W/" + menuV1.toHeaderValue();
    assertThat(Conditional.evaluate("GET", Headers.of(header, null), menuV1, modified))
        .isEqualTo(Outcome.NOT_MODIFIED);
    assertThat(Conditional.evaluate("GET", Headers.of("\"other\"", null), menuV1, modified))
        .isEqualTo(Outcome.PROCEED);
    assertThat(Conditional.evaluate("PUT", Headers.of("*", null), menuV1, modified))
        .isEqualTo(Outcome.PRECONDITION_FAILED);
  }

  @Test
  void ifModifiedSinceIsIgnoredWhenIfNoneMatchIsPresent() {
    String later = Conditional.formatHttpDate(modified.plusSeconds(3600));
    assertThat(Conditional.evaluate("GET", Headers.of(null, later), menuV1, modified))
        .isEqualTo(Outcome.NOT_MODIFIED);
    assertThat(Conditional.evaluate("GET", Headers.of("\"stale\"", later), menuV1, modified))
        .isEqualTo(Outcome.PROCEED);
    String earlier = Conditional.formatHttpDate(modified.minusSeconds(1));
    assertThat(Conditional.evaluate("GET", Headers.of(null, earlier), menuV1, modified))
        .isEqualTo(Outcome.PROCEED);
    assertThat(Conditional.evaluate("GET", Headers.of(null, "yesterday"), menuV1, modified))
        .isEqualTo(Outcome.PROCEED);
  }

  @Test
  void ifMatchNeedsAStrongMatch() {
    Headers weakCopy = new Headers("W/" + menuV1.toHeaderValue(), null, null, null);
    Headers strong = new Headers(menuV1.toHeaderValue(), null, null, null);
    assertThat(Conditional.evaluate("PUT", weakCopy, menuV1, modified))
        .isEqualTo(Outcome.PRECONDITION_FAILED);
    assertThat(Conditional.evaluate("PUT", strong, menuV1, modified)).isEqualTo(Outcome.PROCEED);
    assertThat(Conditional.evaluate("PUT", new Headers("*", null, null, null), null, null))
        .isEqualTo(Outcome.PRECONDITION_FAILED);
    Headers unmodifiedSince =
        new Headers(null, null, null, Conditional.formatHttpDate(modified.minusSeconds(60)));
    assertThat(Conditional.evaluate("DELETE", unmodifiedSince, menuV1, modified))
        .isEqualTo(Outcome.PRECONDITION_FAILED);
  }

  @Test
  void httpDatesRoundTripAtSecondResolution() {
    Instant t = Instant.parse("2026-03-01T10:00:00.750Z");
    assertThat(Conditional.formatHttpDate(t)).isEqualTo("Sun, 01 Mar 2026 10:00:00 GMT");
    assertThat(Conditional.httpDate("Sun, 01 Mar 2026 10:00:00 GMT"))
        .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
  }

  @Test
  void varyMergesCaseInsensitivelyAndStarWins() {
    assertThat(Vary.merge("Accept-Encoding", "accept-encoding", "Accept-Language"))
        .isEqualTo("Accept-Encoding, Accept-Language");
    assertThat(Vary.merge(null, "Origin")).isEqualTo("Origin");
    assertThat(Vary.merge("Origin", "*")).isEqualTo("*");
    assertThatThrownBy(() -> Vary.merge(null, "Bad Header"))
        .hasMessage("vary header name 'Bad Header' is not a token");
  }
}
