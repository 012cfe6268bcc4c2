package com.yumzoom.ops.errors;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Grouping, version 1.
 *
 * <p>Design. The fingerprint is a hash of components; the components are the exception type plus
 * the in-app frames (module and function, never line or column: deploys move lines) of one
 * exception of the chain, falling back to type plus normalised message when no exception has in-app
 * frames. This is Sentry's default grouping without its pitfalls that users complain about most:
 *
 * <ul>
 *   <li><b>Which exception of a chain.</b> The innermost cause that has in-app frames. The root
 *       cause is where the fault happened; the wrappers around it (a {@code ServletException}, a
 *       {@code CompletionException}, a framework's {@code UndeclaredThrowableException}) depend on
 *       how and where the error was caught and rethrown, which changes with refactors and with the
 *       caller, so grouping on the outermost exception splits one fault by entry point and merges
 *       different faults that share a wrapper. A root cause with no in-app frame at all (only
 *       possible when its printed stack is truncated, e.g. a Python cause raised in a library) says
 *       nothing about our code, so we walk outwards to the first exception that does, and add the
 *       root cause's type so different underlying failures at one site stay apart. Java's {@code
 *       ... N more} is expanded by the parser, so a Java cause carries the in-app frames of its
 *       callers.
 *   <li><b>Only in-app frames.</b> Framework frames vary with the entry point, the filter chain and
 *       library versions; they would split groups (under-grouping, Sentry's top complaint).
 *   <li><b>Synthetic names normalised.</b> Lambda indexes ({@code lambda$handle$3}), hidden and
 *       anonymous classes ({@code $$Lambda/0x...}, {@code $1}), proxies ({@code $Proxy12}, CGLIB,
 *       Hibernate), accessor numbers and bundle or release hashes in paths change with every
 *       compilation or deploy without changing the fault.
 *   <li><b>Recursion collapsed.</b> Consecutive identical frames count once, so recursion depth
 *       does not split a group.
 *   <li><b>Messages only as a fallback.</b> Messages carry data; normalising them is heuristic,
 *       frames are not. Without frames the normalised message is the best we have.
 * </ul>
 *
 * Custom {@link FingerprintRule}s are applied first; the first rule whose matchers all match
 * decides the components. The version string is hashed in, so a future version can never collide
 * with this one.
 */
final class GroupingV1 implements GroupingAlgorithm {

  static final String VERSION = "grouping-v1";
  static final int MAX_FRAMES = 64;
  static final int MAX_TITLE = 256;

  private static final Pattern JAVA_LAMBDA_CLASS =
      Pattern.compile("\\$\\$Lambda(?:\\$\\d+)?(?:/0x[0-9a-fA-F]+)?");
  private static final Pattern JAVA_GENERATED =
      Pattern.compile(
          "\\$\\$(?:EnhancerBySpringCGLIB|FastClassBySpringCGLIB|SpringCGLIB|EnhancerByCGLIB"
              + "|FastClassByCGLIB)\\$\\$\\w+|\\$HibernateProxy\\$\\w+|\\$ByteBuddy\\$\\w+");
  private static final Pattern JAVA_ANONYMOUS = Pattern.compile("\\$\\d+(?=\\$|$)");
  private static final Pattern JAVA_PROXY =
      Pattern.compile("^(?:jdk\\.proxy\\d+\\.)?\\$Proxy\\d+$");
  private static final Pattern JAVA_ACCESSOR =
      Pattern.compile("(GeneratedMethodAccessor|GeneratedConstructorAccessor)\\d+");
  private static final Pattern JAVA_LAMBDA_METHOD = Pattern.compile("lambda\\$(.*?)\\$\\d+$");
  private static final Pattern JAVA_ACCESS_METHOD = Pattern.compile("^access\\$\\d+$");
  private static final Pattern PATH_ORIGIN =
      Pattern.compile("^(?:webpack://[^/]*/|[a-zA-Z][\\w+.-]*://[^/]*)");
  private static final Pattern PATH_QUERY = Pattern.compile("[?#].*$");
  private static final Pattern PATH_BUNDLE_HASH =
      Pattern.compile("[.-](?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{6,}(?=\\.\\w+$)");
  private static final Pattern PATH_VOLATILE_SEGMENT =
      Pattern.compile(
          "(?<=^|/)(?:[^/]*\\d{5,}[^/]*|v?\\d+(?:\\.\\d+)+[^/]*|(?=[^/]*\\d)[0-9a-f]{8,})(?=/)");
  private static final Pattern JS_FUNCTION_SUFFIX = Pattern.compile("(?:/<)+$|\\*$");

  private final InAppRules inApp;
  private final List<FingerprintRule> rules;

  GroupingV1(InAppRules inApp, List<FingerprintRule> rules) {
    this.inApp = inApp;
    this.rules = List.copyOf(rules);
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public Fingerprint fingerprint(ErrorEvent event) {
    ParsedStackTrace trace = event.trace();
    Platform platform = trace.platform();
    List<ExceptionRecord> chain = trace.chain();
    ExceptionRecord chosen = null;
    List<String> frames = List.of();
    for (int i = chain.size() - 1; i >= 0; i--) {
      List<String> f = inAppFrames(platform, chain.get(i));
      if (!f.isEmpty()) {
        chosen = chain.get(i);
        frames = f;
        break;
      }
    }
    ExceptionRecord root = trace.rootCause();
    String normalizedMessage;
    List<String> defaults = new ArrayList<>();
    if (chosen == null) {
      chosen = root;
      normalizedMessage = MessageNormalizer.normalize(root.message());
      defaults.add("message");
      defaults.add(root.type());
      defaults.add(normalizedMessage);
    } else {
      normalizedMessage = MessageNormalizer.normalize(chosen.message());
      defaults.add("stack");
      defaults.add(chosen.type());
      if (chosen != root) {
        defaults.add("root:" + root.type());
      }
      defaults.addAll(frames);
    }
    List<String> components = applyRules(event, chosen, normalizedMessage, frames, defaults);
    String title =
        normalizedMessage.isEmpty() ? chosen.type() : chosen.type() + ": " + normalizedMessage;
    int newline = title.indexOf('\n');
    if (newline > 0) {
      title = title.substring(0, newline);
    }
    if (title.length() > MAX_TITLE) {
      title = title.substring(0, MAX_TITLE - 1) + "…";
    }
    return new Fingerprint(VERSION, hash(components), title);
  }

  private List<String> applyRules(
      ErrorEvent event,
      ExceptionRecord chosen,
      String normalizedMessage,
      List<String> frames,
      List<String> defaults) {
    if (rules.isEmpty()) {
      return defaults;
    }
    FingerprintRule.Subject subject =
        new FingerprintRule.Subject(
            event.trace().chain().stream().map(ExceptionRecord::type).toList(),
            chosen.message(),
            frames,
            event.tags());
    for (FingerprintRule rule : rules) {
      if (rule.matchers().stream().allMatch(m -> m.matches(subject))) {
        List<String> out = new ArrayList<>();
        out.add("rule");
        for (String part : rule.fingerprint()) {
          switch (part) {
            case FingerprintRule.DEFAULT -> out.addAll(defaults);
            case "{{ type }}" -> out.add(chosen.type());
            case "{{ message }}" -> out.add(normalizedMessage);
            default -> out.add("=" + part);
          }
        }
        return out;
      }
    }
    return defaults;
  }

  /** Normalised in-app frames, innermost first, recursion collapsed. */
  List<String> inAppFrames(Platform platform, ExceptionRecord exception) {
    List<String> out = new ArrayList<>();
    for (StackFrame frame : exception.frames()) {
      if (!inApp.isInApp(frame)) {
        continue;
      }
      String key =
          platform == Platform.JAVA
              ? javaModule(frame.module()) + "." + javaFunction(frame.function())
              : path(frame.module()) + ":" + scriptFunction(frame.function());
      if (out.isEmpty() || !out.getLast().equals(key)) {
        out.add(key);
        if (out.size() == MAX_FRAMES) {
          break;
        }
      }
    }
    return out;
  }

  static String javaModule(String module) {
    String m = JAVA_LAMBDA_CLASS.matcher(module).replaceAll("\\$\\$Lambda");
    m = JAVA_GENERATED.matcher(m).replaceAll("");
    m = JAVA_ACCESSOR.matcher(m).replaceAll("$1");
    m = JAVA_PROXY.matcher(m).replaceAll("\\$Proxy");
    return JAVA_ANONYMOUS.matcher(m).replaceAll("\\$<anon>");
  }

  static String javaFunction(String function) {
    String f = JAVA_LAMBDA_METHOD.matcher(function).replaceAll("lambda\\$$1");
    return JAVA_ACCESS_METHOD.matcher(f).replaceAll("access\\$");
  }

  static String path(String path) {
    String p = path.replace('\\', '/');
    p = PATH_ORIGIN.matcher(p).replaceFirst("");
    p = PATH_QUERY.matcher(p).replaceFirst("");
    p = PATH_BUNDLE_HASH.matcher(p).replaceAll("");
    return PATH_VOLATILE_SEGMENT.matcher(p).replaceAll("<v>");
  }

  static String scriptFunction(String function) {
    String f = JS_FUNCTION_SUFFIX.matcher(function).replaceAll("");
    return f.isEmpty() ? "?" : f;
  }

  static String hash(List<String> components) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
    digest.update(VERSION.getBytes(StandardCharsets.UTF_8));
    for (String c : components) {
      digest.update((byte) 0);
      digest.update(c.getBytes(StandardCharsets.UTF_8));
    }
    byte[] full = digest.digest();
    return HexFormat.of().formatHex(full, 0, 16);
  }
}
