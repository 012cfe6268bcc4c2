package com.yumzoom.ops.errors;

/**
 * An occurrence with what can be computed without the store: its fingerprint with the current
 * grouping version, category, culprit and the stack trace as JSON. Computed on the submitting
 * thread, so the single writer only looks issues up.
 */
record Grouped(
    Occurrence occurrence,
    Fingerprint fingerprint,
    Category category,
    String culprit,
    String trace) {

  static Grouped of(Occurrence o, Grouping grouping, InAppRules inApp) {
    ParsedStackTrace t = o.event().trace();
    return new Grouped(
        o,
        fingerprint(o, grouping),
        Categorizer.categorize(t),
        culprit(t, inApp),
        ErrorJson.trace(t, inApp));
  }

  /**
   * The server's fingerprint, or the client's when it sent one (Sentry SDKs' {@code fingerprint}):
   * its parts hashed with the current version, {@code {{ default }}} standing for the server's
   * hash, so a client can split a group further or merge across types on purpose.
   */
  static Fingerprint fingerprint(Occurrence o, Grouping grouping) {
    Fingerprint server = grouping.fingerprint(o.event());
    if (o.clientFingerprint().isEmpty()) {
      return server;
    }
    java.util.List<String> components = new java.util.ArrayList<>();
    components.add("client");
    for (String part : o.clientFingerprint()) {
      components.add(
          part.replaceAll("\\s+", "").equals("{{default}}")
              ? "default:" + server.hash()
              : "=" + part);
    }
    return new Fingerprint(Grouping.CURRENT_VERSION, GroupingV1.hash(components), server.title());
  }

  /** The innermost in-app frame of the innermost exception that has one: where to look first. */
  static String culprit(ParsedStackTrace trace, InAppRules inApp) {
    for (int i = trace.chain().size() - 1; i >= 0; i--) {
      for (StackFrame f : trace.chain().get(i).frames()) {
        if (inApp.isInApp(f)) {
          String where =
              trace.platform() == Platform.JAVA
                  ? f.module() + "." + f.function()
                  : (f.function().isEmpty() ? "?" : f.function()) + " (" + f.module() + ")";
          return where.length() > 256 ? where.substring(0, 256) : where;
        }
      }
    }
    return "";
  }
}
