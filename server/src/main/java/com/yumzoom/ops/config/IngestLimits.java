package com.yumzoom.ops.config;

/**
 * Limits applied to every ingest request, before anything is queued.
 *
 * @param maxBodyBytes largest request body, after decompression is not counted (413 when exceeded)
 * @param maxSpansPerRequest most spans in one export request
 * @param maxAttributesPerSpan most attributes on one span (resource attributes counted apart)
 * @param maxAttributeValueLength longest string attribute value, in characters
 * @param maxSpanNameLength longest span name, in characters
 */
public record IngestLimits(
    long maxBodyBytes,
    int maxSpansPerRequest,
    int maxAttributesPerSpan,
    int maxAttributeValueLength,
    int maxSpanNameLength) {

  public static final IngestLimits DEFAULTS =
      new IngestLimits(16L << 20, 10_000, 128, 16_384, 1024);

  public IngestLimits {
    positive("ingest.max-body-bytes", maxBodyBytes);
    positive("ingest.max-spans-per-request", maxSpansPerRequest);
    positive("ingest.max-attributes-per-span", maxAttributesPerSpan);
    positive("ingest.max-attribute-value-length", maxAttributeValueLength);
    positive("ingest.max-span-name-length", maxSpanNameLength);
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new ConfigException(key, "must be positive, got " + value);
    }
  }
}
