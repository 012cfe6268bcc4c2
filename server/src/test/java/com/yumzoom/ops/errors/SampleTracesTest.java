package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-written traces in the formats real runtimes and loggers produce (log line on top, Spring
 * wrappers, CGLIB proxies, async V8 frames, Chrome versus Firefox, Django wrapping psycopg2), in
 * test resources {@code errors/samples/LABEL--N.txt}. Same label, same group; different labels,
 * different groups.
 */
class SampleTracesTest {

  static final List<String> FILES =
      List.of(
          "spring-npe--1.txt",
          "spring-npe--2.txt",
          "spring-npe-other-site--1.txt",
          "node-order--1.txt",
          "node-order--2.txt",
          "browser-cart--chrome.txt",
          "browser-cart--firefox.txt",
          "python-unique--1.txt",
          "python-unique--2.txt");

  record Sample(String label, String file, Fingerprint fingerprint) {}

  @Test
  void samplesGroupByLabel() throws IOException {
    Grouping grouping = Grouping.create(GroupingCorpusTest.RULES, List.of());
    List<Sample> samples = new ArrayList<>();
    for (String file : FILES) {
      String text = read(file);
      samples.add(
          new Sample(
              file.substring(0, file.indexOf("--")),
              file,
              grouping.fingerprint(ErrorEvent.parse(text, Map.of()))));
    }
    for (Sample a : samples) {
      for (Sample b : samples) {
        boolean same = a.fingerprint().hash().equals(b.fingerprint().hash());
        assertThat(same)
            .as("%s vs %s: %s / %s", a.file(), b.file(), a.fingerprint(), b.fingerprint())
            .isEqualTo(a.label().equals(b.label()));
      }
    }
    assertThat(samples.getFirst().fingerprint().title())
        .isEqualTo(
            "java.lang.NullPointerException: Cannot invoke \"<val>\" because \"<val>\" is null");
  }

  @Test
  void logLineAboveAJavaTraceIsNotTheHeader() throws IOException {
    ParsedStackTrace t = StackTraceParser.parse(read("spring-npe--1.txt"));
    assertThat(t.chain())
        .extracting(ExceptionRecord::type)
        .containsExactly("jakarta.servlet.ServletException", "java.lang.NullPointerException");
    assertThat(Categorizer.categorize(t)).isEqualTo(Category.NULL_REFERENCE);
  }

  @Test
  void djangoIntegrityErrorIsADatabaseError() throws IOException {
    ParsedStackTrace t = StackTraceParser.parse(read("python-unique--2.txt"));
    assertThat(t.chain())
        .extracting(ExceptionRecord::type)
        .containsExactly("django.db.utils.IntegrityError", "psycopg2.errors.UniqueViolation");
    assertThat(t.rootCause().message()).contains("DETAIL:  Key (ref)=(B-77) already exists.");
    assertThat(Categorizer.categorize(t)).isEqualTo(Category.DATABASE);
  }

  static String read(String file) throws IOException {
    try (InputStream in = SampleTracesTest.class.getResourceAsStream("/errors/samples/" + file)) {
      assertThat(in).as(file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
