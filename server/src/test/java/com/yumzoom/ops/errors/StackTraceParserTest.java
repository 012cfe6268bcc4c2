package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StackTraceParserTest {

  @Test
  void javaChainWithModulesNativeUnknownAndMore() {
    String text =
        """
        Exception in thread "main" java.lang.IllegalStateException: order failed
        \tat com.acme.shop.OrderService.place(OrderService.java:42)
        \tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
        \tat java.base/java.lang.Thread.run(Thread.java:1583)
        Caused by: java.sql.SQLException: deadlock detected
        multi-line detail
        \tat org.postgresql.core.Executor.execute(Native Method)
        \tat com.acme.shop.OrderRepository.save(Unknown Source)
        \tat com.acme.shop.OrderService.place(OrderService.java:40)
        \t... 2 more
        \tSuppressed: java.io.IOException: close failed
        \t\tat com.acme.shop.Conn.close(Conn.java:9)
        \t\t... 3 more
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.platform()).isEqualTo(Platform.JAVA);
    assertThat(t.chain())
        .extracting(ExceptionRecord::type)
        .containsExactly("java.lang.IllegalStateException", "java.sql.SQLException");
    ExceptionRecord cause = t.rootCause();
    assertThat(cause.message()).isEqualTo("deadlock detected\nmulti-line detail");
    assertThat(cause.frames()).hasSize(5);
    assertThat(cause.frames().get(0))
        .isEqualTo(new StackFrame("org.postgresql.core.Executor", "execute", "", 0, 0));
    assertThat(cause.frames().get(1).file()).isEmpty();
    assertThat(cause.frames().get(2))
        .isEqualTo(
            new StackFrame("com.acme.shop.OrderService", "place", "OrderService.java", 40, 0));
    // "... 2 more" copies the last two frames of the enclosing exception, module prefix removed.
    assertThat(cause.frames().get(3).module())
        .isEqualTo("jdk.internal.reflect.DirectMethodHandleAccessor");
    assertThat(cause.frames().get(4).module()).isEqualTo("java.lang.Thread");
    assertThat(t.suppressed())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.type()).isEqualTo("java.io.IOException");
              assertThat(s.frames()).hasSize(4);
            });
  }

  @Test
  void javaSuppressedTakeTheirMissingFramesFromTheirOwner() {
    String text =
        """
        java.lang.IllegalStateException: main
        \tat com.acme.A.a(A.java:1)
        \tat com.acme.A.b(A.java:2)
        \tSuppressed: java.io.IOException: first
        \t\tat com.acme.C.close(C.java:1)
        \t\t... 2 more
        \tSuppressed: java.io.IOException: second
        \t\tat com.acme.D.close(D.java:1)
        \t\t... 1 more
        \tCaused by: java.net.SocketException: inner
        \t\tat com.acme.E.io(E.java:1)
        \t\t... 2 more
        Caused by: java.lang.RuntimeException: cause
        \tat com.acme.B.x(B.java:1)
        \t... 1 more
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.chain())
        .extracting(ExceptionRecord::type)
        .containsExactly("java.lang.IllegalStateException", "java.lang.RuntimeException");
    assertThat(t.rootCause().frames())
        .extracting(StackFrame::module)
        .containsExactly("com.acme.B", "com.acme.A");
    assertThat(t.suppressed())
        .extracting(e -> e.frames().stream().map(StackFrame::function).toList())
        .containsExactly(
            List.of("close", "a", "b"), List.of("close", "b"), List.of("io", "close", "b"));
  }

  @Test
  void indentedPythonTracebackIsRecognised() {
    ParsedStackTrace t =
        StackTraceParser.parse(
            "ERROR app: request failed\n  Traceback (most recent call last):\n"
                + "  File \"/srv/app/x.py\", line 3, in f\nValueError: bad\n");
    assertThat(t.platform()).isEqualTo(Platform.PYTHON);
    assertThat(t.rootCause().type()).isEqualTo("ValueError");
  }

  @Test
  void javaHiddenLambdaClassAndClassLoaderPrefix() {
    String text =
        """
        java.lang.NullPointerException
        \tat com.acme.App$$Lambda/0x000001f001234567.apply(Unknown Source)
        \tat app//com.acme.App.lambda$main$0(App.java:7)
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.rootCause().message()).isEmpty();
    assertThat(t.rootCause().frames())
        .extracting(StackFrame::module, StackFrame::function)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("com.acme.App$$Lambda", "apply"),
            org.assertj.core.groups.Tuple.tuple("com.acme.App", "lambda$main$0"));
  }

  @Test
  void v8Frames() {
    String text =
        """
        TypeError: Cannot read properties of undefined (reading 'id')
            at getUser (/app/src/users.js:10:5)
            at async Promise.all (index 0)
            at new Order (/app/src/order.js:3:9)
            at /app/src/index.js:1:2
            at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.platform()).isEqualTo(Platform.JAVASCRIPT);
    ExceptionRecord e = t.rootCause();
    assertThat(e.type()).isEqualTo("TypeError");
    assertThat(e.message()).isEqualTo("Cannot read properties of undefined (reading 'id')");
    assertThat(e.frames())
        .containsExactly(
            new StackFrame("/app/src/users.js", "getUser", "/app/src/users.js", 10, 5),
            new StackFrame("index 0", "Promise.all", "index 0", 0, 0),
            new StackFrame("/app/src/order.js", "Order", "/app/src/order.js", 3, 9),
            new StackFrame("/app/src/index.js", "", "/app/src/index.js", 1, 2),
            new StackFrame(
                "node:internal/process/task_queues",
                "process.processTicksAndRejections",
                "node:internal/process/task_queues",
                95,
                5));
  }

  @Test
  void firefoxAndSafariFrames() {
    String text =
        """
        handleClick@https://shop.example.com/static/main.3fa2b1c9.js:120:15
        dispatch/<@https://shop.example.com/static/vendor.js:9:3
        @https://shop.example.com/static/main.3fa2b1c9.js:1:1
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.platform()).isEqualTo(Platform.JAVASCRIPT);
    assertThat(t.rootCause().type()).isEqualTo("Error");
    assertThat(t.rootCause().frames())
        .extracting(StackFrame::function, StackFrame::line, StackFrame::column)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("handleClick", 120, 15),
            org.assertj.core.groups.Tuple.tuple("dispatch/<", 9, 3),
            org.assertj.core.groups.Tuple.tuple("", 1, 1));
    assertThat(t.rootCause().frames().getFirst().file())
        .isEqualTo("https://shop.example.com/static/main.3fa2b1c9.js");
  }

  @Test
  void pythonChainsInnermostFirst() {
    String text =
        """
        Traceback (most recent call last):
          File "/srv/app/billing/charge.py", line 12, in charge
            resp = client.post(url)
          File "/usr/lib/python3.12/site-packages/requests/api.py", line 115, in post
            return request("post", url)
        requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pay.example.com', port=443)

        The above exception was the direct cause of the following exception:

        Traceback (most recent call last):
          File "/srv/app/billing/views.py", line 30, in checkout
            charge(order)
            ^^^^^^^^^^^^^
          File "/srv/app/billing/charge.py", line 14, in charge
            raise PaymentError("payment provider unreachable") from e
        billing.errors.PaymentError: payment provider unreachable
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.platform()).isEqualTo(Platform.PYTHON);
    assertThat(t.chain())
        .extracting(ExceptionRecord::type)
        .containsExactly("billing.errors.PaymentError", "requests.exceptions.ConnectionError");
    assertThat(t.chain().getFirst().frames())
        .extracting(StackFrame::function)
        .containsExactly("charge", "checkout");
    assertThat(t.rootCause().frames().getFirst())
        .isEqualTo(
            new StackFrame(
                "/usr/lib/python3.12/site-packages/requests/api.py",
                "post",
                "/usr/lib/python3.12/site-packages/requests/api.py",
                115,
                0));
    assertThat(t.rootCause().message()).startsWith("HTTPSConnectionPool(host=");
  }

  @Test
  void pythonDuringHandlingAndBareType() {
    String text =
        """
        Traceback (most recent call last):
          File "app.py", line 3, in <module>
        KeyError

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "app.py", line 5, in <module>
        ValueError: bad value 3
        """;
    ParsedStackTrace t = StackTraceParser.parse(text);
    assertThat(t.chain())
        .extracting(ExceptionRecord::type, ExceptionRecord::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ValueError", "bad value 3"),
            org.assertj.core.groups.Tuple.tuple("KeyError", ""));
  }

  @Test
  void garbageNeverThrows() {
    assertThat(StackTraceParser.parse("").chain()).hasSize(1);
    assertThat(StackTraceParser.parse("something went wrong").rootCause().message())
        .isEqualTo("something went wrong");
    assertThat(StackTraceParser.parse("oops ".repeat(4_000)).rootCause().message())
        .hasSize(ExceptionRecord.MAX_MESSAGE);
    assertThatThrownBy(() -> StackTraceParser.parse(null))
        .hasMessage("stack trace must not be null");
  }

  @Test
  void recordsValidate() {
    assertThatThrownBy(() -> new StackFrame("m", "f", "x".repeat(1025), 1, 1))
        .hasMessage("frame.file longer than 1024 characters");
    assertThatThrownBy(() -> new StackFrame("m", "f", "", -1, 1))
        .hasMessage("frame.line must not be negative, got -1");
    assertThatThrownBy(() -> new ExceptionRecord(" ", "", List.of()))
        .hasMessage("exception.type must not be blank");
    assertThatThrownBy(() -> new ParsedStackTrace(Platform.JAVA, List.of(), List.of()))
        .hasMessage("trace.chain must not be empty");
    assertThatThrownBy(() -> new Fingerprint("v", "abc", "t"))
        .hasMessage("fingerprint.hash must be 32 lowercase hex characters");
  }
}
