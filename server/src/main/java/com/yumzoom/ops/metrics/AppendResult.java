package com.yumzoom.ops.metrics;

/**
 * What an append did: samples stored, samples rejected because the series limit was reached (with a
 * message naming the limit and an example series, or null), and samples dropped because they were
 * older than the newest sample of their series.
 */
public record AppendResult(int appended, int rejected, int outOfOrder, String error) {}
