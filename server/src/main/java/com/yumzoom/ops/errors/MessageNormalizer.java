package com.yumzoom.ops.errors;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces the data-dependent parts of an error message with placeholders, keeping its shape
 * readable: {@code Order 123 not found for user a@b.io} becomes {@code Order <num> not found for
 * user <email>}.
 *
 * <p>Design: one precompiled alternation, tried only where a token can start (see normalize). The
 * alternatives are ordered from most to least specific: a URL may contain an IP and numbers, a UUID
 * is made of hex runs, a timestamp of numbers; at one position the first alternative that matches
 * wins. Quoted values must start after a non-word character so that apostrophes ({@code can't}) are
 * left alone.
 */
public final class MessageNormalizer {

  static final int MAX_INPUT = 4096;

  private static final String HEX = "[0-9a-fA-F]";

  private static final Pattern TOKENS =
      Pattern.compile(
          String.join(
              "|",
              "(?<url>\\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\\s'\"<>()]+)",
              "(?<email>\\b[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+)",
              "(?<uuid>\\b"
                  + HEX
                  + "{8}-"
                  + HEX
                  + "{4}-"
                  + HEX
                  + "{4}-"
                  + HEX
                  + "{4}-"
                  + HEX
                  + "{12}\\b)",
              "(?<datetime>\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?"
                  + "(?:Z|[+-]\\d{2}:?\\d{2})?)?(?![\\w-]))",
              "(?<time>\\b\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\b)",
              "(?<ipv6>\\b(?:"
                  + HEX
                  + "{1,4}:){7}"
                  + HEX
                  + "{1,4}\\b|\\b(?:"
                  + HEX
                  + "{1,4}:){1,6}:(?:"
                  + HEX
                  + "{1,4}(?::"
                  + HEX
                  + "{1,4}){0,5})?(?![\\w:])|(?<![\\w:])::"
                  + HEX
                  + "{1,4}(?::"
                  + HEX
                  + "{1,4}){0,6}\\b)",
              "(?<ipv4>\\b(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d{1,5})?\\b)",
              "(?<hex>\\b0[xX]" + HEX + "+\\b)",
              "(?<hexrun>\\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\\d)" + HEX + "{8,}\\b)",
              "(?<duration>\\b\\d+(?:\\.\\d+)?\\s?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|min|mins"
                  + "|minutes?|h|hrs?|hours?)\\b)",
              "(?<quoted>(?<![\\w])'[^'\\n]{0,256}'(?![\\w])|\"[^\"\\n]{0,256}\""
                  + "|`[^`\\n]{0,256}`)",
              "(?<num>(?<![\\w.])\\d+(?:[.,]\\d+)*\\b)"));

  private MessageNormalizer() {}

  /** The normalised message; messages longer than 4096 characters are cut first. */
  public static String normalize(String message) {
    if (message == null || message.isEmpty()) {
      return "";
    }
    String input = message.length() > MAX_INPUT ? message.substring(0, MAX_INPUT) : message;
    // Tokens only start at the beginning of a word, at a quote or at a colon (IPv6 "::1"), so the
    // alternation is tried there only (lookingAt with transparent bounds keeps \b and lookbehinds
    // correct), instead of at every character as find() would: about ten times cheaper on typical
    // messages.
    Matcher m = TOKENS.matcher(input).useTransparentBounds(true).useAnchoringBounds(false);
    StringBuilder out = null;
    int last = 0;
    int length = input.length();
    int i = 0;
    while (i < length) {
      char c = input.charAt(i);
      boolean candidate =
          isWord(c)
              ? i == 0 || !isWord(input.charAt(i - 1))
              : c == '\'' || c == '"' || c == '`' || c == ':';
      if (candidate && isWord(c)) {
        // A word of letters only starts no token unless an email, URL or IPv6 address goes on
        // after it; skipping such words cheaply is what makes normalisation fast on prose.
        int end = i;
        boolean digit = false;
        while (end < length && isWord(input.charAt(end))) {
          digit |= Character.isDigit(input.charAt(end));
          end++;
        }
        if (!digit && (end == length || "@:.+-".indexOf(input.charAt(end)) < 0)) {
          i = end;
          continue;
        }
      }
      if (candidate) {
        m.region(i, length);
        if (m.lookingAt()) {
          if (out == null) {
            out = new StringBuilder(length);
          }
          out.append(input, last, i).append(placeholder(m));
          last = m.end();
          i = Math.max(m.end(), i + 1);
          continue;
        }
      }
      i++;
    }
    if (out == null) {
      return input.strip();
    }
    out.append(input, last, length);
    return out.toString().strip();
  }

  private static boolean isWord(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static String placeholder(Matcher m) {
    if (m.start("url") >= 0) {
      return "<url>";
    }
    if (m.start("email") >= 0) {
      return "<email>";
    }
    if (m.start("uuid") >= 0) {
      return "<uuid>";
    }
    if (m.start("datetime") >= 0 || m.start("time") >= 0) {
      return "<datetime>";
    }
    if (m.start("ipv6") >= 0 || m.start("ipv4") >= 0) {
      return "<ip>";
    }
    if (m.start("hex") >= 0) {
      return "<hex>";
    }
    if (m.start("hexrun") >= 0) {
      return m.end() - m.start() >= 32 ? "<hash>" : "<hex>";
    }
    if (m.start("duration") >= 0) {
      return "<duration>";
    }
    if (m.start("quoted") >= 0) {
      char q = m.group().charAt(0);
      return q + "<val>" + q;
    }
    return "<num>";
  }
}
