package com.yumzoom.ops.errors;

import com.yumzoom.ops.store.TraceId;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * OTLP log records that carry {@code exception.*} attributes become occurrences; every other record
 * is counted and dropped (YumZoom Ops does not store logs yet).
 */
final class OtlpLogs {

  static final int MAX_RECORDS = 10_000;

  private OtlpLogs() {}

  record Extracted(List<Occurrence> occurrences, int dropped) {}

  static Extracted extract(ExportLogsServiceRequest request, long nowMs) {
    List<Occurrence> out = new ArrayList<>();
    int dropped = 0;
    int seen = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      OtlpExceptions.Resource resource =
          OtlpExceptions.Resource.of(rl.getResource().getAttributesList());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          if (++seen > MAX_RECORDS) {
            throw new IllegalArgumentException(
                "resourceLogs: more than "
                    + MAX_RECORDS
                    + " log records (limit "
                    + MAX_RECORDS
                    + ")");
          }
          Map<String, String> attributes = OtlpExceptions.strings(r.getAttributesList());
          if (!OtlpExceptions.hasException(attributes)) {
            dropped++;
            continue;
          }
          long ns = r.getTimeUnixNano() > 0 ? r.getTimeUnixNano() : r.getObservedTimeUnixNano();
          String traceId =
              r.getTraceId().size() == 16
                  ? TraceId.fromBytes(r.getTraceId().toByteArray()).toHex()
                  : "";
          String spanId =
              r.getSpanId().size() == 8
                  ? HexFormat.of().formatHex(r.getSpanId().toByteArray())
                  : "";
          String body = r.getBody().hasStringValue() ? r.getBody().getStringValue() : "";
          Map<String, String> tags =
              body.isEmpty()
                  ? Map.of()
                  : Map.of("log.message", OtlpExceptions.cut(body, Occurrence.MAX_TAG_VALUE));
          out.add(
              OtlpExceptions.occurrence(
                  attributes,
                  resource,
                  "otlp-log",
                  ns > 0 ? ns / 1_000_000 : nowMs,
                  traceId,
                  spanId,
                  level(r.getSeverityNumberValue()),
                  tags,
                  OtlpExceptions.occurrenceSeed(
                      traceId,
                      spanId,
                      attributes,
                      traceId,
                      spanId,
                      Long.toString(ns),
                      Integer.toString(seen),
                      Long.toString(nowMs))));
        }
      }
    }
    return new Extracted(out, dropped);
  }

  /** OTLP severity numbers: 13-16 warn, 17-20 error, 21-24 fatal. */
  static String level(int severity) {
    if (severity >= 21) {
      return "fatal";
    }
    if (severity >= 17 || severity == 0) {
      return "error";
    }
    if (severity >= 13) {
      return "warning";
    }
    return severity >= 9 ? "info" : "debug";
  }
}
