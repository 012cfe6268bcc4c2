package com.yumzoom.ops.alert.rules;

/** A rule file or API body that cannot be applied; the message starts with the field path. */
final class RuleValidationException extends RuntimeException {

  RuleValidationException(String field, String problem) {
    super(field + ": " + problem, null, false, false);
  }
}
