package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiEventsTest {

  static List<Occurrence> parse(String json) {
    return ApiEvents.parse(json.getBytes(StandardCharsets.UTF_8), 1_000L);
  }

  @Test
  void structuredFramesAndContext() {
    Occurrence o =
        parse(
                """
                {"timestamp": 5000, "service": "menu", "release": "2.0", "environment": "prod",
                 "level": "warning", "platform": "python",
                 "traceId": "0AF7651916CD43DD8448EB211C80319C", "user": {"id": "u1"},
                 "request": {"url": "/menu"}, "tags": {"region": "eu"},
                 "exception": {"type": "KeyError", "message": "'sku-9'",
                   "frames": [{"module": "/srv/app/menu.py", "function": "load", "line": 3}]}}
                """)
            .getFirst();
    assertThat(o.timestampMs()).isEqualTo(5000);
    assertThat(o.level()).isEqualTo("warning");
    assertThat(o.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(o.userId()).isEqualTo("u1");
    assertThat(o.event().trace().platform()).isEqualTo(Platform.PYTHON);
    assertThat(o.event().trace().rootCause().frames().getFirst().function()).isEqualTo("load");
    assertThat(o.event().tags()).containsEntry("region", "eu");
  }

  @Test
  void printedStackTraceIsParsedAndTimestampDefaultsToNow() {
    Occurrence o =
        parse(
                "{\"exception\": {\"stacktrace\": \"java.lang.IllegalStateException: x\\n"
                    + "\\tat com.acme.A.b(A.java:1)\\n\"}}")
            .getFirst();
    assertThat(o.timestampMs()).isEqualTo(1_000L);
    assertThat(o.event().trace().rootCause().type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(o.service()).isEqualTo("unknown_service");
  }

  @Test
  void errorsNameTheFieldPathAndTheLimit() {
    assertThatThrownBy(() -> parse("[1]")).hasMessage("body: must be a JSON object");
    assertThatThrownBy(() -> parse("{\"events\": []}"))
        .hasMessage("events: must be a non-empty array");
    String many = "{\"events\": [" + "{},".repeat(100) + "{}]}";
    assertThatThrownBy(() -> parse(many)).hasMessage("events: more than 100 events (limit 100)");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"events\": [{\"exception\": {\"type\": \"T\"}},"
                        + " {\"exception\": {\"type\": \"T\", \"frames\": [{\"function\": \""
                        + "f".repeat(2000)
                        + "\"}]}}]}"))
        .hasMessage(
            "events[1].exception.frames[0].function: longer than 1024 characters (limit 1024)");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"release\": \"" + "r".repeat(300) + "\", \"exception\": {\"type\": \"T\"}}"))
        .hasMessage("release: longer than 256 characters (limit 256)");
    assertThatThrownBy(() -> parse("{\"traceId\": \"xyz\", \"exception\": {\"type\": \"T\"}}"))
        .hasMessage("trace_id: must be 32 hex characters, got 'xyz'");
    assertThatThrownBy(() -> parse("{\"level\": \"loud\", \"exception\": {\"type\": \"T\"}}"))
        .hasMessageStartingWith("level: must be fatal, error, warning, info or debug");
  }
}
