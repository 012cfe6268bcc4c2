package com.yumzoom.ops.errors;

/** An issue id that does not exist; the API answers 404. */
final class IssueNotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  IssueNotFoundException(long id) {
    super("issue " + id + " not found", null, false, false);
  }
}
