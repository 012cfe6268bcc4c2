package com.yumzoom.ops.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A labelled corpus of error occurrences, generated from fault templates with a fixed seed.
 *
 * <p>Each {@link Fault} is one real defect (one throw site, one cause); every occurrence renders it
 * as its runtime would print it, varying what varies in production: ids, emails, timestamps, IPs
 * and durations in messages; data-dependent wording; line and column numbers moved by deploys;
 * release directories and bundle hashes; lambda indexes, hidden-class addresses and proxy suffixes;
 * the framework frames between the entry point and our code (filters, routers, middleware) and the
 * entry point itself; recursion depth; Chrome versus Firefox formats for browser errors. Confusers
 * are deliberate: several faults share a message but not a throw site, several throw sites produce
 * messages that differ in more than placeholders.
 */
final class ErrorCorpus {

  /** One labelled occurrence. */
  record Occurrence(String label, String stackTrace) {}

  enum Wrap {
    NONE,
    /** Java: a framework exception wraps ours; the cause is printed with "... N more". */
    FRAMEWORK,
    /** Our own code catches and rethrows a domain exception (Java "Caused by", Python "from"). */
    IN_APP
  }

  /**
   * A fault template.
   *
   * @param frames in-app frames, innermost first, {@code module#function}; a function ending in
   *     {@code *R} recurses a random number of times; {@code $*} in a name is a lambda index
   * @param libInner library frames below the throw site (the fault surfaces inside a library)
   */
  record Fault(
      String label,
      Platform platform,
      String type,
      List<String> messages,
      List<String> frames,
      List<String> libInner,
      Wrap wrap,
      boolean browser) {}

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)(?::([^}]*))?}");

  static final List<String> SPRING =
      List.of(
          "org.springframework.web.servlet.FrameworkServlet#processRequest",
          "org.springframework.web.servlet.FrameworkServlet#doPost",
          "jakarta.servlet.http.HttpServlet#service",
          "org.apache.catalina.core.ApplicationFilterChain#internalDoFilter",
          "org.springframework.web.filter.OncePerRequestFilter#doFilter",
          "org.springframework.security.web.FilterChainProxy#doFilterInternal",
          "org.apache.catalina.core.ApplicationFilterChain#doFilter",
          "org.springframework.web.filter.CharacterEncodingFilter#doFilterInternal",
          "org.apache.catalina.core.StandardWrapperValve#invoke",
          "org.apache.catalina.connector.CoyoteAdapter#service",
          "org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker#run");
  static final List<String> ARMERIA =
      List.of(
          "com.linecorp.armeria.internal.server.annotation.AnnotatedService#invoke",
          "com.linecorp.armeria.server.SimpleDecoratingHttpService#serve",
          "com.linecorp.armeria.server.logging.LoggingService#serve",
          "com.linecorp.armeria.server.HttpServerHandler#handleRequest",
          "io.netty.channel.AbstractChannelHandlerContext#invokeChannelRead",
          "io.netty.util.concurrent.SingleThreadEventExecutor$4#run");
  static final List<String> NODE_LIBS =
      List.of(
          "node_modules/express/lib/router/layer.js#handle",
          "node_modules/express/lib/router/route.js#next",
          "node_modules/express/lib/router/index.js#process_params",
          "node_modules/express/lib/router/index.js#next",
          "node_modules/body-parser/lib/types/json.js#jsonParser",
          "node:internal/process/task_queues#process.processTicksAndRejections");
  static final List<String> BROWSER_LIBS =
      List.of(
          "bundle:vendor#callCallback",
          "bundle:vendor#invokeGuardedCallbackDev",
          "bundle:vendor#dispatchEvent",
          "bundle:vendor#batchedUpdates");
  static final List<String> DJANGO =
      List.of(
          "site:django/core/handlers/base.py#_get_response",
          "site:django/views/generic/base.py#view",
          "site:django/utils/decorators.py#_wrapper_view",
          "site:django/core/handlers/exception.py#inner");

  private final Random random;

  ErrorCorpus(long seed) {
    this.random = new Random(seed);
  }

  List<Occurrence> generate(List<Fault> faults, int minPerFault, int maxPerFault) {
    List<Occurrence> out = new ArrayList<>();
    for (Fault f : faults) {
      int n = minPerFault + random.nextInt(maxPerFault - minPerFault + 1);
      for (int i = 0; i < n; i++) {
        out.add(new Occurrence(f.label(), render(f)));
      }
    }
    return out;
  }

  String render(Fault f) {
    String message = fill(f.messages().get(random.nextInt(f.messages().size())));
    int deploy = random.nextInt(6);
    return switch (f.platform()) {
      case JAVA -> renderJava(f, message, deploy);
      case JAVASCRIPT -> renderJs(f, message, deploy);
      case PYTHON -> renderPython(f, message, deploy);
    };
  }

  // ------------------------------------------------------------------ Java

  private String renderJava(Fault f, String message, int deploy) {
    List<String> inner = new ArrayList<>();
    inner.addAll(f.libInner());
    inner.addAll(expand(f.frames()));
    List<String> outer = frameworkTail(random.nextBoolean() ? SPRING : ARMERIA);
    outer.add("java.lang.Thread#run");
    StringBuilder sb = new StringBuilder();
    String header = f.type() + (message.isEmpty() ? "" : ": " + message);
    switch (f.wrap()) {
      case NONE -> {
        if (random.nextInt(4) == 0) {
          sb.append("Exception in thread \"worker-").append(random.nextInt(64)).append("\" ");
        }
        sb.append(header).append('\n');
        for (String fr : inner) {
          sb.append(javaFrame(fr, deploy));
        }
        for (String fr : outer) {
          sb.append(javaFrame(fr, deploy));
        }
      }
      case FRAMEWORK -> {
        sb.append("jakarta.servlet.ServletException: Request processing failed: ")
            .append(header)
            .append('\n');
        for (String fr : outer) {
          sb.append(javaFrame(fr, deploy));
        }
        sb.append("Caused by: ").append(header).append('\n');
        for (String fr : inner) {
          sb.append(javaFrame(fr, deploy));
        }
        sb.append("\t... ").append(outer.size()).append(" more\n");
      }
      case IN_APP -> {
        // Our code catches at its outermost in-app frame and throws a domain exception.
        List<String> app = expand(f.frames());
        String catcher = app.getLast();
        sb.append("com.acme.shop.ServiceException: operation failed for request ")
            .append(random.nextInt(1_000_000))
            .append('\n');
        sb.append(javaFrame(catcher, deploy));
        for (String fr : outer) {
          sb.append(javaFrame(fr, deploy));
        }
        sb.append("Caused by: ").append(header).append('\n');
        for (String fr : inner) {
          sb.append(javaFrame(fr, deploy));
        }
        sb.append("\t... ").append(outer.size()).append(" more\n");
        if (random.nextInt(3) == 0) {
          sb.append("\tSuppressed: java.io.IOException: close failed\n")
              .append("\t\tat com.acme.shop.db.Conn.close(Conn.java:")
              .append(10 + deploy)
              .append(")\n\t\t... 3 more\n");
        }
      }
    }
    return sb.toString();
  }

  private String javaFrame(String spec, int deploy) {
    String[] p = spec.split("#");
    String cls = p[0];
    String fn = p[1];
    String location;
    if (cls.endsWith("$$Lambda")) {
      cls =
          random.nextBoolean()
              ? cls + "/0x0000" + Long.toHexString(0x7f0000000L + random.nextInt(1 << 20))
              : cls + "$" + random.nextInt(900) + "/0x" + Integer.toHexString(random.nextInt());
      location = "Unknown Source";
    } else {
      if (cls.endsWith("$$CGLIB")) {
        cls =
            cls.substring(0, cls.length() - 7)
                + (random.nextBoolean()
                    ? "$$SpringCGLIB$$" + random.nextInt(3)
                    : "$$EnhancerBySpringCGLIB$$" + Integer.toHexString(random.nextInt()));
      }
      String simple = cls.substring(cls.lastIndexOf('.') + 1).replaceAll("\\$.*", "");
      int line = 20 + Math.floorMod(spec.hashCode(), 400) + deploy * 7;
      location =
          cls.startsWith("org.postgresql") && random.nextInt(3) == 0
              ? "Native Method"
              : simple + ".java:" + line;
    }
    if (cls.startsWith("java.") || cls.startsWith("jdk.")) {
      cls = "java.base/" + cls;
    }
    return "\tat " + cls + "." + fn + "(" + location + ")\n";
  }

  // ------------------------------------------------------------------ JavaScript

  private String renderJs(Fault f, String message, int deploy) {
    List<String> frames = new ArrayList<>();
    frames.addAll(f.libInner());
    frames.addAll(expand(f.frames()));
    frames.addAll(frameworkTail(f.browser() ? BROWSER_LIBS : NODE_LIBS));
    boolean firefox = f.browser() && random.nextBoolean();
    String hash = Integer.toHexString(0x10000000 | random.nextInt(0x0fffffff));
    String release =
        "2024" + (1000 + deploy * 37) + "-" + Integer.toHexString(deploy * 4099 + 4096);
    StringBuilder sb = new StringBuilder();
    // Firefox's error.stack has no header; SDKs send type and message next to it, shown here as
    // the header line they compose.
    sb.append(f.type()).append(message.isEmpty() ? "" : ": " + message).append('\n');
    for (String spec : frames) {
      String[] p = spec.split("#");
      String fn = p[1];
      String file;
      if (p[0].startsWith("bundle:")) {
        file =
            "https://cdn"
                + (1 + deploy % 3)
                + ".shop.example.com/static/js/"
                + p[0].substring(7)
                + "."
                + hash
                + ".js";
      } else if (p[0].startsWith("node:")) {
        file = p[0];
      } else {
        file = "/srv/app/releases/" + release + "/" + p[0];
      }
      int line = 1 + Math.floorMod(spec.hashCode(), 300) + deploy * 3;
      int col = 1 + Math.floorMod(spec.hashCode() >> 8, 80) + deploy;
      String loc = file + ":" + line + ":" + col;
      if (firefox) {
        String name = fn.equals("?") ? "" : fn.startsWith("new:") ? fn.substring(4) : fn;
        sb.append(name)
            .append(random.nextInt(4) == 0 ? "/<" : "")
            .append('@')
            .append(loc)
            .append('\n');
      } else if (fn.equals("?")) {
        sb.append("    at ").append(loc).append('\n');
      } else {
        String prefix = fn.startsWith("new:") ? "new " : random.nextInt(5) == 0 ? "async " : "";
        sb.append("    at ")
            .append(prefix)
            .append(fn.startsWith("new:") ? fn.substring(4) : fn)
            .append(" (")
            .append(loc)
            .append(")\n");
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ Python

  private String renderPython(Fault f, String message, int deploy) {
    String pyVersion = "3." + (10 + deploy % 3);
    String release = "rel-" + (202400 + deploy * 11) + "-" + (deploy * 7919 + 1000);
    List<String> inner = new ArrayList<>();
    inner.addAll(f.libInner());
    inner.addAll(expand(f.frames()));
    List<String> outer = frameworkTail(DJANGO);
    StringBuilder sb = new StringBuilder();
    if (f.wrap() == Wrap.IN_APP) {
      // The cause's traceback covers only the frames between the try and the raise.
      sb.append("Traceback (most recent call last):\n");
      appendPyFrames(sb, inner, pyVersion, release, deploy);
      sb.append(f.type()).append(message.isEmpty() ? "" : ": " + message).append("\n\n");
      sb.append(
          random.nextBoolean()
              ? "The above exception was the direct cause of the following exception:\n\n"
              : "During handling of the above exception, another exception occurred:\n\n");
      List<String> wrapper = new ArrayList<>();
      wrapper.add(inner.getLast());
      wrapper.addAll(outer);
      sb.append("Traceback (most recent call last):\n");
      appendPyFrames(sb, wrapper, pyVersion, release, deploy);
      sb.append("app.errors.ServiceError: request ")
          .append(random.nextInt(100000))
          .append(" failed\n");
      return sb.toString();
    }
    List<String> all = new ArrayList<>(inner);
    all.addAll(outer);
    sb.append("Traceback (most recent call last):\n");
    appendPyFrames(sb, all, pyVersion, release, deploy);
    sb.append(f.type()).append(message.isEmpty() ? "" : ": " + message).append('\n');
    return sb.toString();
  }

  private void appendPyFrames(
      StringBuilder sb, List<String> innermostFirst, String py, String release, int deploy) {
    for (int i = innermostFirst.size() - 1; i >= 0; i--) {
      String spec = innermostFirst.get(i);
      String[] p = spec.split("#");
      String file;
      if (p[0].startsWith("site:")) {
        file = "/usr/local/lib/python" + py + "/site-packages/" + p[0].substring(5);
      } else if (p[0].startsWith("std:")) {
        file = "/usr/local/lib/python" + py + "/" + p[0].substring(4);
      } else {
        file = "/srv/app/releases/" + release + "/" + p[0];
      }
      int line = 5 + Math.floorMod(spec.hashCode(), 300) + deploy * 2;
      sb.append("  File \"")
          .append(file)
          .append("\", line ")
          .append(line)
          .append(", in ")
          .append(p[1])
          .append("\n    ")
          .append("result = call(")
          .append(p[1])
          .append(")\n");
      if (random.nextInt(3) == 0) {
        sb.append("             ^^^^^^^^^^^^\n");
      }
    }
  }

  // ------------------------------------------------------------------ shared

  /** Framework frames from a random entry point up to the bottom of the pool. */
  private List<String> frameworkTail(List<String> pool) {
    List<String> out = new ArrayList<>();
    for (String s : pool) {
      if (random.nextInt(3) != 0) {
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      out.add(pool.getLast());
    }
    return out;
  }

  private List<String> expand(List<String> frames) {
    List<String> out = new ArrayList<>();
    for (String spec : frames) {
      String s = spec;
      if (s.contains("$*")) {
        s = s.replace("$*", "$" + random.nextInt(6));
      }
      if (s.endsWith("*R")) {
        s = s.substring(0, s.length() - 2);
        int depth = 1 + random.nextInt(6);
        for (int i = 0; i < depth; i++) {
          out.add(s);
        }
      } else {
        out.add(s);
      }
    }
    return out;
  }

  private String fill(String template) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, "");
      String value =
          switch (m.group(1)) {
            case "id" -> Integer.toString(1 + random.nextInt(9_999_999));
            case "n" -> Integer.toString(random.nextInt(500));
            case "email" ->
                List.of("ann", "bob.smith", "c.lee+shop", "dmitri", "eve_42").get(random.nextInt(5))
                    + "@"
                    + List.of("example.com", "mail.example.org", "corp.example.co.uk")
                        .get(random.nextInt(3));
            case "uuid" -> new java.util.UUID(random.nextLong(), random.nextLong()).toString();
            case "ts" ->
                String.format(
                    "2024-%02d-%02dT%02d:%02d:%02d.%03dZ",
                    1 + random.nextInt(12),
                    1 + random.nextInt(28),
                    random.nextInt(24),
                    random.nextInt(60),
                    random.nextInt(60),
                    random.nextInt(1000));
            case "ip" ->
                "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
            case "ms" ->
                random.nextBoolean()
                    ? (100 + random.nextInt(30_000)) + "ms"
                    : (1 + random.nextInt(30)) + "." + random.nextInt(10) + "s";
            case "hex" -> "0x" + Long.toHexString(random.nextLong() & 0xffffffffffL);
            case "sha" ->
                Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                    + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
            case "pick" -> {
              String[] options = m.group(2).split("\\|");
              yield options[random.nextInt(options.length)];
            }
            default -> throw new IllegalArgumentException("unknown placeholder " + m.group());
          };
      sb.append(value);
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
