package com.yumzoom.ops.store.duckdb;

/** A storage operation failed; the message names the operation or the SQL that failed. */
public final class StorageException extends RuntimeException {

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
