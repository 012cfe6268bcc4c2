package com.yumzoom.ops.ingest.metrics;

import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.SampleStore;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;

/**
 * Translate and store one request, shared by the HTTP and gRPC endpoints. Rejections (by the
 * translator, the store's series limit, or out-of-order samples) are counted in samples and
 * reported as {@code rejected_data_points} of a partial success: the Prometheus model has no data
 * points, and a sample is the unit the store counts.
 */
final class MetricsIngest {

  private final OtlpMetricsTranslator translator;
  private final SampleStore store;
  private final MetricsIngestStats stats;

  MetricsIngest(OtlpMetricsTranslator translator, SampleStore store) {
    this(translator, store, new MetricsIngestStats());
  }

  MetricsIngest(OtlpMetricsTranslator translator, SampleStore store, MetricsIngestStats stats) {
    this.translator = translator;
    this.store = store;
    this.stats = stats;
  }

  ExportMetricsServiceResponse export(ExportMetricsServiceRequest request) {
    stats.requests.incrementAndGet();
    OtlpMetricsTranslator.Translation t = translator.translate(request);
    int rejected = t.rejectedPoints();
    StringBuilder error = new StringBuilder(t.error() == null ? "" : t.error());
    if (!t.samples().isEmpty()) {
      AppendResult r;
      try {
        r = store.append(t.samples());
      } catch (com.yumzoom.ops.pipeline.OverloadedException e) {
        stats.overloaded.incrementAndGet();
        throw e;
      }
      stats.samplesStored.addAndGet(r.appended());
      rejected += r.rejected() + r.outOfOrder();
      if (r.error() != null) {
        append(error, r.error());
      }
      if (r.outOfOrder() > 0) {
        append(error, r.outOfOrder() + " samples older than the newest sample of their series");
      }
    }
    stats.pointsRejected.addAndGet(rejected);
    ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
    if (rejected > 0 || !error.isEmpty()) {
      response.setPartialSuccess(
          ExportMetricsPartialSuccess.newBuilder()
              .setRejectedDataPoints(rejected)
              .setErrorMessage(error.toString()));
    }
    return response.build();
  }

  private static void append(StringBuilder b, String message) {
    if (!b.isEmpty()) {
      b.append("; ");
    }
    b.append(message);
  }
}
