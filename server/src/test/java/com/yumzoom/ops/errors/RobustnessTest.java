package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.yumzoom.ops.errors.ErrorCorpus.Occurrence;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Traces arrive truncated, mangled and mixed with logs; parsing and grouping must never throw. */
class RobustnessTest {

  @Test
  void truncatedAndMangledTracesStillParseAndGroup() {
    List<Occurrence> corpus = new ErrorCorpus(7L).generate(CorpusFaults.ALL, 2, 2);
    Random random = new Random(42);
    Grouping grouping = Grouping.defaults();
    int parsed = 0;
    for (Occurrence o : corpus) {
      String t = o.stackTrace();
      List<String> variants =
          List.of(
              t.substring(0, random.nextInt(t.length())),
              t.substring(random.nextInt(t.length())),
              t.replace('\t', ' ').replace("\n", "\r\n"),
              t.replace("(", "").replace(":", ""),
              mutate(t, random),
              "\u0000" + t + "\uFFFF");
      for (String v : variants) {
        Fingerprint f = grouping.fingerprint(ErrorEvent.parse(v, Map.of()));
        assertThat(f.hash()).hasSize(32);
        assertThat(Categorizer.categorize(StackTraceParser.parse(v))).isNotNull();
        parsed++;
      }
    }
    assertThat(parsed).isEqualTo(corpus.size() * 6);
  }

  @Test
  void hugeInputsAreBounded() {
    String frames = "\tat com.acme.A.f(A.java:1)\n".repeat(5_000);
    ParsedStackTrace t = StackTraceParser.parse("java.lang.StackOverflowError\n" + frames);
    assertThat(t.rootCause().frames()).hasSize(ExceptionRecord.MAX_FRAMES);
    String longName = "\tat com.acme." + "x".repeat(3_000) + ".f(A.java:1)\n";
    assertThat(StackTraceParser.parse("java.lang.Error\n" + longName).rootCause().frames())
        .singleElement()
        .satisfies(f -> assertThat(f.module()).hasSize(StackFrame.MAX_TEXT));
    assertThat(MessageNormalizer.normalize("id 1 ".repeat(2_000)))
        .hasSizeLessThanOrEqualTo(MessageNormalizer.MAX_INPUT * 2);
  }

  @Test
  void javaTracesWithTabsTurnedIntoSpacesStillGroupTogether() {
    String tabs =
        "java.lang.IllegalStateException: x 1\n\tat com.acme.A.f(A.java:1)\n\tat java.lang.Thread.run(Thread.java:1)\n";
    String spaces = tabs.replace("\t", "    ").replace("x 1", "x 2");
    Grouping g = Grouping.defaults();
    assertThat(g.fingerprint(ErrorEvent.parse(spaces, Map.of())))
        .isEqualTo(g.fingerprint(ErrorEvent.parse(tabs, Map.of())));
  }

  private static final String NOISE = "@:()/.\"' \n\t0aZ$";

  private static String mutate(String s, Random random) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < 20 && chars.length > 0; i++) {
      chars[random.nextInt(chars.length)] = NOISE.charAt(random.nextInt(NOISE.length()));
    }
    return new String(chars);
  }
}
