package com.yumzoom.ops.metrics.scrape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape configuration in Prometheus' own YAML format (the {@code global} and {@code
 * scrape_configs} sections of {@code prometheus.yml}), so an existing file can be pointed at.
 * Supported: static targets over http/https; every other service discovery and auth section is
 * refused by name rather than ignored. Unknown fields are errors, as in Prometheus. Every error
 * names the field path.
 */
public record ScrapeConfig(Duration scrapeInterval, Duration scrapeTimeout, List<Job> jobs) {

  /** Targets one configuration may define; each gets a virtual thread. */
  public static final int MAX_TARGETS = 10_000;

  /** Scrape body limit when a job sets none: Prometheus has none, we must be bounded. */
  public static final long DEFAULT_BODY_SIZE_LIMIT = 32L << 20;

  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** One {@code scrape_configs} entry. */
  public record Job(
      String name,
      Duration interval,
      Duration timeout,
      String metricsPath,
      String scheme,
      Map<String, List<String>> params,
      boolean honorLabels,
      boolean honorTimestamps,
      long sampleLimit,
      long bodySizeLimit,
      List<StaticConfig> staticConfigs,
      List<RelabelConfig> relabelConfigs,
      List<RelabelConfig> metricRelabelConfigs) {}

  /** One {@code static_configs} entry. */
  public record StaticConfig(List<String> targets, Map<String, String> labels) {}

  public static final ScrapeConfig EMPTY =
      new ScrapeConfig(DEFAULT_INTERVAL, DEFAULT_TIMEOUT, List.of());

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern DURATION =
      Pattern.compile(
          "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final Set<String> UNSUPPORTED =
      Set.of(
          "file_sd_configs",
          "kubernetes_sd_configs",
          "consul_sd_configs",
          "dns_sd_configs",
          "ec2_sd_configs",
          "http_sd_configs",
          "basic_auth",
          "authorization",
          "oauth2",
          "tls_config",
          "proxy_url",
          "bearer_token",
          "bearer_token_file");

  /** Reads and validates {@code file}. */
  public static ScrapeConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read scrape config " + file + ": " + e, e);
    }
    return parse(text);
  }

  public static ScrapeConfig parse(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("scrape config is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return EMPTY;
    }
    object(root, "(root)");
    allowOnly(root, "", Set.of("global", "scrape_configs", "rule_files", "alerting"));
    JsonNode global = root.path("global");
    Duration interval = DEFAULT_INTERVAL;
    Duration timeout = DEFAULT_TIMEOUT;
    if (!global.isMissingNode() && !global.isNull()) {
      object(global, "global");
      allowOnly(
          global,
          "global.",
          Set.of("scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels"));
      interval = duration(global, "scrape_interval", "global.scrape_interval", interval);
      timeout = duration(global, "scrape_timeout", "global.scrape_timeout", timeout);
      if (timeout.compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            "global.scrape_timeout: "
                + timeout
                + " is greater than global.scrape_interval "
                + interval);
      }
    }
    List<Job> jobs = new ArrayList<>();
    JsonNode configs = root.path("scrape_configs");
    Set<String> names = new HashSet<>();
    int targets = 0;
    if (!configs.isMissingNode() && !configs.isNull()) {
      if (!configs.isArray()) {
        throw new IllegalArgumentException("scrape_configs: must be a list");
      }
      for (int i = 0; i < configs.size(); i++) {
        Job job = job(configs.get(i), "scrape_configs[" + i + "]", interval, timeout);
        if (!names.add(job.name())) {
          throw new IllegalArgumentException(
              "scrape_configs[" + i + "].job_name: \"" + job.name() + "\" is used twice");
        }
        for (StaticConfig sc : job.staticConfigs()) {
          targets += sc.targets().size();
        }
        if (targets > MAX_TARGETS) {
          throw new IllegalArgumentException(
              "scrape_configs: more than " + MAX_TARGETS + " targets (limit " + MAX_TARGETS + ")");
        }
        jobs.add(job);
      }
    }
    return new ScrapeConfig(interval, timeout, List.copyOf(jobs));
  }

  private static Job job(JsonNode n, String path, Duration globalInterval, Duration globalTimeout) {
    object(n, path);
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (UNSUPPORTED.contains(f)) {
        throw new IllegalArgumentException(
            path + "." + f + ": not supported (static_configs over http or https only)");
      }
    }
    allowOnly(
        n,
        path + ".",
        Set.of(
            "job_name",
            "scrape_interval",
            "scrape_timeout",
            "metrics_path",
            "scheme",
            "params",
            "honor_labels",
            "honor_timestamps",
            "sample_limit",
            "body_size_limit",
            "static_configs",
            "relabel_configs",
            "metric_relabel_configs"));
    String name = text(n, "job_name", path + ".job_name", null);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(path + ".job_name: is required");
    }
    Duration interval = duration(n, "scrape_interval", path + ".scrape_interval", globalInterval);
    Duration timeout;
    if (n.has("scrape_timeout")) {
      timeout = duration(n, "scrape_timeout", path + ".scrape_timeout", globalTimeout);
    } else {
      // Prometheus: an unset timeout never exceeds the job's interval
      timeout = globalTimeout.compareTo(interval) > 0 ? interval : globalTimeout;
    }
    if (timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException(
          path + ".scrape_timeout: " + timeout + " is greater than scrape_interval " + interval);
    }
    if (interval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(path + ".scrape_interval: must be at least 100ms");
    }
    String metricsPath = text(n, "metrics_path", path + ".metrics_path", "/metrics");
    if (!metricsPath.startsWith("/")) {
      throw new IllegalArgumentException(path + ".metrics_path: must start with /");
    }
    String scheme = text(n, "scheme", path + ".scheme", "http");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          path + ".scheme: must be http or https, got \"" + scheme + "\"");
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    JsonNode p = n.path("params");
    if (!p.isMissingNode() && !p.isNull()) {
      object(p, path + ".params");
      for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        List<String> values = new ArrayList<>();
        if (!e.getValue().isArray()) {
          throw new IllegalArgumentException(path + ".params." + e.getKey() + ": must be a list");
        }
        e.getValue().forEach(v -> values.add(v.asText()));
        params.put(e.getKey(), List.copyOf(values));
      }
    }
    boolean honorLabels = bool(n, "honor_labels", path + ".honor_labels", false);
    boolean honorTimestamps = bool(n, "honor_timestamps", path + ".honor_timestamps", true);
    long sampleLimit = number(n, "sample_limit", path + ".sample_limit", 0);
    long bodyLimit = bytes(n, "body_size_limit", path + ".body_size_limit");
    List<StaticConfig> statics = new ArrayList<>();
    JsonNode sc = n.path("static_configs");
    if (!sc.isMissingNode() && !sc.isNull()) {
      if (!sc.isArray()) {
        throw new IllegalArgumentException(path + ".static_configs: must be a list");
      }
      for (int i = 0; i < sc.size(); i++) {
        statics.add(staticConfig(sc.get(i), path + ".static_configs[" + i + "]"));
      }
    }
    return new Job(
        name,
        interval,
        timeout,
        metricsPath,
        scheme,
        Map.copyOf(params),
        honorLabels,
        honorTimestamps,
        sampleLimit,
        bodyLimit,
        List.copyOf(statics),
        relabels(n.path("relabel_configs"), path + ".relabel_configs"),
        relabels(n.path("metric_relabel_configs"), path + ".metric_relabel_configs"));
  }

  private static StaticConfig staticConfig(JsonNode n, String path) {
    object(n, path);
    allowOnly(n, path + ".", Set.of("targets", "labels"));
    List<String> targets = new ArrayList<>();
    JsonNode t = n.path("targets");
    if (!t.isMissingNode() && !t.isNull()) {
      if (!t.isArray()) {
        throw new IllegalArgumentException(path + ".targets: must be a list");
      }
      for (int i = 0; i < t.size(); i++) {
        String target = t.get(i).asText();
        if (target.isBlank() || target.contains("/")) {
          throw new IllegalArgumentException(
              path + ".targets[" + i + "]: expected host:port, got \"" + target + "\"");
        }
        targets.add(target);
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    JsonNode l = n.path("labels");
    if (!l.isMissingNode() && !l.isNull()) {
      object(l, path + ".labels");
      for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!LABEL_NAME.matcher(e.getKey()).matches()) {
          throw new IllegalArgumentException(
              path + ".labels." + e.getKey() + ": not a valid label name");
        }
        labels.put(e.getKey(), e.getValue().asText());
      }
    }
    return new StaticConfig(List.copyOf(targets), Map.copyOf(labels));
  }

  private static List<RelabelConfig> relabels(JsonNode n, String path) {
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException(path + ": must be a list");
    }
    List<RelabelConfig> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      String p = path + "[" + i + "]";
      JsonNode r = n.get(i);
      object(r, p);
      allowOnly(
          r,
          p + ".",
          Set.of(
              "source_labels",
              "separator",
              "regex",
              "modulus",
              "target_label",
              "replacement",
              "action"));
      List<String> sources = new ArrayList<>();
      JsonNode s = r.path("source_labels");
      if (!s.isMissingNode() && !s.isNull()) {
        if (!s.isArray()) {
          throw new IllegalArgumentException(p + ".source_labels: must be a list");
        }
        s.forEach(x -> sources.add(x.asText()));
      }
      RelabelConfig.Action action =
          RelabelConfig.Action.parse(p + ".action", text(r, "action", p + ".action", "replace"));
      String regex = text(r, "regex", p + ".regex", RelabelConfig.DEFAULT_REGEX);
      try {
        com.yumzoom.ops.query.promql.Re2 re = RelabelConfig.compile(p + ".regex", regex);
        out.add(
            new RelabelConfig(
                sources,
                text(r, "separator", p + ".separator", ";"),
                re.pattern(),
                re.groupNames(),
                number(r, "modulus", p + ".modulus", 0),
                text(r, "target_label", p + ".target_label", ""),
                text(r, "replacement", p + ".replacement", "$1"),
                action));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            e.getMessage().startsWith(p) ? e.getMessage() : p + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  private static void object(JsonNode n, String path) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(path + ": must be a mapping");
    }
  }

  private static void allowOnly(JsonNode n, String prefix, Set<String> known) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new IllegalArgumentException(prefix + f + ": unknown field");
      }
    }
  }

  private static String text(JsonNode n, String field, String path, String dflt) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isValueNode()) {
      throw new IllegalArgumentException(path + ": must be a string");
    }
    return v.asText();
  }

  private static boolean bool(JsonNode n, String field, String path, boolean dflt) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(path + ": must be true or false");
    }
    return v.asBoolean();
  }

  private static long number(JsonNode n, String field, String path, long dflt) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToLong() || v.asLong() < 0) {
      throw new IllegalArgumentException(path + ": must be a non-negative integer");
    }
    return v.asLong();
  }

  private static Duration duration(JsonNode n, String field, String path, Duration dflt) {
    String s = text(n, field, path, null);
    if (s == null) {
      return dflt;
    }
    try {
      return parseDuration(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage());
    }
  }

  /** Prometheus durations: {@code 1y2w3d4h5m6s7ms} with any parts left out, at least one. */
  static Duration parseDuration(String s) {
    Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException("not a valid duration \"" + s + "\" (e.g. 15s, 1m30s)");
    }
    long[] unitMs = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};
    long total = 0;
    for (int i = 0; i < unitMs.length; i++) {
      if (m.group(i + 1) != null) {
        total += Long.parseLong(m.group(i + 1)) * unitMs[i];
      }
    }
    if (total <= 0) {
      throw new IllegalArgumentException("duration must be positive, got \"" + s + "\"");
    }
    return Duration.ofMillis(total);
  }

  private static long bytes(JsonNode n, String field, String path) {
    String s = text(n, field, path, null);
    if (s == null || s.equals("0")) {
      return DEFAULT_BODY_SIZE_LIMIT;
    }
    Matcher m = Pattern.compile("(\\d+)(B|KB|MB|GB|KiB|MiB|GiB)?").matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(path + ": not a size \"" + s + "\" (e.g. 10MB)");
    }
    long v = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    // Prometheus' sizes are base 2 whether spelt MB or MiB
    return switch (unit) {
      case "KB", "KiB" -> v << 10;
      case "MB", "MiB" -> v << 20;
      case "GB", "GiB" -> v << 30;
      default -> v;
    };
  }
}
