package com.yumzoom.ops.errors;

/** The runtime that produced a stack trace; decides how frames are parsed and which are in-app. */
public enum Platform {
  JAVA,
  JAVASCRIPT,
  PYTHON
}
