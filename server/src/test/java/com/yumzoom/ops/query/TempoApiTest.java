package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.yumzoom.ops.store.TraceId;
import org.junit.jupiter.api.Test;

class TempoApiTest {

  @Test
  void traceIdsAreLeftPaddedHexAsInTempo() {
    assertThat(TempoApi.parseTraceId("0af7651916cd43dd8448eb211c80319c"))
        .isEqualTo(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c"));
    assertThat(TempoApi.parseTraceId("AF7651916CD43DD8448EB211C80319C"))
        .isEqualTo(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c"));
    assertThat(TempoApi.parseTraceId("8448eb211c80319c"))
        .isEqualTo(new TraceId(0, 0x8448eb211c80319cL));
    assertThat(TempoApi.parseTraceId("1")).isEqualTo(new TraceId(0, 1));
  }

  @Test
  void malformedTraceIdsNameTheParameter() {
    assertThatThrownBy(() -> TempoApi.parseTraceId("xyz"))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("parameter 'traceId' must be hexadecimal, got \"xyz\"");
    assertThatThrownBy(() -> TempoApi.parseTraceId("0".repeat(33)))
        .hasMessage("parameter 'traceId' must be 1 to 32 hexadecimal characters, got 33");
    assertThatThrownBy(() -> TempoApi.parseTraceId("000"))
        .hasMessage("parameter 'traceId' must not be all zeros");
  }

  @Test
  void resourceKeysFollowSemanticConventionNamespaces() {
    assertThat(TempoApi.isResourceKey("service.name")).isTrue();
    assertThat(TempoApi.isResourceKey("k8s.pod.name")).isTrue();
    assertThat(TempoApi.isResourceKey("http.method")).isFalse();
    assertThat(TempoApi.isResourceKey("db.system")).isFalse();
  }

  @Test
  void tagNamesEncodedTwiceAreDecoded() {
    assertThat(Params.decodeAgain("http.method")).isEqualTo("http.method");
    assertThat(Params.decodeAgain("my%20tag%2Bx")).isEqualTo("my tag+x");
    assertThat(Params.decodeAgain("a+b")).isEqualTo("a+b");
    assertThat(Params.decodeAgain("100%")).isEqualTo("100%");
    assertThat(Params.decodeAgain("caf%C3%A9")).isEqualTo("caf\u00e9");
  }
}
