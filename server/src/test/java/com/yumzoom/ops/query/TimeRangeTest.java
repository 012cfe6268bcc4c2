package com.yumzoom.ops.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.QueryParams;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimeRangeTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-01-15T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void readsUnixSecondsFractionsAndRfc3339() {
    assertThat(TimeRange.instantNanos("start", "1736942400")).isEqualTo(1_736_942_400_000_000_000L);
    assertThat(TimeRange.instantNanos("start", "1736942400.25"))
        .isEqualTo(1_736_942_400_250_000_000L);
    assertThat(TimeRange.instantNanos("start", "2025-01-15T12:00:00Z"))
        .isEqualTo(1_736_942_400_000_000_000L);
    assertThat(TimeRange.instantNanos("start", "2025-01-15T13:00:00.5+01:00"))
        .isEqualTo(1_736_942_400_500_000_000L);
  }

  @Test
  void defaultsAreRelativeToTheClock() {
    TimeRange r = TimeRange.parse(QueryParams.of(), CLOCK, Duration.ofMinutes(15));
    assertThat(r.endNanos()).isEqualTo(1_736_942_400_000_000_000L);
    assertThat(r.seconds()).isEqualTo(900.0);
    TimeRange onlyEnd =
        TimeRange.parse(QueryParams.of("end", "1736942400"), CLOCK, Duration.ofMinutes(1));
    assertThat(onlyEnd.startNanos()).isEqualTo(1_736_942_340_000_000_000L);
  }

  @Test
  void refusesWhatIsNotATime() {
    assertThatThrownBy(() -> TimeRange.instantNanos("end", "1.2.3"))
        .hasMessage("parameter 'end' must be unix seconds or an RFC 3339 timestamp, got \"1.2.3\"");
    assertThatThrownBy(() -> TimeRange.instantNanos("end", "-5"))
        .hasMessageStartingWith("parameter 'end' must be unix seconds");
    assertThatThrownBy(() -> TimeRange.instantNanos("end", "99999999999999999999"))
        .hasMessage("parameter 'end' is out of range: 99999999999999999999");
    assertThatThrownBy(() -> TimeRange.instantNanos("start", "1969-12-31T00:00:00Z"))
        .hasMessage("parameter 'start' is out of range: 1969-12-31T00:00:00Z");
  }
}
