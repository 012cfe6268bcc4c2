package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogfmtTest {

  @Test
  void parsesQuotedAndBareValuesInOrder() {
    assertThat(
            Logfmt.parse("service.name=\"api\" http.status_code=500 name=\"GET /x\" status=error"))
        .containsExactly(
            java.util.Map.entry("service.name", "api"),
            java.util.Map.entry("http.status_code", "500"),
            java.util.Map.entry("name", "GET /x"),
            java.util.Map.entry("status", "error"));
  }

  @Test
  void decodesEscapesInQuotedValues() {
    assertThat(Logfmt.parse("db.statement=\"select \\\"a\\\" from t\\\\x\\n\\u00e9\\/\""))
        .containsEntry("db.statement", "select \"a\" from t\\x\n\u00e9/");
  }

  @Test
  void toleratesSurroundingAndRepeatedWhiteSpace() {
    assertThat(Logfmt.parse("  a=1 \t\n b=\"two words\"  ")).containsOnlyKeys("a", "b");
    assertThat(Logfmt.parse("   ")).isEmpty();
  }

  @Test
  void valuesMayHoldEqualsSignsOnlyWhenQuoted() {
    assertThat(Logfmt.parse("q=\"a=b\"")).containsEntry("q", "a=b");
    assertThatThrownBy(() -> Logfmt.parse("q=a=b"))
        .hasMessage("unexpected '=' in value at position 3");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "a=1 a=2|tag 'a' is set twice",
        "flag|tag 'flag' has no value",
        "a= b=1|tag 'a' has an empty value",
        "a=\"\"|tag 'a' has an empty value",
        "=x|unexpected '=' at position 0",
        "a=\"open|unterminated quoted value starting at position 2",
        "a=\"x\"y|unexpected 'y' after quoted value at position 5",
        "a=\"\\q\"|invalid escape '\\q' at position 3",
        "k\"ey=1|unexpected '\"' in key at position 1",
      })
  void namesTheProblem(String text, String message) {
    assertThatThrownBy(() -> Logfmt.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
