package com.yumzoom.ops.cache;

/** The loader failed and no stale value could be served instead. The cause is the loader's. */
public final class CacheLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CacheLoadException(String key, Throwable cause) {
    super("loading key " + key + " failed: " + cause, cause);
  }
}
