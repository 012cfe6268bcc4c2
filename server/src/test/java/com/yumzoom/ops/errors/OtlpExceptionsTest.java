package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpExceptionsTest {
  private static final Map<String, String> TIMEOUT =
      Map.of("exception.type", "java.net.SocketTimeoutException", "exception.message", "timed out");

  @Test
  void theSpanEventAndTheLogRecordOfOneFailureShareAnId() {
    String trace = "0af7651916cd43dd8448eb211c80319c";
    String span = "b7ad6b7169203331";
    byte[] fromSpanEvent = OtlpExceptions.occurrenceSeed(trace, span, TIMEOUT, trace, span, "0");
    byte[] fromLog =
        OtlpExceptions.occurrenceSeed(trace, span, TIMEOUT, trace, span, "1732280000", "3");

    assertThat(fromLog).isEqualTo(fromSpanEvent);
  }

  @Test
  void differentFailuresInOneSpanKeepDifferentIds() {
    String trace = "0af7651916cd43dd8448eb211c80319c";
    String span = "b7ad6b7169203331";
    Map<String, String> refused =
        Map.of("exception.type", "java.net.ConnectException", "exception.message", "refused");

    assertThat(OtlpExceptions.occurrenceSeed(trace, span, TIMEOUT, "a"))
        .isNotEqualTo(OtlpExceptions.occurrenceSeed(trace, span, refused, "a"));
  }

  @Test
  void withoutASpanContextTheFallbackPartsDecide() {
    assertThat(OtlpExceptions.occurrenceSeed("", "", TIMEOUT, "log", "1"))
        .isNotEqualTo(OtlpExceptions.occurrenceSeed("", "", TIMEOUT, "log", "2"));
  }
}
