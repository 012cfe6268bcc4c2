package com.yumzoom.ops.metrics.scrape;

import com.yumzoom.ops.query.promql.Re2;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code relabel_configs} / {@code metric_relabel_configs} entry, with Prometheus' defaults:
 * separator {@code ;}, regex {@code (.*)} (anchored at both ends), replacement {@code $1}, action
 * {@code replace}.
 */
public record RelabelConfig(
    List<String> sourceLabels,
    String separator,
    Pattern regex,
    Map<String, String> groupNames,
    long modulus,
    String targetLabel,
    String replacement,
    Action action) {

  /** The relabel actions Prometheus defines. */
  public enum Action {
    REPLACE,
    KEEP,
    DROP,
    HASHMOD,
    LABELMAP,
    LABELDROP,
    LABELKEEP,
    LOWERCASE,
    UPPERCASE,
    KEEPEQUAL,
    DROPEQUAL;

    static Action parse(String field, String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            field
                + ": unknown relabel action \""
                + s
                + "\" (replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase,"
                + " uppercase, keepequal, dropequal)");
      }
    }
  }

  public static final String DEFAULT_REGEX = "(.*)";

  public RelabelConfig {
    sourceLabels = List.copyOf(sourceLabels);
    groupNames = Map.copyOf(groupNames);
    if (action == Action.HASHMOD && modulus <= 0) {
      throw new IllegalArgumentException("relabel: hashmod needs a positive modulus");
    }
    if ((action == Action.REPLACE
            || action == Action.HASHMOD
            || action == Action.LOWERCASE
            || action == Action.UPPERCASE
            || action == Action.KEEPEQUAL
            || action == Action.DROPEQUAL)
        && (targetLabel == null || targetLabel.isEmpty())) {
      throw new IllegalArgumentException(
          "relabel: action " + action.name().toLowerCase(Locale.ROOT) + " needs a target_label");
    }
  }

  /** Compiles a Prometheus regex: RE2 syntax, anchored at both ends. */
  static Re2 compile(String field, String regex) {
    try {
      return Re2.anchored(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          field + ": invalid regex \"" + regex + "\": " + e.getDescription());
    }
  }
}
