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
        grouping.fingerprint(o.event()),
        Categorizer.categorize(t),
        culprit(t, inApp),
        ErrorJson.trace(t, inApp));
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
