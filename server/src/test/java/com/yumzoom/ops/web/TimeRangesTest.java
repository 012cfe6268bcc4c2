package com.yumzoom.ops.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimeRangesTest {

  static final long NOW = 1_800_000_000_000L;

  @Test
  void parsesRelativeAbsoluteAndIsoTimes() {
    assertThat(TimeRanges.parse("now", NOW)).isEqualTo(NOW);
    assertThat(TimeRanges.parse("now-90m", NOW)).isEqualTo(NOW - 90 * 60_000L);
    assertThat(TimeRanges.parse("now-2d", NOW)).isEqualTo(NOW - 2 * 86_400_000L);
    assertThat(TimeRanges.parse("now-1w", NOW)).isEqualTo(NOW - 7 * 86_400_000L);
    assertThat(TimeRanges.parse("1700000000000", NOW)).isEqualTo(1_700_000_000_000L);
    assertThat(TimeRanges.parse("2023-11-14T22:13:20Z", NOW)).isEqualTo(1_700_000_000_000L);
    assertThat(TimeRanges.isRelative("now-1h")).isTrue();
    assertThat(TimeRanges.isRelative("1700000000000")).isFalse();
  }

  @Test
  void rejectsAnythingElseWithTheAllowedForms() {
    assertThatThrownBy(() -> TimeRanges.parse("yesterday", NOW))
        .hasMessage("must be now, now-<n><s|m|h|d|w>, epoch milliseconds or an ISO-8601 instant");
    assertThatThrownBy(() -> TimeRanges.parse("now-1y", NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refreshIntervals() {
    assertThat(TimeRanges.refreshMillis("off")).isZero();
    assertThat(TimeRanges.refreshMillis("")).isZero();
    assertThat(TimeRanges.refreshMillis("5s")).isEqualTo(5_000);
    assertThat(TimeRanges.refreshMillis("1m")).isEqualTo(60_000);
    assertThatThrownBy(() -> TimeRanges.refreshMillis("fast"))
        .hasMessage("must be off or <n><s|m|h>");
  }
}
