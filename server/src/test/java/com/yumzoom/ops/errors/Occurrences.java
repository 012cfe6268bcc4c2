package com.yumzoom.ops.errors;

import java.util.Map;

/** Occurrences for tests. */
final class Occurrences {

  private Occurrences() {}

  static final String DEADLOCK =
      """
      java.sql.SQLException: deadlock on row %d
      \tat org.postgresql.Driver.exec(Driver.java:5)
      \tat com.acme.OrderDao.save(OrderDao.java:%d)
      \tat com.acme.Checkout.run(Checkout.java:38)
      """;

  static final String NPE =
      """
      java.lang.NullPointerException: Cannot invoke "String.length()" because "name" is null
      \tat com.acme.Menu.render(Menu.java:%d)
      \tat com.acme.MenuController.get(MenuController.java:12)
      """;

  static Occurrence of(String trace, long tsMs, String release, String user) {
    return new Occurrence(
        Occurrence.newId(),
        tsMs,
        "api",
        ErrorEvent.parse(trace, Map.of("region", "eu")),
        "error",
        "",
        "",
        "checkout",
        user,
        "{}",
        "{}",
        release,
        "production");
  }

  static Occurrence deadlock(int row, long tsMs, String release) {
    return of(DEADLOCK.formatted(row, 80 + row % 5), tsMs, release, "user-" + row % 3);
  }

  static Occurrence npe(int line, long tsMs, String release) {
    return of(NPE.formatted(line), tsMs, release, "");
  }
}
