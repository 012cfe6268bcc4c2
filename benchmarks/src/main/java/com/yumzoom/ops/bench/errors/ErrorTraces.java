package com.yumzoom.ops.bench.errors;

import java.util.SplittableRandom;

/**
 * Printed stack traces of 30 faults with the dynamic parts production traces have: numbers and ids
 * in messages, line numbers, lambda and bundle hashes. A third each Java (with a cause chain and
 * framework frames), JavaScript (V8, minified bundle) and Python.
 */
final class ErrorTraces {

  static final int FAULTS = 30;

  private ErrorTraces() {}

  static String[] sample(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = trace(random.nextInt(FAULTS), random);
    }
    return out;
  }

  static String trace(int fault, SplittableRandom r) {
    int n = r.nextInt(100_000);
    return switch (fault % 3) {
      case 0 ->
          """
          jakarta.servlet.ServletException: Request processing failed
          \tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1022)
          \tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)
          \tat java.base/java.lang.Thread.run(Thread.java:1583)
          Caused by: java.sql.SQLException: deadlock detected on row %d (fault %d)
          \tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:%d)
          \tat com.zaxxer.hikari.pool.ProxyPreparedStatement.executeUpdate(ProxyPreparedStatement.java:61)
          \tat com.acme.orders.OrderDao%d.save(OrderDao.java:%d)
          \tat com.acme.orders.Checkout$$Lambda/0x000000080012%04x.apply(Unknown Source)
          \tat com.acme.orders.CheckoutService.place(CheckoutService.java:%d)
          \t... 3 more
          """
              .formatted(n, fault, 300 + n % 7, fault, 80 + n % 9, n % 4096, 40 + n % 3);
      case 1 ->
          """
          TypeError: Cannot read properties of undefined (reading 'price%d')
              at Cart.total (https://shop.example.com/static/js/main.%08x.js:1:%d)
              at render%d (https://shop.example.com/static/js/main.%08x.js:1:%d)
              at HTMLButtonElement.<anonymous> (https://shop.example.com/static/js/vendor.js:2:100)
          """
              .formatted(fault, n, 1000 + n % 50, fault, n, 2000 + n % 50);
      default ->
          """
          Traceback (most recent call last):
            File "/srv/app/api/views.py", line %d, in handle_%d
              return service.run(request)
            File "/srv/app/api/service.py", line %d, in run
              raise ValueError(f"invalid quantity {qty}")
            File "/usr/lib/python3.12/site-packages/django/core/handlers.py", line 10, in inner
          ValueError: invalid quantity %d for order %s
          """
              .formatted(10 + n % 5, fault, 20 + n % 3, n, Integer.toHexString(n));
    };
  }
}
