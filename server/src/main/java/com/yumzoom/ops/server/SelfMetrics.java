package com.yumzoom.ops.server;

import com.yumzoom.ops.ingest.IngestStats;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.pipeline.GroupCommitWriter;
import com.yumzoom.ops.store.SpanStore;

/**
 * The server's own metrics in the Prometheus text exposition format (version 0.0.4), served at
 * {@code /metrics} so any Prometheus can scrape the platform that watches everything else.
 */
final class SelfMetrics {

  private final IngestStats ingest;
  private final GroupCommitWriter writer;
  private final SpanStore store;
  private final SampleStore samples;

  SelfMetrics(IngestStats ingest, GroupCommitWriter writer, SpanStore store, SampleStore samples) {
    this.ingest = ingest;
    this.writer = writer;
    this.store = store;
    this.samples = samples;
  }

  String render() {
    StringBuilder out = new StringBuilder(2048);
    counter(
        out,
        "yumzoom_ingest_spans_accepted_total",
        "Spans acknowledged as durable.",
        ingest.acceptedSpans());
    counter(
        out,
        "yumzoom_ingest_spans_rejected_total",
        "Spans dropped from accepted requests (partial success).",
        ingest.rejectedSpans());
    out.append("# HELP yumzoom_ingest_requests_total Ingest requests by outcome.\n");
    out.append("# TYPE yumzoom_ingest_requests_total counter\n");
    for (IngestStats.Outcome outcome : IngestStats.Outcome.values()) {
      out.append("yumzoom_ingest_requests_total{outcome=\"")
          .append(outcome.label())
          .append("\"} ")
          .append(ingest.requests(outcome))
          .append('\n');
    }
    gauge(
        out, "yumzoom_pipeline_queued_spans", "Spans waiting for a commit.", writer.queuedSpans());
    counter(out, "yumzoom_pipeline_commits_total", "Group commits done.", writer.commits());
    counter(
        out,
        "yumzoom_pipeline_commit_failures_total",
        "Group commits that failed.",
        writer.failedCommits());
    counter(
        out, "yumzoom_pipeline_committed_spans_total", "Spans committed.", writer.committedSpans());
    counter(
        out,
        "yumzoom_pipeline_rejected_spans_total",
        "Spans refused because the queue was full or the server was stopping.",
        writer.rejectedSpans());
    gauge(
        out,
        "yumzoom_pipeline_last_commit_seconds",
        "Duration of the last group commit.",
        writer.lastCommitDuration().toNanos() / 1e9);
    gauge(
        out,
        "yumzoom_pipeline_max_commit_seconds",
        "Longest group commit since start.",
        writer.maxCommitDuration().toNanos() / 1e9);
    gauge(out, "yumzoom_store_spans", "Spans in the store.", store.spanCount());
    gauge(out, "yumzoom_metrics_series", "Series in the metrics store.", samples.seriesCount());
    counter(
        out,
        "yumzoom_metrics_rejected_samples_total",
        "Samples refused by the metrics store (series limit).",
        samples.rejectedSamples());
    jvm(out);
    return out.toString();
  }

  /** JVM and process metrics, named as the Prometheus Java client names them (dashboards). */
  private static void jvm(StringBuilder out) {
    java.lang.management.MemoryMXBean memory =
        java.lang.management.ManagementFactory.getMemoryMXBean();
    out.append("# TYPE jvm_memory_used_bytes gauge\n");
    out.append("# TYPE jvm_memory_committed_bytes gauge\n");
    out.append("# TYPE jvm_memory_max_bytes gauge\n");
    for (var area :
        java.util.Map.of(
                "heap", memory.getHeapMemoryUsage(), "nonheap", memory.getNonHeapMemoryUsage())
            .entrySet()) {
      String l = "{area=\"" + area.getKey() + "\"} ";
      out.append("jvm_memory_used_bytes").append(l).append(area.getValue().getUsed()).append('\n');
      out.append("jvm_memory_committed_bytes")
          .append(l)
          .append(area.getValue().getCommitted())
          .append('\n');
      out.append("jvm_memory_max_bytes").append(l).append(area.getValue().getMax()).append('\n');
    }
    out.append("# TYPE jvm_gc_collection_seconds summary\n");
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      String l = "{gc=\"" + gc.getName().replace("\"", "") + "\"} ";
      out.append("jvm_gc_collection_seconds_count")
          .append(l)
          .append(gc.getCollectionCount())
          .append('\n');
      out.append("jvm_gc_collection_seconds_sum")
          .append(l)
          .append(gc.getCollectionTime() / 1e3)
          .append('\n');
    }
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    gauge(out, "jvm_threads_current", "Live platform threads.", threads.getThreadCount());
    gauge(out, "jvm_threads_daemon", "Live daemon threads.", threads.getDaemonThreadCount());
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      counter(
          out,
          "process_cpu_seconds_total",
          "CPU time of the process.",
          os.getProcessCpuTime() / 1e9);
    }
    gauge(
        out,
        "process_start_time_seconds",
        "Start of the process, seconds since the epoch.",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3);
  }

  private static void counter(StringBuilder out, String name, String help, double value) {
    metric(out, name, "counter", help, value);
  }

  private static void gauge(StringBuilder out, String name, String help, double value) {
    metric(out, name, "gauge", help, value);
  }

  private static void metric(
      StringBuilder out, String name, String type, String help, double value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ');
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(value);
    }
    out.append('\n');
  }
}
