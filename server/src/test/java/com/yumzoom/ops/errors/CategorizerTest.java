package com.yumzoom.ops.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class CategorizerTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          java.sql.SQLException                                  | ERROR: syntax error at or near "FROM"     | database
          org.postgresql.util.PSQLException                      | ERROR: deadlock detected                  | database
          psycopg2.errors.UniqueViolation                        | duplicate key value                       | database
          Error                                                  | duplicate key value violates unique constraint | database
          org.hibernate.exception.ConstraintViolationException   | could not execute statement               | database
          java.net.ConnectException                              | Connection refused                        | network
          Error                                                  | connect ECONNREFUSED 10.0.0.1:5432        | network
          TypeError                                              | Failed to fetch                           | network
          java.net.UnknownHostException                          | payments.internal                         | network
          java.net.SocketTimeoutException                        | Read timed out                            | timeout
          java.sql.SQLTimeoutException                           | query canceled                            | timeout
          requests.exceptions.ReadTimeout                        | Read timed out. (read timeout=5)          | timeout
          Error                                                  | Search request timed out after 150ms      | timeout
          java.lang.IllegalArgumentException                     | amount must be positive                   | validation
          jakarta.validation.ConstraintViolationException        | name: must not be blank                   | validation
          ValueError                                             | invalid literal for int() with base 10: 'x' | validation
          java.lang.NumberFormatException                        | For input string: "abc"                   | validation
          com.acme.TokenExpiredException                         | token expired                             | authentication
          JsonWebTokenError                                      | jwt expired                               | authentication
          Error                                                  | Request failed with status code 401       | authentication
          org.springframework.security.access.AccessDeniedException | Access is denied                       | authorization
          django.core.exceptions.PermissionDenied                | user may not delete                       | authorization
          Error                                                  | 403 Forbidden                             | authorization
          com.acme.OrderNotFoundException                        | Order 1 not found                         | not_found
          java.util.NoSuchElementException                       | No value present                          | not_found
          KeyError                                               | 'user_id'                                 | not_found
          Error                                                  | order 12 not found                        | not_found
          com.acme.RateLimitExceededException                    | slow down                                 | rate_limit
          Error                                                  | 429 Too Many Requests                     | rate_limit
          java.lang.OutOfMemoryError                             | Java heap space                           | out_of_memory
          MemoryError                                            |                                           | out_of_memory
          Error                                                  | FATAL ERROR: JavaScript heap out of memory | out_of_memory
          java.lang.NullPointerException                         |                                           | null_reference
          TypeError                                              | Cannot read properties of undefined (reading 'id') | null_reference
          AttributeError                                         | 'NoneType' object has no attribute 'email' | null_reference
          django.core.exceptions.ImproperlyConfigured            | Set the SECRET_KEY environment variable   | configuration
          org.springframework.beans.factory.NoSuchBeanDefinitionException | No qualifying bean             | configuration
          java.lang.IllegalStateException                        | missing configuration property 'x'        | configuration
          ModuleNotFoundError                                    | No module named 'foo'                     | configuration
          java.lang.IllegalStateException                        | something odd                             | unknown
          ZeroDivisionError                                      | division by zero                          | unknown
          """)
  void categorises(String type, String message, String expected) {
    assertThat(Categorizer.categorize(type, message == null ? "" : message).label())
        .isEqualTo(expected);
  }

  @Test
  void chainIsReadFromTheRootCauseOutwards() {
    String trace =
        """
        jakarta.servlet.ServletException: Request processing failed
        \tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1)
        Caused by: java.lang.RuntimeException: wrapped
        \tat com.acme.A.f(A.java:1)
        Caused by: java.net.SocketTimeoutException: Read timed out
        \tat com.acme.B.g(B.java:1)
        """;
    assertThat(Categorizer.categorize(StackTraceParser.parse(trace))).isEqualTo(Category.TIMEOUT);
    String unknownRoot =
        """
        com.acme.NotFoundException: no cart
        \tat com.acme.A.f(A.java:1)
        Caused by: java.lang.RuntimeException: odd
        \tat com.acme.B.g(B.java:1)
        """;
    assertThat(Categorizer.categorize(StackTraceParser.parse(unknownRoot)))
        .isEqualTo(Category.NOT_FOUND);
    assertThat(
            Categorizer.categorize(
                ErrorEvent.ofMessage(Platform.PYTHON, "Exception", "weird", Map.of()).trace()))
        .isEqualTo(Category.UNKNOWN);
  }

  @Test
  void corpusFaultsGetTheirExpectedCategory() {
    Map<String, Category> expected =
        Map.ofEntries(
            Map.entry("j-order-not-found", Category.NOT_FOUND),
            Map.entry("j-npe-cart-total", Category.NULL_REFERENCE),
            Map.entry("j-amount-payment", Category.VALIDATION),
            Map.entry("j-db-deadlock", Category.DATABASE),
            Map.entry("j-timeout-inventory", Category.TIMEOUT),
            Map.entry("j-connect-payment", Category.NETWORK),
            Map.entry("j-token-expired", Category.AUTHENTICATION),
            Map.entry("j-access-denied", Category.AUTHORIZATION),
            Map.entry("j-rate-limit", Category.RATE_LIMIT),
            Map.entry("j-oom-export", Category.OUT_OF_MEMORY),
            Map.entry("j-missing-config", Category.CONFIGURATION),
            Map.entry("j-hikari-timeout", Category.DATABASE),
            Map.entry("js-cart-undefined", Category.NULL_REFERENCE),
            Map.entry("js-failed-fetch", Category.NETWORK),
            Map.entry("node-db-econnrefused", Category.NETWORK),
            Map.entry("node-validation-cart", Category.VALIDATION),
            Map.entry("node-shipping-429", Category.RATE_LIMIT),
            Map.entry("py-db-unique", Category.DATABASE),
            Map.entry("py-shipping-timeout", Category.TIMEOUT),
            Map.entry("py-none-attribute", Category.NULL_REFERENCE),
            Map.entry("py-permission", Category.AUTHORIZATION),
            Map.entry("py-product-not-found", Category.NOT_FOUND),
            Map.entry("py-improperly-configured", Category.CONFIGURATION),
            Map.entry("py-memory", Category.OUT_OF_MEMORY),
            Map.entry("py-connection-reset", Category.NETWORK),
            Map.entry("py-zero-division", Category.UNKNOWN));
    ErrorCorpus corpus = new ErrorCorpus(3L);
    for (ErrorCorpus.Fault fault : CorpusFaults.ALL) {
      Category want = expected.get(fault.label());
      if (want == null) {
        continue;
      }
      for (int i = 0; i < 5; i++) {
        String trace = corpus.render(fault);
        assertThat(Categorizer.categorize(StackTraceParser.parse(trace)))
            .as("%s%n%s", fault.label(), trace)
            .isEqualTo(want);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Category.class)
  void everyCategoryHasAnHonestSuggestion(Category category) {
    SuggestedFix fix = SuggestedFix.forCategory(category);
    assertThat(fix.category()).isEqualTo(category);
    assertThat(fix.summary()).matches("^(Often|Commonly|No rule).*");
    assertThat(fix.checks()).isNotEmpty();
    assertThat(SuggestedFix.DISCLAIMER).startsWith("Heuristic");
  }

  @Test
  void databaseSuggestionPointsAtTheQueryInTheTrace() {
    assertThat(SuggestedFix.forCategory(Category.DATABASE).checks().getFirst())
        .contains("db.statement");
  }
}
