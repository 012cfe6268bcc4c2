package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpikeDetectorTest {

  static long[] hours(long... counts) {
    long[] out = new long[24];
    System.arraycopy(counts, 0, out, 0, counts.length);
    return out;
  }

  static long[] flat(long perHour) {
    long[] out = new long[24];
    Arrays.fill(out, perHour);
    return out;
  }

  @Test
  void aBurstAgainstAQuietBaselineSpikes() {
    assertThat(SpikeDetector.isSpiking(50, flat(2))).isTrue();
    assertThat(SpikeDetector.isSpiking(10, new long[24])).isTrue();
  }

  @Test
  void fewEventsNeverSpike() {
    assertThat(SpikeDetector.isSpiking(9, new long[24])).isFalse();
  }

  @Test
  void aNoisyIssueAtItsUsualRateDoesNotSpike() {
    assertThat(SpikeDetector.isSpiking(1000, flat(1000))).isFalse();
    // within three deviations of a variable baseline
    long[] variable = new long[24];
    for (int i = 0; i < 24; i++) {
      variable[i] = i % 2 == 0 ? 100 : 300;
    }
    assertThat(SpikeDetector.isSpiking(450, variable)).isFalse();
    assertThat(SpikeDetector.isSpiking(520, variable)).isTrue();
  }

  @Test
  void aVeryRegularIssueNeedsTwiceItsMean() {
    // stddev 0: mean + 3 sd is the mean itself, the ratio guard keeps this from spiking
    assertThat(SpikeDetector.isSpiking(150, flat(100))).isFalse();
    assertThat(SpikeDetector.isSpiking(200, flat(100))).isTrue();
  }

  @Test
  void anOldIssueWakingUpSpikes() {
    assertThat(SpikeDetector.isSpiking(40, hours(5))).isTrue();
  }
}
