package com.yumzoom.ops.bench;

import com.yumzoom.ops.bench.SyntheticSpan.Attribute;
import com.yumzoom.ops.bench.SyntheticSpan.Event;
import com.yumzoom.ops.bench.SyntheticSpan.Kind;
import com.yumzoom.ops.bench.SyntheticSpan.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Generates traces shaped like the YumZoom restaurant platform: a web gateway calling restaurant,
 * search, order and payment services, which query PostgreSQL and Redis (CLIENT spans with db.*
 * attributes) and, for payments, an external HTTP API.
 *
 * <p>Design: a trace is built in four passes over a small tree. (1) Structure: the root is a
 * gateway SERVER span for a weighted endpoint; its first child is the call to the endpoint's
 * backend; further children (service calls as CLIENT+SERVER pairs, database and cache queries,
 * internal spans) hang off random SERVER or INTERNAL nodes until the trace has the requested size.
 * (2) Errors: about 3% of traces fail at a leaf (with an exception event) and the failure
 * propagates to every ancestor, as an uncaught exception would. (3) Timing: leaf durations are
 * log-normal around realistic medians, parents run their children sequentially, and about 2% of
 * traces are slow (x10), so duration searches have a tail to find. (4) Attributes: each span gets
 * the attributes its kind carries in the OpenTelemetry semantic conventions, then filler attributes
 * (thread, code, app.*) up to a random total in [10, 30]. User and restaurant ids are skewed (a few
 * hot ones, a long tail), order ids are unique.
 *
 * <p>Randomness is injected, so a seed gives the same traces.
 */
final class TraceFactory {

  static final String WEB_GATEWAY = "web-gateway";
  static final String RESTAURANT_API = "restaurant-api";
  static final String ORDER_SERVICE = "order-service";
  static final String PAYMENT_SERVICE = "payment-service";
  static final String SEARCH_SERVICE = "search-service";
  static final List<String> SERVICES =
      List.of(WEB_GATEWAY, RESTAURANT_API, ORDER_SERVICE, PAYMENT_SERVICE, SEARCH_SERVICE);

  static final int MIN_SPANS = 5;
  static final int MAX_SPANS = 40;
  static final int MIN_ATTRIBUTES = 10;
  static final int MAX_ATTRIBUTES = 30;
  static final int RESTAURANTS = 5_000;
  static final int USERS = 200_000;
  static final List<String> CITIES =
      List.of(
          "Lisbon",
          "Porto",
          "Madrid",
          "Barcelona",
          "Paris",
          "Lyon",
          "Berlin",
          "Munich",
          "Hamburg",
          "Vienna",
          "Zurich",
          "Milan",
          "Rome",
          "Naples",
          "Amsterdam",
          "Rotterdam",
          "Brussels",
          "Dublin",
          "London",
          "Manchester",
          "Edinburgh",
          "Copenhagen",
          "Stockholm",
          "Oslo",
          "Helsinki",
          "Warsaw",
          "Prague",
          "Budapest",
          "Athens",
          "Istanbul");
  static final List<String> CUISINES =
      List.of(
          "italian",
          "japanese",
          "mexican",
          "indian",
          "thai",
          "chinese",
          "french",
          "greek",
          "lebanese",
          "korean",
          "vietnamese",
          "spanish",
          "portuguese",
          "american",
          "turkish",
          "ethiopian",
          "peruvian",
          "vegan",
          "seafood",
          "pizza");

  /** Gateway endpoints: what the user called, which backend serves it, and how often. */
  record Endpoint(String method, String route, String backend, String backendRoute, int weight) {}

  static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint(
              "GET",
              "/api/restaurants/{restaurantId}",
              RESTAURANT_API,
              "/restaurants/{restaurantId}",
              30),
          new Endpoint(
              "GET",
              "/api/restaurants/{restaurantId}/menu",
              RESTAURANT_API,
              "/restaurants/{restaurantId}/menu",
              20),
          new Endpoint("GET", "/api/search", SEARCH_SERVICE, "/search", 25),
          new Endpoint("POST", "/api/orders", ORDER_SERVICE, "/orders", 12),
          new Endpoint("GET", "/api/orders/{orderId}", ORDER_SERVICE, "/orders/{orderId}", 8),
          new Endpoint("POST", "/api/orders/{orderId}/pay", PAYMENT_SERVICE, "/payments", 5));

  private static final int TOTAL_WEIGHT = ENDPOINTS.stream().mapToInt(Endpoint::weight).sum();

  /** Service-to-service calls a service makes besides the endpoint's first call. */
  private static final Map<String, List<String[]>> CALLS =
      Map.of(
          WEB_GATEWAY,
              List.<String[]>of(
                  new String[] {RESTAURANT_API, "GET", "/restaurants/{restaurantId}"}),
          RESTAURANT_API,
              List.<String[]>of(new String[] {SEARCH_SERVICE, "GET", "/search/similar"}),
          ORDER_SERVICE,
              List.<String[]>of(
                  new String[] {PAYMENT_SERVICE, "POST", "/payments"},
                  new String[] {RESTAURANT_API, "GET", "/restaurants/{restaurantId}/menu"}),
          SEARCH_SERVICE,
              List.<String[]>of(new String[] {RESTAURANT_API, "POST", "/restaurants/batch"}),
          PAYMENT_SERVICE, List.<String[]>of());

  private static final Map<String, List<String>> TABLES =
      Map.of(
          WEB_GATEWAY, List.of(),
          RESTAURANT_API, List.of("restaurants", "menu_items", "reviews", "opening_hours"),
          ORDER_SERVICE, List.of("orders", "order_items", "deliveries"),
          PAYMENT_SERVICE, List.of("payments", "refunds"),
          SEARCH_SERVICE, List.of("restaurant_search_index"));

  private static final Map<String, List<String>> INTERNAL_OPS =
      Map.of(
          WEB_GATEWAY,
              List.of("AuthFilter.authenticate", "RateLimiter.acquire", "ResponseWriter.write"),
          RESTAURANT_API,
              List.of("MenuPricing.compute", "RestaurantMapper.toDto", "OpeningHours.evaluate"),
          ORDER_SERVICE,
              List.of("OrderValidator.validate", "DeliveryEstimator.estimate", "OrderMapper.toDto"),
          PAYMENT_SERVICE, List.of("FraudCheck.score", "PaymentMapper.toDto"),
          SEARCH_SERVICE, List.of("SearchRanker.rank", "QueryParser.parse", "GeoFilter.apply"));

  private static final List<String> REDIS_COMMANDS =
      List.of("GET", "GET", "HGETALL", "SETEX", "INCR");

  private enum Op {
    HTTP_SERVER,
    HTTP_CLIENT,
    EXTERNAL_HTTP,
    DB,
    REDIS,
    INTERNAL
  }

  /** Everything about one user request that several spans repeat. */
  private record Context(
      String userId,
      String restaurantId,
      String orderId,
      String sessionId,
      String requestId,
      String city,
      String cuisine,
      String tenantId,
      String clientIp,
      String platform,
      boolean slow) {}

  private static final class Node {
    final Node parent;
    final List<Node> children = new ArrayList<>();
    final String service;
    final Op op;
    final String method;
    final String route;
    final String detail; // table, redis command, internal operation, or callee service
    final byte[] spanId;
    boolean error;
    long duration;
    long relStart;
    long start;

    Node(
        Node parent, String service, Op op, String method, String route, String detail, byte[] id) {
      this.parent = parent;
      this.service = service;
      this.op = op;
      this.method = method;
      this.route = route;
      this.detail = detail;
      this.spanId = id;
      if (parent != null) {
        parent.children.add(this);
      }
    }
  }

  private final RandomGenerator random;
  private final long nowEpochNanos;
  private final long spreadNanos;
  private final Map<String, List<ServiceInstance>> instances = new LinkedHashMap<>();

  /**
   * @param nowEpochNanos traces end before this time
   * @param spreadNanos trace start times are spread over this long before {@code nowEpochNanos}
   */
  TraceFactory(RandomGenerator random, long nowEpochNanos, long spreadNanos) {
    this.random = random;
    this.nowEpochNanos = nowEpochNanos;
    this.spreadNanos = Math.max(1, spreadNanos);
    int podIp = 10;
    for (String service : SERVICES) {
      List<ServiceInstance> pods = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String pod = service + "-" + Long.toString(random.nextLong(0x1000000L, 0x7ffffffL), 36);
        pods.add(
            new ServiceInstance(service, "1." + (4 + i / 2) + ".2", pod, "10.42.0." + podIp++));
      }
      instances.put(service, List.copyOf(pods));
    }
  }

  /** Whole traces of random size in [5, 40] totalling exactly {@code spans}; the last is cut. */
  List<List<SyntheticSpan>> nextBatch(int spans) {
    List<List<SyntheticSpan>> traces = new ArrayList<>();
    int left = spans;
    while (left > 0) {
      int size = Math.min(left, random.nextInt(MIN_SPANS, MAX_SPANS + 1));
      traces.add(nextTrace(size));
      left -= size;
    }
    return traces;
  }

  /** A trace of exactly {@code spanCount} spans, root first. */
  List<SyntheticSpan> nextTrace(int spanCount) {
    if (spanCount < 1) {
      throw new IllegalArgumentException("spanCount must be at least 1, got " + spanCount);
    }
    byte[] traceId = new byte[16];
    System.arraycopy(nonZeroId(), 0, traceId, 0, 8);
    System.arraycopy(nonZeroId(), 0, traceId, 8, 8);
    Context ctx = context();
    Endpoint endpoint = endpoint();

    // (1) structure
    Node root =
        new Node(
            null,
            WEB_GATEWAY,
            Op.HTTP_SERVER,
            endpoint.method(),
            endpoint.route(),
            null,
            nonZeroId());
    List<Node> hosts = new ArrayList<>(List.of(root));
    List<Node> all = new ArrayList<>(List.of(root));
    if (spanCount >= 3) {
      addCall(root, endpoint.backend(), endpoint.method(), endpoint.backendRoute(), hosts, all);
    }
    while (all.size() < spanCount) {
      Node parent = hosts.get(random.nextInt(hosts.size()));
      int left = spanCount - all.size();
      double r = random.nextDouble();
      List<String[]> calls = CALLS.get(parent.service);
      List<String> tables = TABLES.get(parent.service);
      if (r < 0.22 && left >= 2 && !calls.isEmpty()) {
        String[] call = calls.get(random.nextInt(calls.size()));
        addCall(parent, call[0], call[1], call[2], hosts, all);
      } else if (r < 0.6 && !tables.isEmpty()) {
        all.add(new Node(parent, parent.service, Op.DB, null, null, pick(tables), nonZeroId()));
      } else if (r < 0.78) {
        all.add(
            new Node(
                parent, parent.service, Op.REDIS, null, null, pick(REDIS_COMMANDS), nonZeroId()));
      } else if (r < 0.84 && parent.service.equals(PAYMENT_SERVICE)) {
        all.add(
            new Node(
                parent,
                parent.service,
                Op.EXTERNAL_HTTP,
                "POST",
                "/v1/charges",
                null,
                nonZeroId()));
      } else {
        Node internal =
            new Node(
                parent,
                parent.service,
                Op.INTERNAL,
                null,
                null,
                pick(INTERNAL_OPS.get(parent.service)),
                nonZeroId());
        all.add(internal);
        hosts.add(internal);
      }
    }

    // (2) errors
    if (random.nextDouble() < 0.03) {
      List<Node> leaves = all.stream().filter(n -> n.children.isEmpty()).toList();
      for (Node n = leaves.get(random.nextInt(leaves.size())); n != null; n = n.parent) {
        n.error = true;
      }
    }

    // (3) timing
    duration(root, ctx.slow() ? 10.0 : 1.0);
    root.start = nowEpochNanos - random.nextLong(spreadNanos) - root.duration;
    List<SyntheticSpan> spans = new ArrayList<>(spanCount);
    place(root, traceId, ctx, spans);
    return spans;
  }

  private void addCall(
      Node parent, String callee, String method, String route, List<Node> hosts, List<Node> all) {
    Node client =
        new Node(parent, parent.service, Op.HTTP_CLIENT, method, route, callee, nonZeroId());
    Node server = new Node(client, callee, Op.HTTP_SERVER, method, route, null, nonZeroId());
    all.add(client);
    all.add(server);
    hosts.add(server);
  }

  private long duration(Node n, double slowFactor) {
    long d =
        switch (n.op) {
          case DB -> logNormal(1_500_000, 1.0, slowFactor);
          case REDIS -> logNormal(250_000, 0.6, 1.0);
          case EXTERNAL_HTTP -> logNormal(120_000_000, 0.5, slowFactor);
          case HTTP_CLIENT -> {
            Node server = n.children.getFirst();
            long net = logNormal(400_000, 0.3, 1.0);
            long inner = duration(server, slowFactor);
            server.relStart = net / 2;
            yield inner + net;
          }
          case HTTP_SERVER, INTERNAL -> {
            long self = logNormal(300_000, 0.8, 1.0);
            long cursor = self / 2;
            for (Node child : n.children) {
              child.relStart = cursor;
              cursor += duration(child, slowFactor) + random.nextLong(20_000, 150_000);
            }
            yield cursor + self / 2;
          }
        };
    n.duration = Math.max(1_000, d);
    return n.duration;
  }

  private long logNormal(double medianNanos, double sigma, double factor) {
    return (long) (medianNanos * factor * Math.exp(sigma * random.nextGaussian()));
  }

  private void place(Node n, byte[] traceId, Context ctx, List<SyntheticSpan> out) {
    if (n.parent != null) {
      n.start = n.parent.start + n.relStart;
    }
    ServiceInstance instance = pick(instances.get(n.service));
    List<Attribute> attributes = attributes(n, ctx, instance);
    List<Event> events = new ArrayList<>();
    String statusMessage = "";
    if (n.error && n.children.isEmpty()) {
      String[] failure = failure(n.op);
      statusMessage = failure[1];
      events.add(
          new Event(
              "exception",
              n.start + n.duration - 1_000,
              List.of(
                  new Attribute("exception.type", failure[0]),
                  new Attribute("exception.message", failure[1]),
                  new Attribute("exception.stacktrace", stackTrace(failure[0], failure[1], n)),
                  new Attribute("exception.escaped", Boolean.TRUE))));
    } else if (n.error) {
      statusMessage = n.op == Op.HTTP_SERVER || n.op == Op.HTTP_CLIENT ? "HTTP 500" : "failed";
    }
    out.add(
        new SyntheticSpan(
            traceId,
            n.spanId,
            n.parent == null ? new byte[0] : n.parent.spanId,
            instance,
            spanName(n),
            kind(n.op),
            n.start,
            n.start + n.duration,
            n.error,
            statusMessage,
            remoteService(n),
            attributes,
            events));
    for (Node child : n.children) {
      place(child, traceId, ctx, out);
    }
  }

  private static Kind kind(Op op) {
    return switch (op) {
      case HTTP_SERVER -> Kind.SERVER;
      case HTTP_CLIENT, EXTERNAL_HTTP, DB, REDIS -> Kind.CLIENT;
      case INTERNAL -> Kind.INTERNAL;
    };
  }

  private static String remoteService(Node n) {
    return switch (n.op) {
      case HTTP_CLIENT -> n.detail;
      case EXTERNAL_HTTP -> "payments-provider";
      case DB -> "postgres";
      case REDIS -> "redis";
      case HTTP_SERVER, INTERNAL -> null;
    };
  }

  private static String spanName(Node n) {
    return switch (n.op) {
      case HTTP_SERVER, HTTP_CLIENT, EXTERNAL_HTTP -> n.method + " " + n.route;
      case DB -> dbOperation(n) + " " + n.detail;
      case REDIS -> n.detail;
      case INTERNAL -> n.detail;
    };
  }

  private static String dbOperation(Node n) {
    // Writes happen where the endpoint writes; reads everywhere; the choice is a pure function of
    // the node so that the name and the attributes agree.
    boolean write =
        (n.detail.equals("orders") || n.detail.equals("payments") || n.detail.equals("order_items"))
            && (n.spanId[0] & 1) == 0;
    return write
        ? (n.detail.equals("orders") && (n.spanId[1] & 1) == 0 ? "UPDATE" : "INSERT")
        : "SELECT";
  }

  private List<Attribute> attributes(Node n, Context ctx, ServiceInstance instance) {
    Map<String, Object> a = new LinkedHashMap<>();
    int status = n.error ? 500 : (n.method != null && n.method.equals("POST") ? 201 : 200);
    switch (n.op) {
      case HTTP_SERVER -> {
        a.put("http.request.method", n.method);
        a.put("http.route", n.route);
        a.put("url.path", path(n.route, ctx));
        a.put("url.scheme", n.parent == null ? "https" : "http");
        a.put("http.response.status_code", (long) status);
        a.put("server.address", n.parent == null ? "api.yumzoom.example" : n.service);
        a.put("server.port", n.parent == null ? 443L : 8080L);
        a.put("client.address", n.parent == null ? ctx.clientIp() : n.parent.service);
        a.put("network.protocol.version", n.parent == null ? "2" : "1.1");
        a.put("http.response.body.size", random.nextLong(200, 40_000));
        a.put("user.id", ctx.userId());
        if (n.parent == null) {
          a.put("user_agent.original", userAgent(ctx.platform()));
        }
        if (n.route.contains("{restaurantId}") || n.route.startsWith("/restaurants")) {
          a.put("restaurant.id", ctx.restaurantId());
        }
        if (n.route.contains("order") || n.route.contains("payment")) {
          a.put("order.id", ctx.orderId());
        }
      }
      case HTTP_CLIENT -> {
        a.put("http.request.method", n.method);
        a.put("url.full", "http://" + n.detail + ":8080" + path(n.route, ctx));
        a.put("server.address", n.detail);
        a.put("server.port", 8080L);
        a.put("http.response.status_code", (long) status);
        a.put("network.protocol.version", "1.1");
        a.put("peer.service", n.detail);
        a.put("http.request.resend_count", 0L);
      }
      case EXTERNAL_HTTP -> {
        a.put("http.request.method", "POST");
        a.put("url.full", "https://api.payments.example/v1/charges");
        a.put("server.address", "api.payments.example");
        a.put("server.port", 443L);
        a.put("http.response.status_code", n.error ? 504L : 200L);
        a.put("payment.amount", Math.round(random.nextDouble(8, 180) * 100) / 100.0);
        a.put("payment.currency", "EUR");
        a.put("order.id", ctx.orderId());
      }
      case DB -> {
        String op = dbOperation(n);
        a.put("db.system", "postgresql");
        a.put("db.namespace", "yumzoom");
        a.put("db.operation.name", op);
        a.put("db.collection.name", n.detail);
        a.put("db.query.text", statement(op, n.detail));
        a.put("server.address", "postgres");
        a.put("server.port", 5432L);
        a.put("network.peer.address", "10.42.1.7");
        a.put("db.client.connection.pool.name", "HikariPool-1");
        if (op.equals("SELECT")) {
          a.put("db.response.returned_rows", random.nextLong(0, 60));
        }
      }
      case REDIS -> {
        a.put("db.system", "redis");
        a.put("db.namespace", "0");
        a.put("db.operation.name", n.detail);
        a.put("db.query.text", n.detail + " " + redisKey(n.service, ctx));
        a.put("server.address", "redis");
        a.put("server.port", 6379L);
        a.put("network.peer.address", "10.42.1.9");
      }
      case INTERNAL -> {
        a.put("code.function.name", "com.yumzoom." + n.service.replace('-', '.') + "." + n.detail);
        a.put("thread.name", "http-nio-8080-exec-" + random.nextInt(1, 201));
      }
    }
    if (n.error && n.op != Op.INTERNAL) {
      a.put("error.type", n.children.isEmpty() ? failure(n.op)[0] : "500");
    }
    int target = random.nextInt(MIN_ATTRIBUTES, MAX_ATTRIBUTES + 1);
    int rotation = random.nextInt(FILLER_KEYS.size());
    for (int i = 0; i < FILLER_KEYS.size() && a.size() < target; i++) {
      String key = FILLER_KEYS.get((rotation + i) % FILLER_KEYS.size());
      if (!a.containsKey(key)) {
        a.put(key, filler(key, ctx, instance));
      }
    }
    List<Attribute> list = new ArrayList<>(a.size());
    a.forEach((k, v) -> list.add(new Attribute(k, v)));
    return list;
  }

  static final List<String> FILLER_KEYS =
      List.of(
          "thread.name",
          "thread.id",
          "code.namespace",
          "code.lineno",
          "app.request.id",
          "user.id",
          "app.session.id",
          "app.user.tier",
          "app.city",
          "app.cuisine",
          "app.tenant.id",
          "app.locale",
          "app.currency",
          "app.client.platform",
          "app.client.version",
          "app.feature.new_checkout",
          "app.feature.ranking_v2",
          "app.cache.hit",
          "app.retry.count",
          "app.experiment.bucket",
          "app.region",
          "app.zone",
          "app.queue.depth",
          "app.pool.active",
          "app.payload.items",
          "app.delivery.eta_minutes",
          "app.rating.avg",
          "app.restaurant.open",
          "app.search.results",
          "app.pod.ip",
          "app.build.sha",
          "app.deploy.ring");

  private Object filler(String key, Context ctx, ServiceInstance instance) {
    return switch (key) {
      case "thread.name" -> "http-nio-8080-exec-" + random.nextInt(1, 201);
      case "thread.id" -> random.nextLong(30, 400);
      case "code.namespace" -> "com.yumzoom." + instance.service().replace('-', '.');
      case "code.lineno" -> random.nextLong(20, 900);
      case "app.request.id" -> ctx.requestId();
      case "user.id" -> ctx.userId();
      case "app.session.id" -> ctx.sessionId();
      case "app.user.tier" -> pick(List.of("free", "free", "free", "plus", "premium"));
      case "app.city" -> ctx.city();
      case "app.cuisine" -> ctx.cuisine();
      case "app.tenant.id" -> ctx.tenantId();
      case "app.locale" -> pick(List.of("en-GB", "pt-PT", "es-ES", "fr-FR", "de-DE", "it-IT"));
      case "app.currency" -> "EUR";
      case "app.client.platform" -> ctx.platform();
      case "app.client.version" -> "5." + random.nextInt(10, 14) + "." + random.nextInt(0, 9);
      case "app.feature.new_checkout", "app.feature.ranking_v2", "app.cache.hit" ->
          random.nextBoolean();
      case "app.retry.count" -> random.nextDouble() < 0.95 ? 0L : random.nextLong(1, 4);
      case "app.experiment.bucket" -> random.nextLong(0, 10);
      case "app.region" -> "eu-west-1";
      case "app.zone" -> pick(List.of("eu-west-1a", "eu-west-1b", "eu-west-1c"));
      case "app.queue.depth" -> random.nextLong(0, 64);
      case "app.pool.active" -> random.nextLong(1, 32);
      case "app.payload.items" -> random.nextLong(1, 25);
      case "app.delivery.eta_minutes" -> Math.round(random.nextDouble(12, 70) * 10) / 10.0;
      case "app.rating.avg" -> Math.round(random.nextDouble(2.5, 5.0) * 100) / 100.0;
      case "app.restaurant.open" -> random.nextDouble() < 0.8;
      case "app.search.results" -> random.nextLong(0, 120);
      case "app.pod.ip" -> instance.ipv4();
      case "app.build.sha" -> "9f3c2a1" + instance.version().replace(".", "");
      case "app.deploy.ring" -> pick(List.of("canary", "main", "main", "main"));
      default -> throw new IllegalStateException("no filler for " + key);
    };
  }

  private Context context() {
    // Cubing a uniform variate skews ids towards low numbers: hot users and restaurants, long tail.
    double u = random.nextDouble();
    double r = random.nextDouble();
    return new Context(
        "usr-%06d".formatted((int) (u * u * u * USERS)),
        "rst-%05d".formatted((int) (r * r * RESTAURANTS)),
        "ord-" + Long.toHexString(random.nextLong() | Long.MIN_VALUE),
        "ses-" + Long.toString(random.nextLong() >>> 1, 36),
        "req-" + Long.toHexString(random.nextLong()),
        pick(CITIES),
        pick(CUISINES),
        "tenant-%02d".formatted(random.nextInt(50)),
        "203.0.113." + random.nextInt(1, 255),
        pick(List.of("ios", "ios", "android", "android", "web")),
        random.nextDouble() < 0.02);
  }

  private Endpoint endpoint() {
    int w = random.nextInt(TOTAL_WEIGHT);
    for (Endpoint e : ENDPOINTS) {
      w -= e.weight();
      if (w < 0) {
        return e;
      }
    }
    throw new IllegalStateException("weights");
  }

  private static String path(String route, Context ctx) {
    return route.replace("{restaurantId}", ctx.restaurantId()).replace("{orderId}", ctx.orderId());
  }

  private static String userAgent(String platform) {
    return switch (platform) {
      case "ios" -> "YumZoom/5.12.1 (iPhone; iOS 18.1; Scale/3.00)";
      case "android" -> "YumZoom/5.12.0 (Linux; Android 15; Pixel 8)";
      default ->
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    };
  }

  private static String statement(String op, String table) {
    return switch (op) {
      case "INSERT" ->
          "INSERT INTO "
              + table
              + " (id, order_id, status, amount, created_at) VALUES ($1, $2, $3, $4, now())";
      case "UPDATE" -> "UPDATE " + table + " SET status = $1, updated_at = now() WHERE id = $2";
      default ->
          "SELECT t.id, t.name, t.status, t.updated_at FROM "
              + table
              + " t WHERE t.restaurant_id = $1 AND t.deleted_at IS NULL ORDER BY t.updated_at DESC LIMIT 50";
    };
  }

  private static String redisKey(String service, Context ctx) {
    return switch (service) {
      case WEB_GATEWAY -> "session:" + ctx.sessionId();
      case ORDER_SERVICE, PAYMENT_SERVICE -> "order:" + ctx.orderId();
      default -> "restaurant:" + ctx.restaurantId();
    };
  }

  private static String[] failure(Op op) {
    return switch (op) {
      case DB ->
          new String[] {
            "org.postgresql.util.PSQLException",
            "ERROR: canceling statement due to statement timeout"
          };
      case REDIS ->
          new String[] {
            "io.lettuce.core.RedisCommandTimeoutException", "Command timed out after 1 second(s)"
          };
      case EXTERNAL_HTTP, HTTP_CLIENT ->
          new String[] {"java.net.SocketTimeoutException", "Read timed out"};
      case HTTP_SERVER, INTERNAL ->
          new String[] {"java.lang.IllegalStateException", "menu item no longer available"};
    };
  }

  private static String stackTrace(String type, String message, Node n) {
    String pkg = "com.yumzoom." + n.service.replace('-', '.');
    StringBuilder sb = new StringBuilder(type).append(": ").append(message).append('\n');
    String[] frames = {
      pkg + ".repository.JdbcRepository.query(JdbcRepository.java:142)",
      pkg + ".service.DomainService.load(DomainService.java:88)",
      pkg + ".web.Controller.handle(Controller.java:57)",
      "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
      "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
      "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:140)",
      "org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)",
      "org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:344)",
      "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1769)",
      "java.base/java.lang.VirtualThread.run(VirtualThread.java:466)"
    };
    for (String frame : frames) {
      sb.append("\tat ").append(frame).append('\n');
    }
    return sb.toString();
  }

  private byte[] nonZeroId() {
    long v = random.nextLong();
    if (v == 0) {
      v = 1;
    }
    byte[] id = new byte[8];
    for (int i = 7; i >= 0; i--) {
      id[i] = (byte) v;
      v >>>= 8;
    }
    return id;
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
