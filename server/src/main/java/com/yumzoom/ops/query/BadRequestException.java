package com.yumzoom.ops.query;

/**
 * A request the API refuses with 400. The message names the parameter and what is wrong with it; it
 * is sent to the client as is.
 */
final class BadRequestException extends RuntimeException {

  BadRequestException(String message) {
    super(message, null, false, false);
  }

  /** "parameter 'name' ..." , the prefix every message of this API starts with. */
  static BadRequestException parameter(String name, String problem) {
    return new BadRequestException("parameter '" + name + "' " + problem);
  }
}
