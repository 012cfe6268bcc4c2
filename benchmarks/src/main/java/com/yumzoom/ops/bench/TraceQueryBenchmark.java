package com.yumzoom.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trace query benchmark: latency of trace lookup by id, for ids the load generator sampled, and of
 * searches by service, by tag and by duration over the last hour, with a bounded number of
 * requests. Speaks the Grafana Tempo HTTP API (our server) or the Zipkin v2 API (the peer).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar com.yumzoom.ops.bench.TraceQueryBenchmark \
 *     --url http://127.0.0.1:8080 --trace-ids trace-ids.tsv
 * </pre>
 */
@Command(
    name = "trace-query",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Measures trace lookup and search latency.")
public final class TraceQueryBenchmark implements Callable<Integer> {

  enum Api {
    TEMPO,
    ZIPKIN
  }

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Base URL.")
  String url;

  @Option(
      names = "--api",
      defaultValue = "tempo",
      description = "tempo (/api/traces, /api/search) or zipkin (/api/v2/trace, /api/v2/traces).")
  String api;

  @Option(
      names = "--trace-ids",
      required = true,
      description = "Trace ids written by TraceLoadGenerator --trace-ids-out.")
  Path traceIds;

  @Option(names = "--lookups", defaultValue = "1000", description = "Trace lookups by id.")
  int lookups;

  @Option(names = "--searches", defaultValue = "300", description = "Searches (all kinds).")
  int searches;

  @Option(
      names = "--warmup-requests",
      defaultValue = "50",
      description = "Unmeasured requests of each kind first.")
  int warmupRequests;

  @Option(
      names = "--concurrency",
      defaultValue = "1",
      description = "Requests in flight; 1 measures latency without queueing.")
  int concurrency;

  @Option(names = "--limit", defaultValue = "20")
  int limit;

  @Option(names = "--lookback", defaultValue = "1h", converter = DurationConverter.class)
  Duration lookback;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(
      names = "--span-count-url",
      description =
          "A metrics URL (Prometheus text) whose span counters to print after the run, e.g."
              + " http://127.0.0.1:9411/prometheus.")
  URI spanCountUrl;

  @Option(names = "--result-file", description = "Also write the figures as key=value lines.")
  Path resultFile;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public static void main(String[] args) {
    System.exit(new CommandLine(new TraceQueryBenchmark()).execute(args));
  }

  /** One kind of query and what happened to it. */
  static final class Kind {
    final String name;
    final Histogram micros = new ConcurrentHistogram(3);
    final LongAdder ok = new LongAdder();
    final LongAdder empty = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder results = new LongAdder();
    final LongAdder incomplete = new LongAdder();

    Kind(String name) {
      this.name = name;
    }
  }

  record Query(Kind kind, String pathAndQuery, int expectedSpans) {}

  record SampledTrace(String id, int spanCount) {}

  @Override
  public Integer call() throws Exception {
    Api which = Api.valueOf(api.toUpperCase(Locale.ROOT));
    List<SampledTrace> ids = readTraceIds(traceIds);
    if (ids.isEmpty()) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "no trace ids in " + traceIds);
    }
    PrintStream out = System.out;
    Map<String, Kind> kinds = new LinkedHashMap<>();
    for (String k : List.of("lookup", "search:service", "search:tag", "search:duration")) {
      kinds.put(k, new Kind(k));
    }
    SplittableRandom random = new SplittableRandom(seed);
    long endSeconds = System.currentTimeMillis() / 1000 + 60;
    long startSeconds = endSeconds - lookback.toSeconds() - 60;
    QueryMaker maker = new QueryMaker(which, random, startSeconds, endSeconds, limit);

    List<Query> warm = new ArrayList<>();
    for (int i = 0; i < warmupRequests; i++) {
      warm.add(maker.lookup(new Kind("warmup"), ids.get(random.nextInt(ids.size()))));
      warm.add(maker.search(new Kind("warmup"), random.nextInt(3)));
    }
    List<Query> measured = new ArrayList<>();
    for (int i = 0; i < lookups; i++) {
      measured.add(maker.lookup(kinds.get("lookup"), ids.get(i % ids.size())));
    }
    String[] searchKinds = {"search:service", "search:tag", "search:duration"};
    for (int i = 0; i < searches; i++) {
      measured.add(maker.search(kinds.get(searchKinds[i % 3]), i % 3));
    }
    // Interleave lookups and searches so that neither runs only on a warm or cold cache.
    java.util.Collections.shuffle(measured, new java.util.Random(seed));

    out.printf(
        "querying %s (%s API): %d warmup, %d lookups of %d sampled ids, %d searches, concurrency"
            + " %d%n",
        url, api, warm.size(), lookups, ids.size(), searches, concurrency);
    run(warm, which);
    long t0 = System.nanoTime();
    run(measured, which);
    double seconds = (System.nanoTime() - t0) / 1e9;

    out.println();
    out.printf("== trace query: %s (%s API), %.1f s ==%n", url, api, seconds);
    out.printf(
        "%-16s %7s %8s %8s %8s %8s %7s %7s %7s %s%n",
        "query", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "empty", "404", "failed",
        "results");
    StringBuilder lines = new StringBuilder();
    for (Kind k : kinds.values()) {
      Histogram h = k.micros;
      long n = h.getTotalCount();
      out.printf(
          Locale.ROOT,
          "%-16s %7d %8.1f %8.1f %8.1f %8.1f %7d %7d %7d %s%n",
          k.name,
          n,
          h.getValueAtPercentile(50) / 1e3,
          h.getValueAtPercentile(95) / 1e3,
          h.getValueAtPercentile(99) / 1e3,
          h.getMaxValue() / 1e3,
          k.empty.sum(),
          k.notFound.sum(),
          k.failed.sum(),
          k.name.equals("lookup")
              ? "%.1f spans/trace, %d incomplete"
                  .formatted(avg(k.results, k.ok), k.incomplete.sum())
              : "%.1f traces/search".formatted(avg(k.results, k.ok)));
      String key = k.name.replace("search:", "search_");
      for (int p : new int[] {50, 95, 99}) {
        lines.append(
            String.format(
                Locale.ROOT, "%s_p%d_ms=%.1f%n", key, p, h.getValueAtPercentile(p) / 1e3));
      }
      lines.append(key).append("_failed=").append(k.failed.sum() + k.notFound.sum()).append('\n');
    }
    if (spanCountUrl != null) {
      printSpanCounters(out);
    }
    if (resultFile != null) {
      Files.writeString(resultFile, lines.toString(), StandardCharsets.UTF_8);
    }
    long failures = kinds.values().stream().mapToLong(k -> k.failed.sum() + k.notFound.sum()).sum();
    return failures == 0 ? 0 : 1;
  }

  private static double avg(LongAdder total, LongAdder count) {
    return count.sum() == 0 ? 0 : total.sum() / (double) count.sum();
  }

  private void run(List<Query> queries, Api which) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        workers.submit(
            () -> {
              for (int i = next.getAndIncrement(); i < queries.size(); i = next.getAndIncrement()) {
                execute(queries.get(i), which);
              }
            });
      }
    }
  }

  private void execute(Query q, Api which) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + q.pathAndQuery()))
            .timeout(Duration.ofSeconds(60))
            .header("Accept", "application/json")
            .GET()
            .build();
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      q.kind().failed.increment();
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    long micros = Math.max(1, (System.nanoTime() - t0) / 1_000);
    Kind k = q.kind();
    if (response.statusCode() == 404) {
      k.notFound.increment();
      return;
    }
    if (response.statusCode() != 200) {
      k.failed.increment();
      if (k.failed.sum() <= 3) {
        System.err.printf(
            "%s -> HTTP %d %s%n",
            q.pathAndQuery(),
            response.statusCode(),
            new String(response.body(), 0, Math.min(200, response.body().length)));
      }
      return;
    }
    k.micros.recordValue(micros);
    k.ok.increment();
    try {
      JsonNode body = MAPPER.readTree(response.body());
      int count = q.expectedSpans() > 0 ? countSpans(body, which) : countTraces(body, which);
      k.results.add(count);
      if (count == 0) {
        k.empty.increment();
      }
      if (q.expectedSpans() > 0 && count != q.expectedSpans()) {
        k.incomplete.increment();
      }
    } catch (IOException e) {
      k.failed.increment();
    }
  }

  /** Spans in a trace response: Tempo's OTLP JSON batches, or Zipkin's span list. */
  static int countSpans(JsonNode body, Api which) {
    if (which == Api.ZIPKIN) {
      return body.isArray() ? body.size() : 0;
    }
    int n = 0;
    for (String top : List.of("batches", "resourceSpans")) {
      for (JsonNode rs : body.path(top)) {
        for (String scopes : List.of("scopeSpans", "instrumentationLibrarySpans")) {
          for (JsonNode ss : rs.path(scopes)) {
            n += ss.path("spans").size();
          }
        }
      }
    }
    return n;
  }

  static int countTraces(JsonNode body, Api which) {
    return which == Api.ZIPKIN ? body.size() : body.path("traces").size();
  }

  private void printSpanCounters(PrintStream out) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(spanCountUrl).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        out.printf("span counters: %s answered %d%n", spanCountUrl, r.statusCode());
        return;
      }
      out.println("span counters reported by the server (" + spanCountUrl + "):");
      r.body()
          .lines()
          .filter(l -> !l.startsWith("#") && isSpanCounter(l))
          .limit(12)
          .forEach(l -> out.println("  " + l));
    } catch (IOException e) {
      out.printf("span counters: %s unavailable (%s)%n", spanCountUrl, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A Prometheus sample whose metric name has a "span" or "spans" word (not "lifespan"). */
  static boolean isSpanCounter(String line) {
    int end = line.length();
    for (char c : new char[] {'{', ' '}) {
      int i = line.indexOf(c);
      if (i >= 0) {
        end = Math.min(end, i);
      }
    }
    return line.substring(0, end).toLowerCase(Locale.ROOT).matches("(.*_)?spans?(_.*)?");
  }

  static List<SampledTrace> readTraceIds(Path file) throws IOException {
    List<SampledTrace> ids = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      ids.add(new SampledTrace(f[0].trim(), f.length > 1 ? Integer.parseInt(f[1].trim()) : 0));
    }
    return ids;
  }

  /** Builds the requests; searches use values the generator actually emits (TraceFactory). */
  static final class QueryMaker {
    private final Api api;
    private final SplittableRandom random;
    private final long startSeconds;
    private final long endSeconds;
    private final int limit;

    QueryMaker(Api api, SplittableRandom random, long startSeconds, long endSeconds, int limit) {
      this.api = api;
      this.random = random;
      this.startSeconds = startSeconds;
      this.endSeconds = endSeconds;
      this.limit = limit;
    }

    Query lookup(Kind kind, SampledTrace t) {
      String path = api == Api.TEMPO ? "/api/traces/" + t.id() : "/api/v2/trace/" + t.id();
      return new Query(kind, path, Math.max(1, t.spanCount()));
    }

    /** 0: by service, 1: by tag, 2: by service and minimum duration. */
    Query search(Kind kind, int type) {
      String service = pick(TraceFactory.SERVICES);
      return switch (type) {
        case 0 -> new Query(kind, search(Map.of("service.name", service), null), 0);
        case 1 -> new Query(kind, search(tag(), null), 0);
        default ->
            new Query(
                kind,
                search(Map.of("service.name", service), pick(List.of("50ms", "100ms", "250ms"))),
                0);
      };
    }

    private Map<String, String> tag() {
      double r = random.nextDouble();
      return switch (random.nextInt(4)) {
        case 0 -> Map.of("restaurant.id", "rst-%05d".formatted((int) (r * r * 200)));
        case 1 -> Map.of("app.city", pick(TraceFactory.CITIES));
        case 2 ->
            Map.of(
                "service.name",
                TraceFactory.WEB_GATEWAY,
                "http.route",
                pick(TraceFactory.ENDPOINTS).route());
        default -> Map.of("db.collection.name", pick(List.of("orders", "menu_items", "payments")));
      };
    }

    private String search(Map<String, String> tags, String minDuration) {
      StringBuilder q = new StringBuilder();
      if (api == Api.TEMPO) {
        StringBuilder logfmt = new StringBuilder();
        tags.forEach(
            (k, v) ->
                logfmt
                    .append(logfmt.isEmpty() ? "" : " ")
                    .append(k)
                    .append("=\"")
                    .append(v)
                    .append('"'));
        q.append("/api/search?tags=").append(enc(logfmt.toString()));
        if (minDuration != null) {
          q.append("&minDuration=").append(minDuration);
        }
        q.append("&limit=").append(limit);
        q.append("&start=").append(startSeconds).append("&end=").append(endSeconds);
      } else {
        q.append("/api/v2/traces?limit=").append(limit);
        StringBuilder annotations = new StringBuilder();
        tags.forEach(
            (k, v) -> {
              if (k.equals("service.name")) {
                q.append("&serviceName=").append(enc(v));
              } else {
                annotations
                    .append(annotations.isEmpty() ? "" : " and ")
                    .append(k)
                    .append('=')
                    .append(v);
              }
            });
        if (!annotations.isEmpty()) {
          q.append("&annotationQuery=").append(enc(annotations.toString()));
        }
        if (minDuration != null) {
          q.append("&minDuration=").append(DurationConverter.parse(minDuration).toNanos() / 1_000);
        }
        q.append("&endTs=").append(endSeconds * 1000);
        q.append("&lookback=").append((endSeconds - startSeconds) * 1000);
      }
      return q.toString();
    }

    private <T> T pick(List<T> list) {
      return list.get(random.nextInt(list.size()));
    }

    private static String enc(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }
}
