package com.yumzoom.ops.errors;

import com.yumzoom.ops.errors.ErrorCorpus.Fault;
import com.yumzoom.ops.errors.ErrorCorpus.Wrap;
import java.util.List;

/** The fault templates of the labelled corpus: 48 faults over Java, JavaScript and Python. */
final class CorpusFaults {

  private CorpusFaults() {}

  private static final String S = "com.acme.shop.";

  private static Fault java(
      String label, String type, List<String> messages, List<String> frames, Wrap wrap) {
    return new Fault(label, Platform.JAVA, type, messages, frames, List.of(), wrap, false);
  }

  private static Fault javaLib(
      String label,
      String type,
      List<String> messages,
      List<String> lib,
      List<String> frames,
      Wrap wrap) {
    return new Fault(label, Platform.JAVA, type, messages, frames, lib, wrap, false);
  }

  private static Fault node(String label, String type, List<String> messages, String... frames) {
    return new Fault(
        label, Platform.JAVASCRIPT, type, messages, List.of(frames), List.of(), Wrap.NONE, false);
  }

  private static Fault browser(String label, String type, List<String> messages, String... frames) {
    return new Fault(
        label, Platform.JAVASCRIPT, type, messages, List.of(frames), List.of(), Wrap.NONE, true);
  }

  private static Fault py(String label, String type, List<String> messages, String... frames) {
    return new Fault(
        label, Platform.PYTHON, type, messages, List.of(frames), List.of(), Wrap.NONE, false);
  }

  static final List<Fault> ALL =
      List.of(
          // ------------------------------------------------------------ Java
          java(
              "j-order-not-found",
              S + "orders.OrderNotFoundException",
              List.of("Order {id} not found for user {email}"),
              List.of(
                  S + "orders.OrderRepository#findOrThrow",
                  S + "orders.OrderService#get",
                  S + "orders.OrderController$$CGLIB#getOrder"),
              Wrap.FRAMEWORK),
          java(
              "j-npe-cart-total",
              "java.lang.NullPointerException",
              List.of("Cannot invoke \"com.acme.shop.cart.Item.price()\" because \"item\" is null"),
              List.of(
                  S + "cart.CartService#lambda$total$*",
                  "java.util.stream.ReferencePipeline$3$1#accept",
                  "java.util.ArrayList$ArrayListSpliterator#forEachRemaining",
                  "java.util.stream.ReferencePipeline#collect",
                  S + "cart.CartService#total",
                  S + "cart.CartController#view"),
              Wrap.FRAMEWORK),
          // Confusers: two NullPointerExceptions without a message from different sites.
          java(
              "j-npe-profile",
              "java.lang.NullPointerException",
              List.of(""),
              List.of(S + "users.ProfileRenderer#render", S + "users.ProfileController#show"),
              Wrap.NONE),
          java(
              "j-npe-address",
              "java.lang.NullPointerException",
              List.of(""),
              List.of(
                  S + "shipping.AddressFormatter#format",
                  S + "shipping.LabelService#print",
                  S + "shipping.LabelController#label"),
              Wrap.NONE),
          // Confusers: one message, two throw sites.
          java(
              "j-amount-payment",
              "java.lang.IllegalArgumentException",
              List.of("amount must be positive"),
              List.of(S + "payments.PaymentService#charge", S + "payments.PaymentController#pay"),
              Wrap.FRAMEWORK),
          java(
              "j-amount-refund",
              "java.lang.IllegalArgumentException",
              List.of("amount must be positive"),
              List.of(S + "payments.RefundService#refund", S + "payments.RefundController#refund"),
              Wrap.FRAMEWORK),
          // Same site, data-dependent wording.
          java(
              "j-order-transition",
              "java.lang.IllegalStateException",
              List.of(
                  "cannot transition order {id} from {pick:PAID|SHIPPED|NEW} to"
                      + " {pick:CANCELLED|REFUNDED|DRAFT}",
                  "order {id} is locked by {email} since {ts}"),
              List.of(
                  S + "orders.OrderStateMachine#transition",
                  S + "orders.OrderService#cancel",
                  S + "orders.OrderController$$CGLIB#cancel"),
              Wrap.FRAMEWORK),
          javaLib(
              "j-db-deadlock",
              "org.postgresql.util.PSQLException",
              List.of(
                  "ERROR: deadlock detected\n  Detail: Process {n} waits for ShareLock on"
                      + " transaction {id}; blocked by process {n}."),
              List.of(
                  "org.postgresql.core.v3.QueryExecutorImpl#receiveErrorResponse",
                  "org.postgresql.core.v3.QueryExecutorImpl#execute",
                  "org.postgresql.jdbc.PgPreparedStatement#executeUpdate",
                  "com.zaxxer.hikari.pool.HikariProxyPreparedStatement#executeUpdate"),
              List.of(
                  S + "inventory.InventoryRepository#reserve",
                  S + "inventory.InventoryService#reserveAll"),
              Wrap.IN_APP),
          javaLib(
              "j-db-duplicate-email",
              "org.postgresql.util.PSQLException",
              List.of(
                  "ERROR: duplicate key value violates unique constraint \"users_email_key\"\n"
                      + "  Detail: Key (email)=({email}) already exists."),
              List.of(
                  "org.postgresql.core.v3.QueryExecutorImpl#receiveErrorResponse",
                  "org.postgresql.jdbc.PgPreparedStatement#executeUpdate"),
              List.of(S + "users.UserRepository#insert", S + "users.SignupService#register"),
              Wrap.IN_APP),
          javaLib(
              "j-timeout-inventory",
              "java.net.SocketTimeoutException",
              List.of("Read timed out after {ms}", "Read timed out"),
              List.of("sun.nio.ch.NioSocketImpl#timedRead", "sun.nio.ch.NioSocketImpl#read"),
              List.of(
                  S + "inventory.InventoryClient#fetchStock",
                  S + "catalog.ProductService$$Lambda#apply",
                  "java.util.concurrent.CompletableFuture$AsyncSupply#run",
                  S + "catalog.ProductService#lambda$availability$*",
                  S + "catalog.ProductService#availability"),
              Wrap.NONE),
          javaLib(
              "j-connect-payment",
              "java.net.ConnectException",
              List.of("Connection refused: payments.internal/{ip}:8443"),
              List.of("sun.nio.ch.Net#pollConnect", "sun.nio.ch.NioSocketImpl#connect"),
              List.of(S + "payments.PaymentGateway#send", S + "payments.PaymentService#charge"),
              Wrap.IN_APP),
          java(
              "j-stack-overflow-category",
              "java.lang.StackOverflowError",
              List.of(""),
              List.of(S + "catalog.CategoryTree#walk*R", S + "catalog.CategoryTree#render"),
              Wrap.NONE),
          java(
              "j-validation-signup",
              "jakarta.validation.ConstraintViolationException",
              List.of(
                  "email: must be a well-formed email address",
                  "password: size must be between 8 and 128",
                  "name: must not be blank"),
              List.of(S + "users.SignupValidator#validate", S + "users.SignupService#register"),
              Wrap.FRAMEWORK),
          javaLib(
              "j-number-format-import",
              "java.lang.NumberFormatException",
              List.of("For input string: \"{pick:abc|12x|N/A|1.5.2}\""),
              List.of(
                  "java.lang.NumberFormatException#forInputString", "java.lang.Integer#parseInt"),
              List.of(
                  S + "imports.CsvImporter#parseRow",
                  S + "imports.CsvImporter#lambda$importAll$*",
                  "java.util.ArrayList#forEach",
                  S + "imports.CsvImporter#importAll"),
              Wrap.NONE),
          java(
              "j-token-expired",
              S + "auth.TokenExpiredException",
              List.of("token expired at {ts} for {email}"),
              List.of(S + "auth.JwtVerifier#verify", S + "auth.AuthFilter#doFilterInternal"),
              Wrap.NONE),
          javaLib(
              "j-access-denied",
              "org.springframework.security.access.AccessDeniedException",
              List.of("Access is denied"),
              List.of(
                  "org.springframework.security.access.vote.AffirmativeBased#decide",
                  "org.springframework.security.access.intercept.AbstractSecurityInterceptor"
                      + "#beforeInvocation"),
              List.of(S + "admin.AdminService#deleteUser", S + "admin.AdminController#delete"),
              Wrap.FRAMEWORK),
          java(
              "j-rate-limit",
              S + "ratelimit.RateLimitExceededException",
              List.of("rate limit exceeded for client {ip}: {n} requests in {ms}"),
              List.of(S + "ratelimit.RateLimiter#acquire", S + "gateway.ApiGateway#forward"),
              Wrap.NONE),
          javaLib(
              "j-oom-export",
              "java.lang.OutOfMemoryError",
              List.of("Java heap space"),
              List.of("java.util.Arrays#copyOf", "java.util.ArrayList#grow"),
              List.of(
                  S + "reports.ReportExporter#collectRows", S + "reports.ReportExporter#export"),
              Wrap.NONE),
          java(
              "j-missing-config",
              "java.lang.IllegalStateException",
              List.of("missing configuration property 'payments.{pick:api-key|endpoint|merchant}'"),
              List.of(S + "config.PaymentsConfig#require", S + "config.PaymentsConfig#load"),
              Wrap.NONE),
          // No in-app frames at all: grouped on type and normalised message.
          javaLib(
              "j-connection-reset-netty",
              "java.io.IOException",
              List.of("Connection reset by peer"),
              List.of(
                  "sun.nio.ch.SocketDispatcher#read0",
                  "sun.nio.ch.IOUtil#read",
                  "io.netty.buffer.PooledByteBuf#setBytes",
                  "io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe#read"),
              List.of(),
              Wrap.NONE),
          javaLib(
              "j-hikari-timeout",
              "java.sql.SQLTransientConnectionException",
              List.of("HikariPool-1 - Connection is not available, request timed out after {ms}."),
              List.of(
                  "com.zaxxer.hikari.pool.HikariPool#createTimeoutException",
                  "com.zaxxer.hikari.pool.HikariPool#getConnection",
                  "org.springframework.jdbc.datasource.DataSourceUtils#fetchConnection"),
              List.of(),
              Wrap.NONE),
          java(
              "j-npe-coupons",
              "java.lang.NullPointerException",
              List.of("Cannot invoke \"String.length()\" because \"<local4>\" is null"),
              List.of(
                  S + "checkout.CouponParser#normalise",
                  S + "checkout.CheckoutService$$Lambda#apply",
                  "java.util.stream.ReferencePipeline$3$1#accept",
                  S + "checkout.CheckoutService#lambda$applyCoupons$*",
                  "java.util.ArrayList#forEach",
                  S + "checkout.CheckoutService#applyCoupons"),
              Wrap.IN_APP),
          // ------------------------------------------------------------ JavaScript
          // Confusers: the same TypeError from two components.
          browser(
              "js-cart-undefined",
              "TypeError",
              List.of(
                  "Cannot read properties of undefined (reading 'id')",
                  "can't access property \"id\", item is undefined"),
              "bundle:main#getItem",
              "bundle:main#CartView.render"),
          browser(
              "js-profile-undefined",
              "TypeError",
              List.of(
                  "Cannot read properties of undefined (reading 'id')",
                  "can't access property \"id\", user is undefined"),
              "bundle:main#renderAvatar",
              "bundle:main#ProfilePage"),
          browser(
              "js-not-a-function",
              "TypeError",
              List.of("{pick:x.map|items.filter|data.forEach} is not a function"),
              "bundle:main#?",
              "bundle:main#onClick"),
          browser(
              "js-failed-fetch",
              "TypeError",
              List.of("Failed to fetch", "NetworkError when attempting to fetch resource."),
              "bundle:main#apiFetch",
              "bundle:main#loadProfile",
              "bundle:main#?"),
          browser(
              "js-chunk-load",
              "ChunkLoadError",
              List.of(
                  "Loading chunk {n} failed.\n(error: https://cdn.shop.example.com/static/js/"
                      + "{n}.{sha}.chunk.js)"),
              "bundle:runtime#requireEnsure",
              "bundle:main#lazyRoute"),
          node(
              "node-order-not-found",
              "Error",
              List.of("order {uuid} not found"),
              "src/orders/repo.js#findById",
              "src/orders/service.js#getOrder",
              "src/routes/orders.js#?"),
          new Fault(
              "node-db-econnrefused",
              Platform.JAVASCRIPT,
              "Error",
              List.of("connect ECONNREFUSED {ip}:5432"),
              List.of(),
              List.of("node:net#TCPConnectWrap.afterConnect [as oncomplete]"),
              Wrap.NONE,
              false),
          node(
              "node-validation-cart",
              "ValidationError",
              List.of("\"{pick:quantity|sku|price}\" is required", "\"quantity\" must be >= 1"),
              "src/validation/schema.js#validate",
              "src/routes/cart.js#addItem"),
          new Fault(
              "node-jwt",
              Platform.JAVASCRIPT,
              "JsonWebTokenError",
              List.of("jwt expired", "invalid signature", "jwt malformed"),
              List.of("src/auth/middleware.js#authenticate"),
              List.of("node_modules/jsonwebtoken/verify.js#module.exports [as verify]"),
              Wrap.NONE,
              false),
          node(
              "node-search-timeout",
              "Error",
              List.of("Search request timed out after {ms}"),
              "src/search/client.js#query",
              "src/search/service.js#search"),
          node(
              "node-shipping-429",
              "Error",
              List.of("429 Too Many Requests: retry after {n}s"),
              "src/integrations/shipping.js#quote",
              "src/checkout/shipping.js#estimate"),
          node(
              "node-recursion",
              "RangeError",
              List.of("Maximum call stack size exceeded"),
              "src/catalog/tree.js#flatten*R",
              "src/catalog/index.js#buildMenu"),
          node(
              "node-money-null",
              "TypeError",
              List.of("Cannot read properties of null (reading 'currency')"),
              "src/pricing/money.js#new:Money",
              "src/pricing/cart-total.js#total"),
          // ------------------------------------------------------------ Python
          // Confusers: the same KeyError from two modules.
          py(
              "py-keyerror-session",
              "KeyError",
              List.of("'user_id'"),
              "app/sessions/store.py#load",
              "app/views/account.py#profile"),
          py(
              "py-keyerror-audit",
              "KeyError",
              List.of("'user_id'"),
              "app/audit/log.py#record",
              "app/views/admin.py#audit"),
          py(
              "py-int-parse",
              "ValueError",
              List.of("invalid literal for int() with base 10: '{pick:abc|12x|N/A}'"),
              "app/imports/csv_rows.py#parse_quantity",
              "app/imports/csv_rows.py#<listcomp>",
              "app/imports/importer.py#run"),
          new Fault(
              "py-db-unique",
              Platform.PYTHON,
              "psycopg2.errors.UniqueViolation",
              List.of(
                  "duplicate key value violates unique constraint \"orders_ref_key\"\n"
                      + "DETAIL:  Key (ref)=({id}) already exists."),
              List.of("app/orders/repo.py#create", "app/orders/service.py#place_order"),
              List.of(
                  "site:django/db/backends/utils.py#_execute",
                  "site:django/db/models/query.py#create"),
              Wrap.IN_APP,
              false),
          new Fault(
              "py-shipping-timeout",
              Platform.PYTHON,
              "requests.exceptions.ReadTimeout",
              List.of(
                  "HTTPSConnectionPool(host='api.shipping.example.com', port=443): Read timed"
                      + " out. (read timeout={n})"),
              List.of("app/shipping/client.py#quote", "app/checkout/views.py#shipping_options"),
              List.of("site:requests/adapters.py#send", "site:requests/sessions.py#request"),
              Wrap.NONE,
              false),
          py(
              "py-none-attribute",
              "AttributeError",
              List.of("'NoneType' object has no attribute '{pick:email|address|phone}'"),
              "app/notifications/mailer.py#send_receipt",
              "app/orders/service.py#complete"),
          py(
              "py-permission",
              "django.core.exceptions.PermissionDenied",
              List.of("user {email} may not {pick:delete|edit} order {id}"),
              "app/orders/permissions.py#check",
              "app/views/orders.py#delete"),
          py(
              "py-product-not-found",
              "app.errors.NotFound",
              List.of("Product {id} not found"),
              "app/catalog/repo.py#get_product",
              "app/catalog/views.py#detail"),
          py(
              "py-improperly-configured",
              "django.core.exceptions.ImproperlyConfigured",
              List.of("Set the {pick:STRIPE_KEY|SENTRY_DSN|REDIS_URL} environment variable"),
              "app/settings/env.py#require",
              "app/settings/base.py#<module>"),
          py(
              "py-memory",
              "MemoryError",
              List.of(""),
              "app/reports/export.py#build_rows",
              "app/reports/tasks.py#export_report"),
          new Fault(
              "py-connection-reset",
              Platform.PYTHON,
              "ConnectionResetError",
              List.of("[Errno 104] Connection reset by peer"),
              List.of(),
              List.of(
                  "std:ssl.py#read", "std:socket.py#readinto", "std:http/client.py#_read_status"),
              Wrap.NONE,
              false),
          py(
              "py-recursion",
              "RecursionError",
              List.of("maximum recursion depth exceeded while calling a Python object"),
              "app/catalog/tree.py#walk*R",
              "app/catalog/views.py#menu"),
          py(
              "py-zero-division",
              "ZeroDivisionError",
              List.of("division by zero"),
              "app/reports/stats.py#conversion_rate",
              "app/reports/views.py#dashboard"));
}
