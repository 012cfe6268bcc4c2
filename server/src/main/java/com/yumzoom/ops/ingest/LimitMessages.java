package com.yumzoom.ops.ingest;

/**
 * The texts of limit violations, shared by the decoders so that OTLP and Zipkin clients read the
 * same sentence: the field path, what was found, the limit and the configuration key that sets it.
 */
final class LimitMessages {

  static final String MAX_SPANS_KEY = "ingest.max-spans-per-request";
  static final String MAX_NAME_KEY = "ingest.max-span-name-length";
  static final String MAX_ATTRIBUTES_KEY = "ingest.max-attributes-per-span";
  static final String MAX_VALUE_KEY = "ingest.max-attribute-value-length";
  static final String MAX_BODY_KEY = "ingest.max-body-bytes";

  private static final int MAX_QUOTED_KEY = 64;

  private LimitMessages() {}

  static InvalidRequestException tooManySpans(String path, long count, int limit) {
    return new InvalidRequestException(
        path
            + " has "
            + count
            + " spans, more than the limit of "
            + limit
            + " ("
            + MAX_SPANS_KEY
            + ")");
  }

  static InvalidRequestException nameTooLong(String path, int length, int limit) {
    return new InvalidRequestException(
        path
            + " is "
            + length
            + " characters, longer than the limit of "
            + limit
            + " ("
            + MAX_NAME_KEY
            + ")");
  }

  static InvalidRequestException tooManyAttributes(String path, int count, int limit) {
    return new InvalidRequestException(
        path
            + " has "
            + count
            + " entries, more than the limit of "
            + limit
            + " ("
            + MAX_ATTRIBUTES_KEY
            + ")");
  }

  static InvalidRequestException valueTooLong(String path, String key, int length, int limit) {
    return new InvalidRequestException(
        path
            + " (key \""
            + quoted(key)
            + "\") is "
            + length
            + " characters, longer than the limit of "
            + limit
            + " ("
            + MAX_VALUE_KEY
            + ")");
  }

  static String bodyTooLarge(long limit) {
    return "request body is larger than the limit of "
        + limit
        + " bytes ("
        + MAX_BODY_KEY
        + "; counted after decompression too)";
  }

  /** Keys are client text: keep the message short and on one line. */
  private static String quoted(String key) {
    String k = key.length() > MAX_QUOTED_KEY ? key.substring(0, MAX_QUOTED_KEY) + "..." : key;
    return k.replace('\n', ' ').replace('\r', ' ').replace("\"", "\\\"");
  }
}
