package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupingTest {

  static final Grouping DEFAULTS = Grouping.defaults();

  static final String WRAPPED =
      """
      jakarta.servlet.ServletException: Request processing failed
      \tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1022)
      \tat java.base/java.lang.Thread.run(Thread.java:1583)
      Caused by: com.acme.CheckoutException: checkout 12 failed
      \tat com.acme.Checkout.run(Checkout.java:40)
      \t... 2 more
      Caused by: java.sql.SQLException: deadlock on row 17
      \tat org.postgresql.Driver.exec(Driver.java:5)
      \tat com.acme.OrderDao.save(OrderDao.java:88)
      \tat com.acme.Checkout.run(Checkout.java:38)
      \t... 2 more
      """;

  static Fingerprint fp(Grouping g, String trace) {
    return g.fingerprint(ErrorEvent.parse(trace, Map.of()));
  }

  @Test
  void innermostCauseWithInAppFramesDefinesTheGroupAndTitle() {
    Fingerprint f = fp(DEFAULTS, WRAPPED);
    assertThat(f.version()).isEqualTo("grouping-v1").isEqualTo(Grouping.CURRENT_VERSION);
    assertThat(f.title()).isEqualTo("java.sql.SQLException: deadlock on row <num>");
    // A different wrapper and entry point around the same root cause: same group.
    String otherEntry =
        """
        java.util.concurrent.CompletionException: java.sql.SQLException: deadlock on row 99
        \tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)
        \tat com.linecorp.armeria.server.HttpServerHandler.serve(HttpServerHandler.java:10)
        Caused by: java.sql.SQLException: deadlock on row 99
        \tat org.postgresql.Driver.exec(Driver.java:7)
        \tat com.acme.OrderDao.save(OrderDao.java:91)
        \tat com.acme.Checkout.run(Checkout.java:41)
        \tat com.linecorp.armeria.server.HttpServerHandler.serve(HttpServerHandler.java:10)
        """;
    assertThat(fp(DEFAULTS, otherEntry).hash()).isEqualTo(f.hash());
  }

  @Test
  void syntheticNamesLinesAndRecursionDoNotSplit() {
    String a =
        """
        java.lang.IllegalStateException: boom
        \tat com.acme.Tree.walk(Tree.java:10)
        \tat com.acme.Tree.walk(Tree.java:10)
        \tat com.acme.Svc$$Lambda$14/0x0000000800066840.apply(Unknown Source)
        \tat com.acme.Svc.lambda$run$0(Svc.java:5)
        \tat com.acme.Svc$1.call(Svc.java:6)
        \tat com.acme.Ctl$$SpringCGLIB$$0.get(<generated>)
        """;
    String b =
        """
        java.lang.IllegalStateException: boom
        \tat com.acme.Tree.walk(Tree.java:12)
        \tat com.acme.Tree.walk(Tree.java:12)
        \tat com.acme.Tree.walk(Tree.java:12)
        \tat com.acme.Tree.walk(Tree.java:12)
        \tat com.acme.Svc$$Lambda/0x000001f001a2b3c4.apply(Unknown Source)
        \tat com.acme.Svc.lambda$run$3(Svc.java:9)
        \tat com.acme.Svc$2.call(Svc.java:6)
        \tat com.acme.Ctl$$EnhancerBySpringCGLIB$$a1b2c3d4.get(<generated>)
        """;
    assertThat(fp(DEFAULTS, a).hash()).isEqualTo(fp(DEFAULTS, b).hash());
    String otherFunction = b.replace("lambda$run$3", "lambda$stop$3");
    assertThat(fp(DEFAULTS, otherFunction).hash()).isNotEqualTo(fp(DEFAULTS, a).hash());
  }

  @Test
  void typeIsPartOfTheFingerprint() {
    String a = "java.lang.IllegalStateException: x\n\tat com.acme.A.f(A.java:1)\n";
    String b = "java.lang.IllegalArgumentException: x\n\tat com.acme.A.f(A.java:1)\n";
    assertThat(fp(DEFAULTS, a).hash()).isNotEqualTo(fp(DEFAULTS, b).hash());
  }

  @Test
  void withoutInAppFramesFallsBackToTypeAndNormalisedMessage() {
    String a =
        "java.io.IOException: reset by 10.0.0.1 after 150ms\n\tat io.netty.X.read(X.java:1)\n";
    String b =
        "java.io.IOException: reset by 10.9.9.9 after 2.5s\n\tat io.netty.Y.read(Y.java:9)\n";
    String c = "java.io.IOException: closed by 10.0.0.1\n\tat io.netty.X.read(X.java:1)\n";
    assertThat(fp(DEFAULTS, a).hash()).isEqualTo(fp(DEFAULTS, b).hash());
    assertThat(fp(DEFAULTS, a).hash()).isNotEqualTo(fp(DEFAULTS, c).hash());
    assertThat(fp(DEFAULTS, a).title())
        .isEqualTo("java.io.IOException: reset by <ip> after <duration>");
    Fingerprint noStack =
        DEFAULTS.fingerprint(
            ErrorEvent.ofMessage(
                Platform.JAVA, "java.io.IOException", "reset by 10.1.1.1 after 9ms", Map.of()));
    assertThat(noStack.hash()).isEqualTo(fp(DEFAULTS, a).hash());
  }

  @Test
  void scriptPathsLoseOriginsBundleHashesAndReleaseDirectories() {
    assertThat(GroupingV1.path("https://cdn2.example.com/static/js/main.3fa2b1c9.js?v=2"))
        .isEqualTo("/static/js/main.js");
    assertThat(GroupingV1.path("/srv/app/releases/20240301-1205/src/a.js"))
        .isEqualTo("/srv/app/releases/<v>/src/a.js");
    assertThat(GroupingV1.path("webpack://shop/./src/a.js")).isEqualTo("./src/a.js");
    assertThat(GroupingV1.path("C:\\app\\v1.2.3\\x.py")).isEqualTo("C:/app/<v>/x.py");
    assertThat(GroupingV1.scriptFunction("dispatch/</<")).isEqualTo("dispatch");
    assertThat(GroupingV1.scriptFunction("")).isEqualTo("?");
    assertThat(GroupingV1.javaModule("jdk.proxy2.$Proxy87")).isEqualTo("$Proxy");
    assertThat(GroupingV1.javaModule("com.acme.User$HibernateProxy$Ab12Cd"))
        .isEqualTo("com.acme.User");
    assertThat(GroupingV1.javaModule("jdk.internal.reflect.GeneratedMethodAccessor42"))
        .isEqualTo("jdk.internal.reflect.GeneratedMethodAccessor");
    assertThat(GroupingV1.javaFunction("access$000")).isEqualTo("access$");
  }

  @Test
  void customRulesOverrideOrExtendTheDefault() {
    String a = "java.sql.SQLException: deadlock\n\tat com.acme.A.f(A.java:1)\n";
    String b = "java.sql.SQLException: deadlock\n\tat com.acme.B.g(B.java:1)\n";
    Grouping override =
        Grouping.create(
            InAppRules.defaults(),
            List.of(
                FingerprintRule.parse("type:java.sql.* message:\"*deadlock*\" -> db-deadlock")));
    assertThat(fp(override, a).hash()).isEqualTo(fp(override, b).hash());
    assertThat(fp(DEFAULTS, a).hash()).isNotEqualTo(fp(DEFAULTS, b).hash());

    Grouping extend =
        Grouping.create(
            InAppRules.defaults(),
            List.of(FingerprintRule.parse("tags.tenant:acme-* -> {{default}}, {{ message }}")));
    ErrorEvent e1 = ErrorEvent.parse(a, Map.of("tenant", "acme-eu"));
    ErrorEvent e2 =
        ErrorEvent.parse(a.replace("deadlock", "lock timeout"), Map.of("tenant", "acme-us"));
    ErrorEvent e3 =
        ErrorEvent.parse(a.replace("deadlock", "lock timeout"), Map.of("tenant", "other"));
    assertThat(extend.fingerprint(e1).hash()).isNotEqualTo(extend.fingerprint(e2).hash());
    // Not matched: default grouping, where the message does not count.
    assertThat(extend.fingerprint(e3).hash()).isEqualTo(DEFAULTS.fingerprint(e1).hash());

    Grouping byFunction =
        Grouping.create(
            InAppRules.defaults(),
            List.of(FingerprintRule.parse("function:/com\\.acme\\.[AB]\\.[fg]/ -> {{ type }}")));
    assertThat(fp(byFunction, a).hash()).isEqualTo(fp(byFunction, b).hash());
  }

  @Test
  void ruleParsingErrorsNameTheProblem() {
    assertThatThrownBy(() -> FingerprintRule.parse("type:X"))
        .hasMessage("fingerprint rule needs '->': type:X");
    assertThatThrownBy(() -> FingerprintRule.parse("colour:red -> x"))
        .hasMessage("fingerprint rule matcher unknown: colour");
    assertThatThrownBy(() -> FingerprintRule.parse("message:/(/ -> x"))
        .hasMessageStartingWith("fingerprint rule regex invalid");
    assertThatThrownBy(() -> FingerprintRule.parse(" -> x"))
        .hasMessage("fingerprint rule must have at least one matcher");
    assertThatThrownBy(() -> FingerprintRule.parse("type:X -> "))
        .hasMessage("fingerprint rule component must not be blank");
    assertThatThrownBy(() -> FingerprintRule.parse("message:\"abc -> x"))
        .hasMessage("fingerprint rule has an unclosed quote: message:\"abc");
  }

  @Test
  void versionsAreExplicit() {
    ErrorEvent e = ErrorEvent.parse(WRAPPED, Map.of());
    assertThat(DEFAULTS.fingerprint(e, "grouping-v1")).isEqualTo(DEFAULTS.fingerprint(e));
    assertThatThrownBy(() -> DEFAULTS.fingerprint(e, "grouping-v0"))
        .hasMessage("grouping version unknown: grouping-v0 (known: [grouping-v1])");
  }

  @Test
  void inAppRulesIncludesWinAndValidate() {
    StackFrame spring = new StackFrame("org.springframework.X", "f", "", 0, 0);
    StackFrame ours = new StackFrame("com.acme.X", "f", "", 0, 0);
    StackFrame lib = new StackFrame("com.other.X", "f", "", 0, 0);
    assertThat(InAppRules.defaults().isInApp(ours)).isTrue();
    assertThat(InAppRules.defaults().isInApp(lib)).isTrue();
    assertThat(InAppRules.defaults().isInApp(spring)).isFalse();
    InAppRules only =
        InAppRules.defaultsWithIncludes(List.of("com.acme.", "org.springframework.X"));
    assertThat(only.isInApp(ours)).isTrue();
    assertThat(only.isInApp(lib)).isFalse();
    assertThat(only.isInApp(spring)).isTrue();
    InAppRules d = InAppRules.defaults();
    assertThat(d.isInApp(frame("/app/node_modules/express/index.js"))).isFalse();
    assertThat(d.isInApp(frame("node:internal/process/task_queues"))).isFalse();
    assertThat(d.isInApp(frame("/usr/lib/python3.12/json/decoder.py"))).isFalse();
    assertThat(d.isInApp(frame("/venv/lib/python3.12/site-packages/django/x.py"))).isFalse();
    assertThat(d.isInApp(frame("/srv/app/orders/service.py"))).isTrue();
    assertThat(d.isInApp(frame("/srv/app/src/internal_api.js"))).isTrue();
    assertThat(d.isInApp(frame(""))).isFalse();
    assertThatThrownBy(() -> new InAppRules(List.of(" "), List.of()))
        .hasMessage("errors.in-app.includes must not contain blank entries");
    assertThatThrownBy(() -> new InAppRules(List.of(), List.of("x".repeat(257))))
        .hasMessageStartingWith("errors.in-app.excludes entry longer than 256 characters");
    assertThatThrownBy(() -> new InAppRules(null, List.of()))
        .hasMessage("errors.in-app.includes must not be null");
  }

  private static StackFrame frame(String path) {
    return new StackFrame(path, "f", path, 1, 1);
  }
}
