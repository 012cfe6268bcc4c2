package com.yumzoom.ops.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds a {@link YumzoomConfig} from, in increasing precedence: defaults, an optional YAML file,
 * environment variables, and flags ({@code --set key=value}).
 *
 * <p>Every key is declared once in {@link #KEYS} with its default; a key that is not declared is an
 * error, so a typo in the file fails the start instead of being ignored. The environment variable
 * of a key is {@code YUMZOOM_} + the key upper-cased with dots and dashes as underscores ({@code
 * ingest.max-body-bytes} is {@code YUMZOOM_INGEST_MAX_BODY_BYTES}).
 */
public final class ConfigLoader {

  /** Declared keys and their defaults, in documentation order. */
  static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("data-dir", "./data");
    KEYS.put("server.host", "0.0.0.0");
    KEYS.put("server.http-port", "8080");
    KEYS.put("otlp.grpc-port", "4317");
    KEYS.put("otlp.http-port", "4318");
    IngestLimits d = IngestLimits.DEFAULTS;
    KEYS.put("ingest.max-body-bytes", Long.toString(d.maxBodyBytes()));
    KEYS.put("ingest.max-spans-per-request", Integer.toString(d.maxSpansPerRequest()));
    KEYS.put("ingest.max-attributes-per-span", Integer.toString(d.maxAttributesPerSpan()));
    KEYS.put("ingest.max-attribute-value-length", Integer.toString(d.maxAttributeValueLength()));
    KEYS.put("ingest.max-span-name-length", Integer.toString(d.maxSpanNameLength()));
    KEYS.put("pipeline.queue-max-spans", "200000");
    KEYS.put("pipeline.commit-max-spans", "50000");
    KEYS.put("pipeline.max-concurrent-requests", "16");
    KEYS.put("pipeline.retry-after", "1s");
    KEYS.put("retention.max-age", "7d");
    KEYS.put("retention.check-interval", "5m");
    KEYS.put("metrics.self-scrape-interval", "15s");
    KEYS.put("errors.sentry-keys", "yumzoom");
    KEYS.put("errors.queue-max-events", "50000");
    KEYS.put("errors.commit-max-events", "5000");
    KEYS.put("errors.in-app-includes", "");
    KEYS.put("errors.fingerprint-rules-file", "");
    KEYS.put("alerting.config-file", "");
    KEYS.put("alerting.delivery.workers", "4");
    KEYS.put("alerting.delivery.max-attempts", "10");
    KEYS.put("alerting.delivery.max-age", "1h");
    KEYS.put("alerting.delivery.initial-backoff", "1s");
    KEYS.put("alerting.delivery.max-backoff", "5m");
    KEYS.put("alerting.delivery.request-timeout", "10s");
    KEYS.put("alerting.delivery.max-pending", "10000");
    KEYS.put("alerting.delivery.public-url", "");
    KEYS.put("alerting.delivery.link-ttl", "7d");
    KEYS.put("alerting.delivery.history-max-age", "30d");
    KEYS.put("alerting.incidents.auto-open-severities", "critical");
    KEYS.put("alerting.enabled", "true");
    KEYS.put("alerting.rule-files", "");
    KEYS.put("alerting.evaluation-interval", "15s");
    KEYS.put("alerting.reload-interval", "1m");
    KEYS.put("alerting.external-url", "");
    KEYS.put("alerting.receiver-rate-limit", "60");
    KEYS.put("alerting.receiver-rate-burst", "20");
    KEYS.put("alerting.history-retention", "30d");
    KEYS.put("storage.span-log.enabled", "false");
    MetricsSettings m = MetricsSettings.DEFAULTS;
    KEYS.put("metrics.max-series", Integer.toString(m.maxSeries()));
    KEYS.put("metrics.max-series-per-metric", Integer.toString(m.maxSeriesPerMetric()));
    KEYS.put("metrics.max-labels-per-series", Integer.toString(m.maxLabelsPerSeries()));
    KEYS.put("metrics.head-samples-per-series", Integer.toString(m.headSamplesPerSeries()));
    KEYS.put("metrics.queue-max-samples", Integer.toString(m.queueMaxSamples()));
    KEYS.put("metrics.retention.raw", "15d");
    KEYS.put("metrics.retention.5m", "90d");
    KEYS.put("metrics.retention.1h", "365d");
    KEYS.put("metrics.scrape-config-file", "");
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigLoader() {}

  /**
   * Loads the configuration.
   *
   * @param file YAML file, or null for none
   * @param env environment variables (usually {@link System#getenv()})
   * @param flags key/value overrides from the command line
   * @throws ConfigException naming the first offending key
   */
  public static YumzoomConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
    Map<String, String> values = new LinkedHashMap<>(KEYS);
    if (file != null) {
      values.putAll(readYaml(file));
    }
    for (String key : KEYS.keySet()) {
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        values.put(key, fromEnv);
      }
    }
    for (Map.Entry<String, String> flag : flags.entrySet()) {
      if (!KEYS.containsKey(flag.getKey())) {
        throw new ConfigException(flag.getKey(), "unknown key; known keys: " + KEYS.keySet());
      }
      values.put(flag.getKey(), flag.getValue());
    }
    return build(values);
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return "YUMZOOM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Declared keys with their defaults. */
  public static Map<String, String> defaults() {
    return java.util.Collections.unmodifiableMap(KEYS);
  }

  private static YumzoomConfig build(Map<String, String> v) {
    IngestLimits limits =
        new IngestLimits(
            parse(v, "ingest.max-body-bytes", Long::parseLong),
            parse(v, "ingest.max-spans-per-request", Integer::parseInt),
            parse(v, "ingest.max-attributes-per-span", Integer::parseInt),
            parse(v, "ingest.max-attribute-value-length", Integer::parseInt),
            parse(v, "ingest.max-span-name-length", Integer::parseInt));
    YumzoomConfig.PipelineSettings pipeline =
        new YumzoomConfig.PipelineSettings(
            parse(v, "pipeline.queue-max-spans", Integer::parseInt),
            parse(v, "pipeline.commit-max-spans", Integer::parseInt),
            parse(v, "pipeline.max-concurrent-requests", Integer::parseInt),
            parse(v, "pipeline.retry-after", ConfigLoader::duration));
    YumzoomConfig.RetentionSettings retention =
        new YumzoomConfig.RetentionSettings(
            parse(v, "retention.max-age", ConfigLoader::duration),
            parse(v, "retention.check-interval", ConfigLoader::duration));
    Duration selfScrapeInterval = parse(v, "metrics.self-scrape-interval", ConfigLoader::duration);
    if (selfScrapeInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException(
          "metrics.self-scrape-interval", "must be at least 1s, got " + selfScrapeInterval);
    }
    String rulesFile = v.get("errors.fingerprint-rules-file").trim();
    YumzoomConfig.ErrorsSettings errors =
        new YumzoomConfig.ErrorsSettings(
            list(v.get("errors.sentry-keys")),
            parse(v, "errors.queue-max-events", Integer::parseInt),
            parse(v, "errors.commit-max-events", Integer::parseInt),
            list(v.get("errors.in-app-includes")),
            rulesFile.isEmpty() ? null : Path.of(rulesFile));
    String alertingFile = v.get("alerting.config-file").trim();
    java.util.Set<String> incidentSeverities = new java.util.LinkedHashSet<>();
    for (String sev : v.get("alerting.incidents.auto-open-severities").split(",")) {
      if (!sev.isBlank()) {
        incidentSeverities.add(sev.trim());
      }
    }
    YumzoomConfig.AlertDeliverySettings alertDelivery =
        new YumzoomConfig.AlertDeliverySettings(
            alertingFile.isEmpty() ? null : Path.of(alertingFile),
            parse(v, "alerting.delivery.workers", Integer::parseInt),
            parse(v, "alerting.delivery.max-attempts", Integer::parseInt),
            parse(v, "alerting.delivery.max-age", ConfigLoader::duration),
            parse(v, "alerting.delivery.initial-backoff", ConfigLoader::duration),
            parse(v, "alerting.delivery.max-backoff", ConfigLoader::duration),
            parse(v, "alerting.delivery.request-timeout", ConfigLoader::duration),
            parse(v, "alerting.delivery.max-pending", Integer::parseInt),
            v.get("alerting.delivery.public-url").trim(),
            parse(v, "alerting.delivery.link-ttl", ConfigLoader::duration),
            parse(v, "alerting.delivery.history-max-age", ConfigLoader::duration),
            incidentSeverities);
    YumzoomConfig.AlertingSettings alerting = alerting(v);
    String scrapeFile = v.get("metrics.scrape-config-file").trim();
    MetricsSettings metrics =
        new MetricsSettings(
            parse(v, "metrics.max-series", Integer::parseInt),
            parse(v, "metrics.max-series-per-metric", Integer::parseInt),
            parse(v, "metrics.max-labels-per-series", Integer::parseInt),
            parse(v, "metrics.head-samples-per-series", Integer::parseInt),
            parse(v, "metrics.queue-max-samples", Integer::parseInt),
            parse(v, "metrics.retention.raw", ConfigLoader::duration),
            parse(v, "metrics.retention.5m", ConfigLoader::duration),
            parse(v, "metrics.retention.1h", ConfigLoader::duration),
            scrapeFile.isEmpty() ? null : Path.of(scrapeFile));
    String dataDir = v.get("data-dir");
    if (dataDir.isBlank()) {
      throw new ConfigException("data-dir", "must not be empty");
    }
    return new YumzoomConfig(
        Path.of(dataDir),
        v.get("server.host"),
        parse(v, "server.http-port", Integer::parseInt),
        parse(v, "otlp.grpc-port", Integer::parseInt),
        parse(v, "otlp.http-port", Integer::parseInt),
        limits,
        pipeline,
        retention,
        selfScrapeInterval,
        errors,
        alertDelivery,
        alerting,
        new YumzoomConfig.StorageSettings(parse(v, "storage.span-log.enabled", ConfigLoader::bool)),
        metrics);
  }

  /** A comma-separated list; blanks dropped. */
  private static java.util.List<String> list(String raw) {
    return java.util.Arrays.stream(raw.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static YumzoomConfig.AlertingSettings alerting(Map<String, String> v) {
    String enabled = v.get("alerting.enabled").trim();
    if (!enabled.equals("true") && !enabled.equals("false")) {
      throw new ConfigException("alerting.enabled", "must be true or false, got '" + enabled + "'");
    }
    java.util.List<String> ruleFiles = new java.util.ArrayList<>();
    for (String f : v.get("alerting.rule-files").split(",")) {
      if (!f.isBlank()) {
        ruleFiles.add(f.trim());
      }
    }
    String configFile = v.get("alerting.config-file").trim();
    return new YumzoomConfig.AlertingSettings(
        enabled.equals("true"),
        ruleFiles,
        parse(v, "alerting.evaluation-interval", ConfigLoader::duration),
        configFile.isEmpty() ? null : Path.of(configFile),
        parse(v, "alerting.reload-interval", ConfigLoader::duration),
        v.get("alerting.external-url").trim(),
        parse(v, "alerting.receiver-rate-limit", Integer::parseInt),
        parse(v, "alerting.receiver-rate-burst", Integer::parseInt),
        parse(v, "alerting.history-retention", ConfigLoader::duration));
  }

  private static boolean bool(String raw) {
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  private static <T> T parse(Map<String, String> values, String key, Function<String, T> parser) {
    String raw = values.get(key).trim();
    try {
      return parser.apply(raw);
    } catch (RuntimeException e) {
      throw new ConfigException(key, "cannot parse '" + raw + "': " + e.getMessage());
    }
  }

  /**
   * Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, or ISO-8601 ({@code
   * PT5M}).
   */
  static Duration duration(String s) {
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not an ISO-8601 duration");
      }
    }
    int unitStart = 0;
    while (unitStart < s.length() && Character.isDigit(s.charAt(unitStart))) {
      unitStart++;
    }
    if (unitStart == 0) {
      throw new IllegalArgumentException("expected a number followed by ms, s, m, h or d");
    }
    long amount = Long.parseLong(s.substring(0, unitStart));
    return switch (s.substring(unitStart)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> throw new IllegalArgumentException("unknown unit; use ms, s, m, h or d");
    };
  }

  private static Map<String, String> readYaml(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ConfigException("config", "cannot read " + file + ": " + e.getMessage());
    }
    Map<String, String> flat = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return flat;
    }
    if (!root.isObject()) {
      throw new ConfigException("config", file + " must hold a YAML mapping");
    }
    flatten("", root, flat);
    for (String key : flat.keySet()) {
      if (!KEYS.containsKey(key)) {
        throw new ConfigException(key, "unknown key in " + file + "; known keys: " + KEYS.keySet());
      }
    }
    return flat;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(key, value, out);
      } else if (value.isValueNode()) {
        out.put(key, value.asText());
      } else {
        throw new ConfigException(key, "must be a single value, not a list");
      }
    }
  }
}
