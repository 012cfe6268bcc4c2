package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "100ms, 100000000",
    "1.5s, 1500000000",
    "2m, 120000000000",
    "1h30m, 5400000000000",
    "2h45m10.5s, 9910500000000",
    "300us, 300000",
    "300\u00b5s, 300000",
    "300\u03bcs, 300000",
    "42ns, 42",
    ".5s, 500000000",
    "1.s, 1000000000",
    "+3s, 3000000000",
    "-1s, -1000000000",
    "1.0000000001s, 1000000000",
  })
  void parsesGoSyntax(String text, long nanos) {
    assertThat(GoDuration.parseNanos(text)).isEqualTo(nanos);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "ms", "-", "1..5s", "."})
  void refusesNonDurations(String text) {
    assertThatThrownBy(() -> GoDuration.parseNanos(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid duration \"" + text + "\"");
  }

  @ParameterizedTest
  @CsvSource({"100, missing unit in duration \"100\"", "5x, unknown unit \"x\" in duration \"5x\""})
  void namesTheProblem(String text, String message) {
    assertThatThrownBy(() -> GoDuration.parseNanos(text)).hasMessage(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"3000000h", "9223372036854775808ns"})
  void refusesOverflowInsteadOfWrapping(String text) {
    assertThatThrownBy(() -> GoDuration.parseNanos(text)).hasMessageContaining("out of range");
  }
}
