package com.yumzoom.ops.query;

import com.linecorp.armeria.common.QueryParams;
import com.yumzoom.ops.query.SearchFilter.Comparison;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code GET /api/search}: Tempo's parameters {@code q} (TraceQL subset) or {@code tags}
 * (logfmt), {@code minDuration}, {@code maxDuration}, {@code limit}, {@code start}, {@code end}.
 * Parameters Grafana adds that do not change the answer here ({@code spss}) are ignored.
 */
record SearchRequest(SearchFilter filter, TimeRange range, int limit) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 1000;
  static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

  static SearchRequest parse(QueryParams params, Clock clock) {
    String q = Params.optional(params, "q");
    String tags = Params.optional(params, "tags");
    if (q != null && tags != null) {
      throw new BadRequestException("parameters 'q' and 'tags' cannot be used together");
    }
    SearchFilter.Builder builder = SearchFilter.builder();
    if (q != null) {
      TraceQl.parseInto(q, builder);
    }
    if (tags != null) {
      applyTags(tags, builder);
    }
    long min = Params.duration(params, "minDuration", 0);
    // Tempo reads maxDuration=0 as "no upper bound"
    long max = Params.duration(params, "maxDuration", 0);
    if (max != 0 && max < min) {
      throw BadRequestException.parameter("maxDuration", "must not be less than 'minDuration'");
    }
    if (min > 0) {
      builder.spanDuration(Comparison.GE, min);
    }
    if (max > 0) {
      builder.spanDuration(Comparison.LE, max);
    }
    int limit = Params.limit(params, "limit", DEFAULT_LIMIT, MAX_LIMIT);
    TimeRange range = TimeRange.parse(params, clock, DEFAULT_WINDOW).throughEndSecond();
    return new SearchRequest(builder.build(), range, limit);
  }

  private static void applyTags(String text, SearchFilter.Builder builder) {
    Map<String, String> pairs;
    try {
      pairs = Logfmt.parse(text);
    } catch (IllegalArgumentException e) {
      throw BadRequestException.parameter("tags", "is not valid logfmt: " + e.getMessage());
    }
    for (Map.Entry<String, String> pair : pairs.entrySet()) {
      String key = pair.getKey();
      String value = pair.getValue();
      switch (key) {
        case "service.name", "resource.service.name", ".service.name" ->
            builder.service(List.of(value));
        case "name" -> builder.spanName(List.of(value));
        case "status", "status.code" -> {
          if (!value.equals("error")) {
            throw BadRequestException.parameter(
                "tags", key + "=" + value + " is not supported; only " + key + "=error is");
          }
          builder.errorsOnly();
        }
        default -> {
          String attribute = attributeKey(key);
          if (attribute.isEmpty()) {
            throw BadRequestException.parameter("tags", "'" + key + "' names no attribute");
          }
          builder.tag(attribute, List.of(value));
        }
      }
    }
  }

  /** The attribute key without a TraceQL scope prefix ({@code span.}, {@code resource.}, '.'). */
  static String attributeKey(String key) {
    if (key.startsWith("span.")) {
      return key.substring("span.".length());
    }
    if (key.startsWith("resource.")) {
      return key.substring("resource.".length());
    }
    if (key.startsWith(".")) {
      return key.substring(1);
    }
    return key;
  }
}
