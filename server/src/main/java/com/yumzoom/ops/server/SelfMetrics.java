package com.yumzoom.ops.server;

import com.yumzoom.ops.ingest.IngestStats;
import com.yumzoom.ops.ingest.metrics.MetricsIngestStats;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.metrics.duckdb.DuckDbSampleStore;
import com.yumzoom.ops.metrics.scrape.ScrapeStats;
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
  private volatile ScrapeStats scrapeStats;
  private volatile MetricsIngestStats otlpMetricsStats;

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
    if (samples instanceof DuckDbSampleStore d) {
      metricsStore(out, d);
    }
    MetricsIngestStats otlp = otlpMetricsStats;
    if (otlp != null) {
      counter(
          out,
          "yumzoom_otlp_metrics_requests_total",
          "OTLP metrics export requests handled.",
          otlp.requests());
      counter(
          out,
          "yumzoom_otlp_metrics_samples_stored_total",
          "Samples from OTLP metrics the store accepted.",
          otlp.samplesStored());
      counter(
          out,
          "yumzoom_otlp_metrics_points_rejected_total",
          "OTLP data points or samples refused (reported as partial successes).",
          otlp.pointsRejected());
      counter(
          out,
          "yumzoom_otlp_metrics_overloaded_total",
          "OTLP metrics requests refused because the metrics write queue was full.",
          otlp.overloaded());
    }
    ScrapeStats scrape = scrapeStats;
    if (scrape != null) {
      counter(out, "yumzoom_scrapes_total", "Scrapes of configured targets.", scrape.scrapes());
      counter(
          out,
          "yumzoom_scrapes_failed_total",
          "Scrapes that failed (up = 0), the sample limit included.",
          scrape.failedScrapes());
      counter(
          out,
          "yumzoom_scrapes_sample_limit_exceeded_total",
          "Scrapes refused because they exceeded their job's sample_limit.",
          scrape.sampleLimitExceeded());
    }
    jvm(out);
    return out.toString();
  }

  /** Adds the OTLP metrics ingest counters to the exposition. */
  void otlpMetricsStats(MetricsIngestStats stats) {
    this.otlpMetricsStats = stats;
  }

  /** Adds the scrape counters to the exposition. */
  void scrapeStats(ScrapeStats stats) {
    this.scrapeStats = stats;
  }

  private static void metricsStore(StringBuilder out, DuckDbSampleStore d) {
    DuckDbSampleStore.Rejections r = d.rejections();
    String name = "yumzoom_metrics_rejected_series_total";
    out.append("# HELP ").append(name).append(" New series refused, by the limit they hit.\n");
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append("{limit=\"metrics.max-series\"} ").append(r.seriesLimit()).append('\n');
    out.append(name)
        .append("{limit=\"metrics.max-series-per-metric\"} ")
        .append(r.perMetricLimit())
        .append('\n');
    out.append(name)
        .append("{limit=\"metrics.max-labels-per-series\"} ")
        .append(r.labelLimit())
        .append('\n');
    counter(
        out,
        "yumzoom_metrics_out_of_order_samples_total",
        "Samples older than (or conflicting with) the newest sample of their series.",
        r.outOfOrder());
    counter(
        out,
        "yumzoom_metrics_committed_samples_total",
        "Samples committed to metrics.duckdb.",
        d.committedSamples());
    counter(out, "yumzoom_metrics_commits_total", "Group commits of samples.", d.commits());
    counter(
        out,
        "yumzoom_metrics_failed_commits_total",
        "Group commits that failed.",
        d.failedCommits());
    gauge(
        out,
        "yumzoom_metrics_queued_samples",
        "Samples waiting for the group commit.",
        d.queuedSamples());
    gauge(
        out,
        "yumzoom_metrics_last_commit_seconds",
        "Duration of the last group commit of samples.",
        d.lastCommitDuration().toNanos() / 1e9);
    gauge(out, "yumzoom_metrics_store_bytes", "Size of metrics.duckdb.", d.fileBytes());
    gauge(
        out,
        "yumzoom_metrics_rollup_lag_seconds",
        "How far the 5-minute rollups trail the clock.",
        d.rollupLag().toMillis() / 1e3);
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
