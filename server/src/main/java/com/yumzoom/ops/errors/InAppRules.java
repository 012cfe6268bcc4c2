package com.yumzoom.ops.errors;

import java.util.ArrayList;
import java.util.List;

/**
 * Which frames belong to the application (as opposed to the runtime, frameworks and libraries).
 *
 * <p>A frame is matched on its module: the class name for Java, the file path or URL for JavaScript
 * and Python. An entry matches when the module starts with it, or, for entries containing a {@code
 * /}, when the module contains it right after a {@code /} (so {@code node_modules/} matches {@code
 * /app/node_modules/x.js}). Includes win over excludes, so {@code com.acme.} can be in-app even
 * though an exclude would cover it. When {@code includes} is empty every frame that no exclude
 * matches is in-app; when it is not, only included frames are.
 *
 * @param includes prefixes of in-app code, may be empty
 * @param excludes prefixes of code that is never in-app; see {@link #DEFAULT_EXCLUDES}
 */
public record InAppRules(List<String> includes, List<String> excludes) {

  static final int MAX_ENTRIES = 512;
  static final int MAX_ENTRY_LENGTH = 256;

  /**
   * The JDK, common JVM frameworks, Node internals and dependencies, Python stdlib and packages.
   */
  public static final List<String> DEFAULT_EXCLUDES =
      List.of(
          // JDK
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "com.sun.",
          "jakarta.",
          // JVM frameworks and libraries
          "org.springframework.",
          "io.netty.",
          "com.linecorp.armeria.",
          "org.apache.",
          "com.fasterxml.",
          "reactor.",
          "kotlin.",
          "kotlinx.",
          "scala.",
          "org.hibernate.",
          "com.zaxxer.hikari.",
          "org.postgresql.",
          "com.mysql.",
          "org.eclipse.jetty.",
          "io.grpc.",
          "org.junit.",
          "net.bytebuddy.",
          "org.slf4j.",
          "ch.qos.logback.",
          "com.google.",
          "io.micrometer.",
          "io.opentelemetry.",
          "okhttp3.",
          "io.reactivex.",
          // Node and browsers
          "node_modules/",
          "internal/",
          "node:",
          "<anonymous>",
          "native",
          "webpack/bootstrap",
          // Python: packages, then the standard library of any CPython install
          "site-packages/",
          "dist-packages/",
          "lib/python2.",
          "lib/python3.",
          "lib64/python3.",
          "<frozen ",
          "<string>");

  public InAppRules {
    includes = validated("errors.in-app.includes", includes);
    excludes = validated("errors.in-app.excludes", excludes);
  }

  /** No includes, {@link #DEFAULT_EXCLUDES}. */
  public static InAppRules defaults() {
    return new InAppRules(List.of(), DEFAULT_EXCLUDES);
  }

  /** The defaults plus application prefixes. */
  public static InAppRules defaultsWithIncludes(List<String> includes) {
    return new InAppRules(includes, DEFAULT_EXCLUDES);
  }

  /** Whether a frame is application code. */
  public boolean isInApp(StackFrame frame) {
    String module = frame.module();
    if (module.isEmpty()) {
      return false;
    }
    if (matchesAny(module, includes)) {
      return true;
    }
    if (matchesAny(module, excludes)) {
      return false;
    }
    return includes.isEmpty();
  }

  private static boolean matchesAny(String module, List<String> entries) {
    for (String entry : entries) {
      if (module.startsWith(entry)) {
        return true;
      }
      if (entry.indexOf('/') >= 0) {
        int at = module.indexOf(entry);
        while (at > 0) {
          char before = module.charAt(at - 1);
          if (before == '/' || before == '\\') {
            return true;
          }
          at = module.indexOf(entry, at + 1);
        }
      }
    }
    return false;
  }

  private static List<String> validated(String field, List<String> entries) {
    if (entries == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(field + " has more than " + MAX_ENTRIES + " entries");
    }
    List<String> copy = new ArrayList<>(entries.size());
    for (String entry : entries) {
      if (entry == null || entry.isBlank()) {
        throw new IllegalArgumentException(field + " must not contain blank entries");
      }
      if (entry.length() > MAX_ENTRY_LENGTH) {
        throw new IllegalArgumentException(
            field + " entry longer than " + MAX_ENTRY_LENGTH + " characters: " + entry);
      }
      copy.add(entry);
    }
    return List.copyOf(copy);
  }
}
