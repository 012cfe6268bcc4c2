package com.yumzoom.ops.errors;

/**
 * The group key of an event.
 *
 * @param version grouping algorithm that computed it ({@code grouping-v1}); stored with the group
 *     so that a new algorithm never silently regroups history: events are compared with groups of
 *     the same version only
 * @param hash 32 lowercase hex characters (128 bits of SHA-256 over the grouping components)
 * @param title human readable: type and normalised message of the exception that defined the group
 */
public record Fingerprint(String version, String hash, String title) {

  public Fingerprint {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("fingerprint.version must not be blank");
    }
    if (hash == null || !hash.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("fingerprint.hash must be 32 lowercase hex characters");
    }
    if (title == null) {
      throw new IllegalArgumentException("fingerprint.title must not be null");
    }
  }
}
