/**
 * Error grouping core: stack trace parsing ({@link com.yumzoom.ops.errors.StackTraceParser}),
 * in-app frame rules ({@link com.yumzoom.ops.errors.InAppRules}), message normalisation ({@link
 * com.yumzoom.ops.errors.MessageNormalizer}), versioned fingerprinting ({@link
 * com.yumzoom.ops.errors.Grouping}, {@link com.yumzoom.ops.errors.GroupingV1}, custom {@link
 * com.yumzoom.ops.errors.FingerprintRule}s), categories ({@link
 * com.yumzoom.ops.errors.Categorizer}) and heuristic suggested fixes ({@link
 * com.yumzoom.ops.errors.SuggestedFix}).
 *
 * <p>No I/O and no state: ingest, storage and lifecycle build on these pure functions. Grouping
 * quality is measured by {@code GroupingCorpusTest} against a labelled corpus.
 */
package com.yumzoom.ops.errors;
