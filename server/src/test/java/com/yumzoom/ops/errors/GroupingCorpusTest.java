package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.errors.ErrorCorpus.Occurrence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pairwise precision and recall of grouping against the labelled corpus, ours and a naive baseline
 * (hash of the raw message) side by side.
 *
 * <p>Pairwise: over all pairs of occurrences, precision is the share of pairs we put in one group
 * that belong to one fault (low precision = over-grouping), recall the share of pairs of one fault
 * that we put in one group (low recall = under-grouping).
 */
class GroupingCorpusTest {

  /** A browser app must name its vendor bundle; everything else uses the defaults. */
  static final InAppRules RULES =
      new InAppRules(List.of(), concat(InAppRules.DEFAULT_EXCLUDES, List.of("static/js/vendor.")));

  static List<Occurrence> corpus;

  @BeforeAll
  static void generate() {
    corpus = new ErrorCorpus(20_261_122L).generate(CorpusFaults.ALL, 10, 24);
  }

  record Score(double precision, double recall, int groups) {}

  static Score score(List<Occurrence> occurrences, Function<Occurrence, String> grouper) {
    Map<String, Long> byLabel = new HashMap<>();
    Map<String, Long> byGroup = new HashMap<>();
    Map<String, Long> byBoth = new HashMap<>();
    for (Occurrence o : occurrences) {
      String group = grouper.apply(o);
      byLabel.merge(o.label(), 1L, Long::sum);
      byGroup.merge(group, 1L, Long::sum);
      byBoth.merge(o.label() + "\u0000" + group, 1L, Long::sum);
    }
    double together = pairs(byBoth);
    double predicted = pairs(byGroup);
    double actual = pairs(byLabel);
    return new Score(
        predicted == 0 ? 1 : together / predicted,
        actual == 0 ? 1 : together / actual,
        byGroup.size());
  }

  private static double pairs(Map<String, Long> counts) {
    double sum = 0;
    for (long n : counts.values()) {
      sum += n * (n - 1) / 2.0;
    }
    return sum;
  }

  @Test
  void corpusIsLargeAndVaried() {
    Set<String> labels = new HashSet<>();
    Map<String, Set<String>> texts = new HashMap<>();
    for (Occurrence o : corpus) {
      labels.add(o.label());
      texts.computeIfAbsent(o.label(), k -> new HashSet<>()).add(o.stackTrace());
    }
    assertThat(labels).hasSizeGreaterThanOrEqualTo(40);
    for (Platform p : Platform.values()) {
      assertThat(CorpusFaults.ALL.stream().filter(f -> f.platform() == p).count())
          .as("faults on %s", p)
          .isGreaterThanOrEqualTo(10);
    }
    // At least ten occurrences per fault, and they really differ from one another.
    assertThat(texts.values()).allSatisfy(t -> assertThat(t.size()).isGreaterThanOrEqualTo(8));
    assertThat(corpus.stream().collect(java.util.stream.Collectors.groupingBy(Occurrence::label)))
        .allSatisfy((label, list) -> assertThat(list).hasSizeGreaterThanOrEqualTo(10));
  }

  @Test
  void oursBeatsRawMessageBaselineAndReachesTargets() {
    Grouping grouping = Grouping.create(RULES, List.of());
    Score ours =
        score(corpus, o -> grouping.fingerprint(ErrorEvent.parse(o.stackTrace(), Map.of())).hash());
    Score baseline =
        score(corpus, o -> StackTraceParser.parse(o.stackTrace()).chain().getFirst().message());
    System.out.printf(
        "errors corpus: %d occurrences, %d faults%n"
            + "  ours:     precision %.4f recall %.4f (%d groups)%n"
            + "  baseline: precision %.4f recall %.4f (%d groups)%n",
        corpus.size(),
        CorpusFaults.ALL.size(),
        ours.precision(),
        ours.recall(),
        ours.groups(),
        baseline.precision(),
        baseline.recall(),
        baseline.groups());
    if (ours.precision() < 0.98 || ours.recall() < 0.98) {
      printConfusion(grouping);
    }
    assertThat(ours.precision()).isGreaterThanOrEqualTo(0.98);
    assertThat(ours.recall()).isGreaterThanOrEqualTo(0.98);
    // The baseline fails on both counts: confusers merge, dynamic parts split.
    assertThat(ours.precision()).isGreaterThan(baseline.precision());
    assertThat(ours.recall()).isGreaterThan(baseline.recall());
  }

  @Test
  void corpusDefeatsGroupingOnRawFrames() {
    // Ablation: hashing every frame with its line number, as a naive stack hash would, must lose
    // recall on this corpus; otherwise the corpus would not exercise what it claims to.
    Score rawFrames =
        score(
            corpus,
            o -> {
              ExceptionRecord e = StackTraceParser.parse(o.stackTrace()).rootCause();
              return e.type() + e.frames();
            });
    System.out.printf(
        "  raw stack hash: precision %.4f recall %.4f (%d groups)%n",
        rawFrames.precision(), rawFrames.recall(), rawFrames.groups());
    assertThat(rawFrames.recall()).isLessThan(0.2);
  }

  @Test
  void everyConfuserPairIsSeparatedAndTheBaselineMergesIt() {
    Grouping grouping = Grouping.create(RULES, List.of());
    Map<String, Set<String>> groupsByLabel = new HashMap<>();
    for (Occurrence o : corpus) {
      groupsByLabel
          .computeIfAbsent(o.label(), k -> new HashSet<>())
          .add(grouping.fingerprint(ErrorEvent.parse(o.stackTrace(), Map.of())).hash());
    }
    List<List<String>> confusers =
        List.of(
            List.of("j-npe-profile", "j-npe-address"),
            List.of("j-amount-payment", "j-amount-refund"),
            List.of("js-cart-undefined", "js-profile-undefined"),
            List.of("py-keyerror-session", "py-keyerror-audit"));
    Map<String, Set<String>> messagesByLabel = new HashMap<>();
    for (Occurrence o : corpus) {
      messagesByLabel
          .computeIfAbsent(o.label(), k -> new HashSet<>())
          .add(StackTraceParser.parse(o.stackTrace()).chain().getFirst().message());
    }
    for (List<String> pair : confusers) {
      assertThat(messagesByLabel.get(pair.get(0)))
          .as("baseline merges %s", pair)
          .containsAnyElementsOf(messagesByLabel.get(pair.get(1)));
      assertThat(groupsByLabel.get(pair.get(0)))
          .doesNotContainAnyElementsOf(groupsByLabel.get(pair.get(1)));
    }
    for (String label : List.of("j-order-transition", "j-validation-signup", "py-int-parse")) {
      assertThat(groupsByLabel.get(label)).as(label).hasSize(1);
    }
  }

  private static void printConfusion(Grouping grouping) {
    Map<String, Set<String>> groupsByLabel = new HashMap<>();
    Map<String, Set<String>> labelsByGroup = new HashMap<>();
    for (Occurrence o : corpus) {
      Fingerprint f = grouping.fingerprint(ErrorEvent.parse(o.stackTrace(), Map.of()));
      groupsByLabel
          .computeIfAbsent(o.label(), k -> new HashSet<>())
          .add(f.hash() + " " + f.title());
      labelsByGroup.computeIfAbsent(f.hash(), k -> new HashSet<>()).add(o.label());
    }
    groupsByLabel.forEach(
        (label, groups) -> {
          if (groups.size() > 1) {
            System.out.println("split " + label + " " + groups);
          }
        });
    labelsByGroup.forEach(
        (group, labels) -> {
          if (labels.size() > 1) {
            System.out.println("merged " + group + " " + labels);
          }
        });
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
