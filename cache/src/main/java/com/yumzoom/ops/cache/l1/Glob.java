package com.yumzoom.ops.cache.l1;

import java.util.regex.Pattern;

/**
 * Redis glob semantics ({@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, {@code [a-z]}, {@code
 * \x}) compiled to a regular expression, so that L1 drops exactly the keys Redis SCAN MATCH finds
 * in L2 for the same pattern.
 */
final class Glob {
  private Glob() {}

  static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder(glob.length() + 8);
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '\\' -> {
          if (i < glob.length()) {
            re.append(Pattern.quote(String.valueOf(glob.charAt(i++))));
          } else {
            re.append("\\\\");
          }
        }
        case '[' -> {
          int close = glob.indexOf(']', i + 1);
          if (close < 0) {
            re.append("\\[");
            break;
          }
          StringBuilder set = new StringBuilder("[");
          int j = i;
          if (glob.charAt(j) == '^') {
            set.append('^');
            j++;
          }
          for (; j < close; j++) {
            char s = glob.charAt(j);
            if (s == '-' && j > i && j + 1 < close) {
              set.append('-');
            } else if (Character.isLetterOrDigit(s)) {
              set.append(s);
            } else {
              set.append('\\').append(s);
            }
          }
          re.append(set).append(']');
          i = close + 1;
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
