package com.yumzoom.ops.errors;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses stack traces as the runtimes print them: Java ({@code Throwable.printStackTrace}), V8 and
 * Firefox/Safari ({@code error.stack}) and CPython tracebacks.
 *
 * <p>Design: line oriented and forgiving. The platform is detected from the shape of the frame
 * lines (Java frames have no space between the method and the parenthesis, V8 frames do; Python
 * announces itself with {@code Traceback}). Lines that match nothing are skipped, never fatal,
 * because traces arrive through logs and SDKs with decorations we cannot foresee. Frames are
 * returned innermost first on every platform (Python prints them the other way round). Java {@code
 * ... N more} is expanded from the enclosing exception, so a cause carries its full stack and can
 * be grouped on its own.
 */
public final class StackTraceParser {

  private static final Pattern JAVA_FRAME = Pattern.compile("^\\s*at\\s+([^\\s(]+)\\((.*)\\)\\s*$");
  private static final Pattern JAVA_HEADER =
      Pattern.compile(
          "^(?:Exception in thread \"[^\"]*\"\\s+)?([A-Za-z_$][\\w$]*(?:[.$][\\w$]+)*)(?::\\s?(.*))?$");

  /** A header whose type is qualified: how a header is told apart from a log line above it. */
  private static final Pattern JAVA_QUALIFIED_HEADER =
      Pattern.compile(
          "^(?:Exception in thread \"[^\"]*\"\\s+)?[a-z][\\w$]*(?:\\.[\\w$]+)+(?::\\s.*)?$");

  private static final Pattern JAVA_MORE = Pattern.compile("^\\s*\\.\\.\\.\\s*(\\d+)\\s+more\\s*$");
  private static final Pattern JAVA_HIDDEN_CLASS =
      Pattern.compile("\\$\\$Lambda(?:\\$\\d+)?/0x[0-9a-fA-F]+");
  private static final Pattern V8_FRAME = Pattern.compile("^\\s*at\\s+(.*?)\\s*$");
  private static final Pattern V8_CALL = Pattern.compile("^(.*?)\\s+\\((.*)\\)$");
  private static final Pattern GECKO_FRAME = Pattern.compile("^\\s*([^@\\s]*)@(.+)$");
  private static final Pattern LOCATION = Pattern.compile("^(.*?)(?::(\\d+))?(?::(\\d+))?$");
  private static final Pattern JS_HEADER =
      Pattern.compile("^(?:Uncaught\\s+)?([A-Za-z_$][\\w$.]*)(?::\\s?(.*))?$");
  private static final Pattern PY_FRAME =
      Pattern.compile("^\\s*File \"([^\"]*)\", line (\\d+)(?:, in (.*))?\\s*$");
  private static final Pattern PY_EXCEPTION = Pattern.compile("^([A-Za-z_][\\w.]*)(?::\\s?(.*))?$");

  private StackTraceParser() {}

  /**
   * Parses a stack trace. Never throws on odd input: text that is not a recognisable trace becomes
   * one exception of type {@code Error} whose message is the first line.
   *
   * @throws IllegalArgumentException when {@code text} is null
   */
  public static ParsedStackTrace parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("stack trace must not be null");
    }
    List<String> lines = text.lines().toList();
    Platform platform = detect(lines);
    return switch (platform) {
      case JAVA -> parseJava(lines);
      case PYTHON -> parsePython(lines);
      case JAVASCRIPT -> parseJavaScript(lines);
    };
  }

  static Platform detect(List<String> lines) {
    int v8 = 0;
    for (String line : lines) {
      if (line.strip().startsWith("Traceback (most recent call last)")) {
        return Platform.PYTHON;
      }
      if (JAVA_FRAME.matcher(line).matches()) {
        return Platform.JAVA;
      }
      if (V8_FRAME.matcher(line).matches() || GECKO_FRAME.matcher(line).matches()) {
        v8++;
      }
    }
    return v8 > 0 ? Platform.JAVASCRIPT : Platform.JAVA;
  }

  // ---------------------------------------------------------------- Java

  private static final class Builder {
    String type;
    final StringBuilder message = new StringBuilder();
    final List<StackFrame> frames = new ArrayList<>();
    boolean inMessage = true;

    Builder(String type, String message) {
      this.type = type;
      if (message != null) {
        this.message.append(message);
      }
    }

    ExceptionRecord build() {
      String m = message.toString().strip();
      if (m.length() > ExceptionRecord.MAX_MESSAGE) {
        m = m.substring(0, ExceptionRecord.MAX_MESSAGE);
      }
      String t =
          type.length() > ExceptionRecord.MAX_TYPE
              ? type.substring(0, ExceptionRecord.MAX_TYPE)
              : type;
      List<StackFrame> f =
          frames.size() > ExceptionRecord.MAX_FRAMES
              ? frames.subList(0, ExceptionRecord.MAX_FRAMES)
              : frames;
      return new ExceptionRecord(t, m, f);
    }
  }

  private static ParsedStackTrace parseJava(List<String> all) {
    List<String> lines = all.subList(javaHeaderStart(all), all.size());
    List<Builder> chain = new ArrayList<>();
    List<Builder> suppressed = new ArrayList<>();
    Map<Builder, Builder> enclosingOf = new IdentityHashMap<>();
    Builder current = null;
    boolean inSuppressed = false;
    for (String raw : lines) {
      if (raw.isBlank()) {
        continue;
      }
      String stripped = raw.strip();
      Matcher frame = JAVA_FRAME.matcher(raw);
      if (frame.matches() && current != null) {
        current.inMessage = false;
        current.frames.add(javaFrame(frame.group(1), frame.group(2)));
        continue;
      }
      Matcher more = JAVA_MORE.matcher(raw);
      if (more.matches() && current != null) {
        current.inMessage = false;
        // "... N more": the last N frames equal those of the enclosing trace.
        Builder enclosing = enclosingOf.get(current);
        if (enclosing != null) {
          int n = Integer.parseInt(more.group(1));
          List<StackFrame> from = enclosing.frames;
          current.frames.addAll(from.subList(Math.max(0, from.size() - n), from.size()));
        }
        continue;
      }
      boolean causedBy = stripped.startsWith("Caused by:");
      boolean suppressedStart = stripped.startsWith("Suppressed:");
      if (causedBy || suppressedStart) {
        String rest = stripped.substring(stripped.indexOf(':') + 1).strip();
        Builder next = javaHeader(rest);
        if (suppressedStart) {
          // Suppressed exceptions belong to the main-chain exception printed last.
          inSuppressed = true;
          suppressed.add(next);
          enclosingOf.put(next, last(chain));
        } else if (!Character.isWhitespace(raw.charAt(0)) || !inSuppressed) {
          inSuppressed = false;
          enclosingOf.put(next, last(chain));
          chain.add(next);
        } else {
          suppressed.add(next);
          enclosingOf.put(next, current);
        }
        current = next;
        continue;
      }
      if (current == null) {
        current = javaHeader(stripped);
        chain.add(current);
      } else if (current.inMessage) {
        current.message.append('\n').append(raw);
      }
    }
    if (chain.isEmpty()) {
      chain.add(new Builder("Error", ""));
    }
    return new ParsedStackTrace(
        Platform.JAVA,
        chain.stream().map(Builder::build).toList(),
        suppressed.stream().map(Builder::build).toList());
  }

  /**
   * Traces often arrive with the log line that reported them on top. The header is the first line
   * before the first frame that names a qualified type; without one, the first line.
   */
  private static int javaHeaderStart(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (JAVA_FRAME.matcher(line).matches()) {
        break;
      }
      if (JAVA_QUALIFIED_HEADER.matcher(line.strip()).matches()) {
        return i;
      }
    }
    return 0;
  }

  private static Builder last(List<Builder> list) {
    return list.isEmpty() ? null : list.getLast();
  }

  private static Builder javaHeader(String line) {
    Matcher m = JAVA_HEADER.matcher(line);
    if (m.matches()) {
      return new Builder(m.group(1), m.group(2));
    }
    int colon = line.indexOf(": ");
    if (colon > 0 && line.indexOf(' ') >= colon) {
      return new Builder(line.substring(0, colon), line.substring(colon + 2));
    }
    return new Builder("Error", line);
  }

  private static StackFrame javaFrame(String qualified, String location) {
    // Hidden classes print as Foo$$Lambda/0x..., whose slash is not a module separator.
    String name = JAVA_HIDDEN_CLASS.matcher(qualified).replaceAll("\\$\\$Lambda");
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    int dot = name.lastIndexOf('.');
    String module = dot > 0 ? name.substring(0, dot) : "";
    String function = dot > 0 ? name.substring(dot + 1) : name;
    String file = "";
    int line = 0;
    if (!location.equals("Native Method") && !location.equals("Unknown Source")) {
      int colon = location.lastIndexOf(':');
      if (colon > 0 && isDigits(location, colon + 1)) {
        file = location.substring(0, colon);
        line = parseInt(location.substring(colon + 1));
      } else {
        file = location;
      }
    }
    return new StackFrame(cut(module), cut(function), cut(file), line, 0);
  }

  // ---------------------------------------------------------------- JavaScript

  private static ParsedStackTrace parseJavaScript(List<String> lines) {
    Builder current = null;
    for (String raw : lines) {
      if (raw.isBlank()) {
        continue;
      }
      Matcher v8 = V8_FRAME.matcher(raw);
      StackFrame frame = null;
      if (v8.matches()) {
        frame = v8Frame(v8.group(1));
      } else {
        Matcher gecko = GECKO_FRAME.matcher(raw);
        if (gecko.matches()
            && (current == null || !current.inMessage || isLocation(gecko.group(2)))) {
          frame = jsFrame(gecko.group(1), gecko.group(2));
        }
      }
      if (frame != null) {
        if (current == null) {
          current = new Builder("Error", "");
        }
        current.inMessage = false;
        current.frames.add(frame);
      } else if (current == null) {
        Matcher h = JS_HEADER.matcher(raw.strip());
        current = h.matches() ? new Builder(h.group(1), h.group(2)) : new Builder("Error", raw);
      } else if (current.inMessage) {
        current.message.append('\n').append(raw);
      }
    }
    if (current == null) {
      current = new Builder("Error", "");
    }
    return new ParsedStackTrace(Platform.JAVASCRIPT, List.of(current.build()), List.of());
  }

  private static boolean isLocation(String s) {
    return s.matches(".*:\\d+(:\\d+)?");
  }

  private static StackFrame v8Frame(String body) {
    Matcher call = V8_CALL.matcher(body);
    if (call.matches()) {
      String function = call.group(1);
      if (function.startsWith("async ")) {
        function = function.substring(6);
      }
      if (function.startsWith("new ")) {
        function = function.substring(4);
      }
      return jsFrame(function, call.group(2));
    }
    return jsFrame("", body.startsWith("async ") ? body.substring(6) : body);
  }

  private static StackFrame jsFrame(String function, String location) {
    Matcher loc = LOCATION.matcher(location);
    String file = location;
    int line = 0;
    int column = 0;
    if (loc.matches()) {
      file = loc.group(1);
      line = loc.group(2) == null ? 0 : parseInt(loc.group(2));
      column = loc.group(3) == null ? 0 : parseInt(loc.group(3));
    }
    return new StackFrame(cut(file), cut(function), cut(file), line, column);
  }

  // ---------------------------------------------------------------- Python

  private static ParsedStackTrace parsePython(List<String> lines) {
    // Python prints the first cause first; each later traceback is the exception raised while
    // handling (or explicitly from) the previous one.
    List<Builder> printed = new ArrayList<>();
    Builder current = null;
    boolean inTraceback = false;
    for (String raw : lines) {
      if (raw.strip().startsWith("Traceback (most recent call last)")) {
        current = new Builder("Error", "");
        printed.add(current);
        inTraceback = true;
        continue;
      }
      if (current == null) {
        continue;
      }
      Matcher frame = PY_FRAME.matcher(raw);
      if (frame.matches()) {
        String file = frame.group(1);
        String function = frame.group(3) == null ? "" : frame.group(3).strip();
        current.frames.add(
            0, new StackFrame(cut(file), cut(function), cut(file), parseInt(frame.group(2)), 0));
        continue;
      }
      if (raw.startsWith("During handling of the above exception")
          || raw.startsWith("The above exception was the direct cause")) {
        inTraceback = false;
        continue;
      }
      if (inTraceback && !raw.isEmpty() && !Character.isWhitespace(raw.charAt(0))) {
        Matcher ex = PY_EXCEPTION.matcher(raw);
        if (ex.matches()) {
          current.type = ex.group(1);
          if (ex.group(2) != null) {
            current.message.append(ex.group(2));
          }
        } else {
          current.message.append(raw);
        }
        inTraceback = false;
        current.inMessage = true;
        continue;
      }
      if (!inTraceback && current.inMessage && !raw.isBlank()) {
        current.message.append('\n').append(raw);
      } else if (raw.isBlank()) {
        current.inMessage = false;
      }
    }
    if (printed.isEmpty()) {
      printed.add(new Builder("Error", lines.isEmpty() ? "" : lines.getFirst()));
    }
    List<ExceptionRecord> chain = new ArrayList<>();
    for (int i = printed.size() - 1; i >= 0; i--) {
      chain.add(printed.get(i).build());
    }
    return new ParsedStackTrace(Platform.PYTHON, chain, List.of());
  }

  // ---------------------------------------------------------------- helpers

  private static boolean isDigits(String s, int from) {
    if (from >= s.length()) {
      return false;
    }
    for (int i = from; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int parseInt(String s) {
    try {
      return Math.max(0, Integer.parseInt(s));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String cut(String s) {
    return s.length() > StackFrame.MAX_TEXT ? s.substring(0, StackFrame.MAX_TEXT) : s;
  }
}
