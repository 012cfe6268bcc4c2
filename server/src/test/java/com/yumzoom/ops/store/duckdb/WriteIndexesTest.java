package com.yumzoom.ops.store.duckdb;

import static com.yumzoom.ops.store.TestSpans.BASE;
import static com.yumzoom.ops.store.TestSpans.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.store.SpanRow;
import com.yumzoom.ops.store.TestSpans;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteIndexesTest {

  private static SpanRow row(long n, long start, String key, String value) {
    return TestSpans.span(TestSpans.traceId(n), 1)
        .service("svc")
        .name("op")
        .start(start)
        .attr(key, value)
        .build();
  }

  @Test
  void steadyTrafficStagesNothingNew() {
    WriteIndexes indexes = new WriteIndexes();
    List<SpanRow> batch = List.of(row(1, BASE, "k", "v"), row(2, BASE + 1, "k", "v"));

    WriteIndexes.Staged first = indexes.stage(batch);
    assertThat(first.names())
        .containsExactly(new WriteIndexes.Name(WriteIndexes.bucket(BASE), "svc", "op"));
    assertThat(first.tags())
        .extracting(WriteIndexes.Tag::key, WriteIndexes.Tag::value)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("service.name", "svc"),
            org.assertj.core.groups.Tuple.tuple("k", "v"));
    assertThat(first.envelopes()).hasSize(1);
    assertThat(first.envelopeIds()).containsOnly(first.envelopes().keySet().iterator().next());

    WriteIndexes.Staged again = indexes.stage(batch);
    assertThat(again.names()).isEmpty();
    assertThat(again.tags()).isEmpty();
    assertThat(again.envelopes()).isEmpty();
    assertThat(again.envelopeIds()).isEqualTo(first.envelopeIds());

    // a new hour bucket records the pairs again
    assertThat(indexes.stage(List.of(row(3, BASE + HOUR, "k", "v"))).tags()).hasSize(2);
    // after clear (a failed commit), everything is staged again
    indexes.clear();
    assertThat(indexes.stage(batch).tags()).hasSize(2);
  }

  @Test
  void aKeyStopsAddingValuesAtTheCap() {
    WriteIndexes indexes = new WriteIndexes();
    List<SpanRow> rows = new ArrayList<>();
    for (int i = 0; i < WriteIndexes.MAX_VALUES_PER_KEY + 50; i++) {
      rows.add(row(i, BASE, "request.id", "r-" + i));
    }
    List<WriteIndexes.Tag> staged = indexes.stage(rows).tags();
    assertThat(staged.stream().filter(t -> t.key().equals("request.id")))
        .hasSize(WriteIndexes.MAX_VALUES_PER_KEY);
    // other keys are unaffected
    assertThat(indexes.stage(List.of(row(9, BASE, "color", "red"))).tags())
        .extracting(WriteIndexes.Tag::key)
        .containsExactly("color");
  }

  @Test
  void aBucketStopsAddingKeysAtTheCap() {
    WriteIndexes indexes = new WriteIndexes();
    List<SpanRow> rows = new ArrayList<>();
    for (int i = 0; i < WriteIndexes.MAX_KEYS_PER_BUCKET + 10; i++) {
      rows.add(row(i, BASE, "key." + i, "v"));
    }
    List<WriteIndexes.Tag> staged = indexes.stage(rows).tags();
    assertThat(staged.stream().map(WriteIndexes.Tag::key).distinct())
        .hasSize(WriteIndexes.MAX_KEYS_PER_BUCKET);
  }

  @Test
  void envelopeIdsAreContentHashes() {
    byte[] a = {1, 2, 3};
    assertThat(WriteIndexes.hash64(a)).isEqualTo(WriteIndexes.hash64(new byte[] {1, 2, 3}));
    assertThat(WriteIndexes.hash64(a)).isNotEqualTo(WriteIndexes.hash64(new byte[] {1, 2, 4}));
    assertThat(WriteIndexes.hash64(new byte[0])).isNotEqualTo(WriteIndexes.hash64(new byte[1]));
  }

  @Test
  void rangeSetFindsSubstringsWithoutCuttingThem() {
    RangeSet set = new RangeSet();
    for (int i = 0; i < 1000; i++) {
      assertThat(set.add("line-" + i)).isTrue();
    }
    assertThat(set.add("line-7")).isFalse();
    assertThat(set.size()).isEqualTo(1000);
    String text = "\nline-7\nline-1000\nline-999\n";
    assertThat(set.contains(text, 1, 7)).isTrue();
    assertThat(set.contains(text, 8, 17)).isFalse();
    assertThat(set.contains(text, 18, 26)).isTrue();
    assertThat(set.contains(text, 1, 6)).isFalse();
    set.clear();
    assertThat(set.contains(text, 1, 7)).isFalse();
  }
}
