package com.yumzoom.ops.metrics.duckdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.yumzoom.ops.config.MetricsSettings;
import com.yumzoom.ops.metrics.AppendResult;
import com.yumzoom.ops.metrics.InMemorySampleStore;
import com.yumzoom.ops.metrics.MetricsLimits;
import com.yumzoom.ops.metrics.Sample;
import com.yumzoom.ops.metrics.SampleStore;
import com.yumzoom.ops.pipeline.OverloadedException;
import com.yumzoom.ops.query.promql.LabelMatcher;
import com.yumzoom.ops.query.promql.Labels;
import com.yumzoom.ops.query.promql.Values;
import com.yumzoom.ops.store.duckdb.Migrations;
import com.yumzoom.ops.store.duckdb.ReaderPool;
import com.yumzoom.ops.store.duckdb.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link SampleStore}: {@code metrics.duckdb} in the data directory, with an in-memory
 * head of recent samples in front of it.
 *
 * <p>Design. Appends go through a bounded queue to one writer thread that group-commits: it drains
 * every queued batch, checks each sample against the series limits and its series' newest sample,
 * appends new series and samples through DuckDB's appender in one explicit transaction, commits
 * (DuckDB syncs its WAL at commit) and only then applies the samples to the head and completes the
 * callers' futures; so {@link #append} returns after its samples are durable, and OTLP answers 2xx
 * after that. The head ({@link InMemorySampleStore}: a bounded ring per series) answers raw reads
 * whose range starts after {@link #headValidFrom()}; everything else is read from the file, which
 * holds every committed sample. On open, the head is refilled with the newest samples of the last
 * {@link #HEAD_RELOAD_SPAN}.
 *
 * <p>Rollups: the writer thread folds raw samples into 5-minute and 1-hour buckets once a bucket is
 * {@link #ROLLUP_GRACE} old. A selector evaluated at a step of at least a bucket (and whose range
 * holds four buckets, or whose lookback holds one) over a range reaching past the head reads
 * buckets instead of samples; buckets not folded yet are computed from raw samples on the fly. A
 * bucket becomes one sample at its end: counters ({@code _total}, {@code _count}, {@code _sum},
 * {@code _bucket}) as a reset-free running total of the buckets' increases, so {@code rate()} and
 * {@code increase()} stay right across restarts of the counter; other series as the bucket's last
 * value. A bucket that has not ended by the clock is not returned.
 */
public final class DuckDbSampleStore implements SampleStore, AutoCloseable {

  public static final String FILE_NAME = "metrics.duckdb";
  static final long RES_5M = 300_000;
  static final long RES_1H = 3_600_000;
  static final long[] RESOLUTIONS = {RES_1H, RES_5M};
  static final Duration HEAD_RELOAD_SPAN = Duration.ofHours(6);
  static final Duration ROLLUP_GRACE = Duration.ofMinutes(2);
  static final Duration ROLLUP_INTERVAL = Duration.ofMinutes(1);
  static final Duration RETENTION_INTERVAL = Duration.ofHours(1);
  private static final int COMMIT_MAX_SAMPLES = 200_000;
  private static final long ROLLUP_CHUNK = Duration.ofDays(1).toMillis();

  private static final Logger LOG = LoggerFactory.getLogger(DuckDbSampleStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<Path, Boolean> OPEN = new ConcurrentHashMap<>();

  /** One series known to the store; times are updated by the writer thread after commit. */
  static final class SeriesInfo {
    final long id;
    final Labels labels;
    final String metric;
    final boolean counter;
    volatile long firstT;
    volatile long lastT;
    double lastV;

    SeriesInfo(long id, Labels labels, long firstT, long lastT, double lastV) {
      this.id = id;
      this.labels = labels;
      this.metric = labels.get(Labels.NAME);
      this.counter = isCounter(metric);
      this.firstT = firstT;
      this.lastT = lastT;
      this.lastV = lastV;
    }
  }

  /** Samples to commit, or (with a task) work that must run on the writer thread. */
  private record Batch(
      List<Sample> samples, CompletableFuture<AppendResult> done, WriterTask task) {}

  /** Why samples were refused, by kind; read by the server's own metrics. */
  public record Rejections(
      long seriesLimit, long perMetricLimit, long labelLimit, long outOfOrder) {}

  private final Path file;
  private final DuckDBConnection writer;
  private final MetricsSettings settings;
  private final Clock clock;
  private final InMemorySampleStore head;
  private final Map<Labels, SeriesInfo> index = new ConcurrentHashMap<>();
  private final Map<String, Integer> seriesPerMetric = new HashMap<>();
  private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedSamples = new AtomicInteger();
  private final ReaderPool readers;
  private final Thread writerThread;
  private final AtomicLong rejectedSeriesLimit = new AtomicLong();
  private final AtomicLong rejectedPerMetric = new AtomicLong();
  private final AtomicLong rejectedLabels = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();
  private final AtomicLong committedSamples = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong failedCommits = new AtomicLong();
  private final AtomicLong lastCommitNanos = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicLongArray rolledTo =
      new java.util.concurrent.atomic.AtomicLongArray(RESOLUTIONS.length);

  /** Per resolution: the oldest sample committed into an already folded bucket (writer only). */
  private final long[] dirtyFrom = new long[RESOLUTIONS.length];

  private volatile long headValidFrom;
  private volatile boolean headBroken;
  private volatile boolean running = true;
  private long nextId;
  private long nextRollup;
  private long nextRetention;
  private boolean closed;

  private DuckDbSampleStore(
      Path file, DuckDBConnection writer, MetricsSettings settings, Clock clock) {
    this.file = file;
    this.writer = writer;
    this.readers = new ReaderPool(writer, 4, "metrics store is closed");
    this.settings = settings;
    this.clock = clock;
    this.head =
        new InMemorySampleStore(
            new MetricsLimits(settings.maxSeries(), settings.headSamplesPerSeries()));
    this.writerThread =
        Thread.ofPlatform().daemon().name("yumzoom-metrics-writer").unstarted(this::writeLoop);
  }

  /** Opens (creating and migrating) {@code <dataDir>/metrics.duckdb} and reloads the head. */
  public static DuckDbSampleStore open(Path dataDir, MetricsSettings settings, Clock clock) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StorageException("cannot create data directory " + dataDir + ": " + e, e);
    }
    if (OPEN.putIfAbsent(file, Boolean.TRUE) != null) {
      throw new StorageException(file + " is already open in this process");
    }
    DuckDBConnection connection = null;
    try {
      Properties props = new Properties();
      props.setProperty("memory_limit", "1GB");
      props.setProperty("threads", "2");
      connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, props);
      Migrations.migrate(connection, MetricsSchema.STEPS);
      DuckDbSampleStore store = new DuckDbSampleStore(file, connection, settings, clock);
      store.load();
      store.writerThread.start();
      return store;
    } catch (SQLException | RuntimeException e) {
      OPEN.remove(file);
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // already failing
        }
      }
      if (e instanceof StorageException se) {
        throw se;
      }
      throw new StorageException("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  static boolean isCounter(String metric) {
    return metric.endsWith("_total")
        || metric.endsWith("_count")
        || metric.endsWith("_sum")
        || metric.endsWith("_bucket");
  }

  // ---------------------------------------------------------------- open

  private void load() throws SQLException {
    Map<Long, long[]> times = new HashMap<>();
    Map<Long, Double> lastValues = new HashMap<>();
    try (Statement s = writer.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT series_id, min(t), max(t), arg_max(v, t) FROM samples GROUP BY 1")) {
      while (rs.next()) {
        times.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
        double v = rs.getDouble(4);
        lastValues.put(rs.getLong(1), rs.wasNull() ? Values.STALE_NAN : v);
      }
    }
    try (Statement s = writer.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, labels FROM series")) {
      while (rs.next()) {
        long id = rs.getLong(1);
        Labels labels = decodeLabels(rs.getString(2));
        long[] t = times.getOrDefault(id, new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        SeriesInfo info =
            new SeriesInfo(id, labels, t[0], t[1], lastValues.getOrDefault(id, Double.NaN));
        index.put(labels, info);
        seriesPerMetric.merge(info.metric, 1, Integer::sum);
        nextId = Math.max(nextId, id + 1);
      }
    }
    for (int i = 0; i < RESOLUTIONS.length; i++) {
      rolledTo.set(i, Long.MIN_VALUE);
      dirtyFrom[i] = Long.MAX_VALUE;
      try (PreparedStatement ps =
          writer.prepareStatement(
              "SELECT done_to, dirty_from FROM rollup_state WHERE resolution_ms = ?")) {
        ps.setLong(1, RESOLUTIONS[i]);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            rolledTo.set(i, rs.getLong(1));
            dirtyFrom[i] = rs.getLong(2);
          }
        }
      }
    }
    reloadHead();
  }

  private void reloadHead() throws SQLException {
    long from = clock.millis() - HEAD_RELOAD_SPAN.toMillis();
    long validFrom = from;
    Map<Long, Labels> byId = new HashMap<>();
    index.values().forEach(i -> byId.put(i.id, i.labels));
    int n = settings.headSamplesPerSeries();
    try (PreparedStatement ps =
        writer.prepareStatement(
            """
            SELECT series_id, t, v, c > ? AS truncated FROM (
              SELECT series_id, t, v,
                row_number() OVER (PARTITION BY series_id ORDER BY t DESC) AS rn,
                count(*) OVER (PARTITION BY series_id) AS c
              FROM samples WHERE t >= ?)
            WHERE rn <= ? ORDER BY series_id, t
            """)) {
      ps.setLong(1, n);
      ps.setLong(2, from);
      ps.setLong(3, n);
      List<Sample> chunk = new ArrayList<>();
      long previous = Long.MIN_VALUE;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          Labels labels = byId.get(id);
          if (labels == null) {
            continue;
          }
          long t = rs.getLong(2);
          double v = rs.getDouble(3);
          if (rs.wasNull()) {
            v = Values.STALE_NAN;
          }
          if (id != previous && rs.getBoolean(4)) {
            validFrom = Math.max(validFrom, t);
          }
          previous = id;
          chunk.add(new Sample(labels, t, v));
          if (chunk.size() >= 10_000) {
            head.append(chunk);
            chunk = new ArrayList<>();
          }
        }
      }
      head.append(chunk);
    }
    headValidFrom = validFrom;
  }

  // ---------------------------------------------------------------- append

  @Override
  public AppendResult append(List<Sample> samples) {
    if (samples.isEmpty()) {
      return new AppendResult(0, 0, 0, null);
    }
    if (!running) {
      throw new StorageException("metrics store is closed");
    }
    int n = samples.size();
    int queued = queuedSamples.addAndGet(n);
    if (queued > settings.queueMaxSamples() && queued != n) {
      queuedSamples.addAndGet(-n);
      throw new OverloadedException(
          "metrics write queue holds "
              + (queued - n)
              + " samples (metrics.queue-max-samples, limit "
              + settings.queueMaxSamples()
              + "); retry later",
          Duration.ofSeconds(1));
    }
    Batch batch = new Batch(List.copyOf(samples), new CompletableFuture<>(), null);
    queue.add(batch);
    try {
      return batch.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the metrics commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new StorageException("metrics commit failed: " + e.getCause(), e.getCause());
    }
  }

  private void writeLoop() {
    while (running || !queue.isEmpty()) {
      try {
        Batch first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first != null && first.task() != null) {
          try {
            first.task().run();
            first.done().complete(new AppendResult(0, 0, 0, null));
          } catch (SQLException | RuntimeException e) {
            first.done().completeExceptionally(e);
          }
        } else if (first != null) {
          List<Batch> batches = new ArrayList<>();
          batches.add(first);
          int total = first.samples().size();
          Batch next;
          while (total < COMMIT_MAX_SAMPLES
              && (next = queue.peek()) != null
              && next.task() == null
              && queue.poll() != null) {
            batches.add(next);
            total += next.samples().size();
          }
          queuedSamples.addAndGet(-total);
          commit(batches);
        }
        if (running) {
          maintain();
        }
      } catch (InterruptedException e) {
        // close() interrupts to end the wait; the loop drains the rest
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError vme) {
          throw vme;
        }
        LOG.warn("metrics writer: unexpected failure, continuing", t);
      }
    }
  }

  /** Per batch: what happened to its samples. */
  private static final class Outcome {
    int appended;
    int rejected;
    int outOfOrder;
    String error;

    void reject(String message) {
      rejected++;
      if (error == null) {
        error = message;
      }
    }
  }

  private void commit(List<Batch> batches) {
    long started = System.nanoTime();
    List<SeriesInfo> created = new ArrayList<>();
    Map<Labels, SeriesInfo> createdByLabels = new HashMap<>();
    Map<String, Integer> createdPerMetric = new HashMap<>();
    // newest (t, v) per series in this commit, applied to SeriesInfo only after the commit
    Map<SeriesInfo, double[]> newest = new HashMap<>();
    Map<SeriesInfo, Long> oldest = new HashMap<>();
    List<Outcome> outcomes = new ArrayList<>();
    List<SeriesInfo> rowSeries = new ArrayList<>();
    List<Sample> rows = new ArrayList<>();
    for (Batch b : batches) {
      Outcome o = new Outcome();
      outcomes.add(o);
      for (Sample s : b.samples()) {
        SeriesInfo info = index.get(s.labels());
        if (info == null) {
          info = createdByLabels.get(s.labels());
        }
        if (info == null) {
          String refusal = admit(s.labels(), created.size(), createdPerMetric);
          if (refusal != null) {
            o.reject(refusal);
            continue;
          }
          info = new SeriesInfo(nextId++, s.labels(), s.tMs(), Long.MIN_VALUE, Double.NaN);
          created.add(info);
          createdByLabels.put(s.labels(), info);
          createdPerMetric.merge(info.metric, 1, Integer::sum);
        }
        double[] last = newest.get(info);
        long lastT = last != null ? (long) last[0] : info.lastT;
        double lastV = last != null ? last[1] : info.lastV;
        if (s.tMs() < lastT) {
          o.outOfOrder++;
          continue;
        }
        if (s.tMs() == lastT) {
          if (Double.doubleToRawLongBits(s.value()) == Double.doubleToRawLongBits(lastV)) {
            o.appended++; // an exact repeat (a retried request) changes nothing
          } else {
            o.outOfOrder++;
          }
          continue;
        }
        newest.put(info, new double[] {s.tMs(), s.value()});
        oldest.putIfAbsent(info, s.tMs());
        rowSeries.add(info);
        rows.add(s);
        o.appended++;
      }
    }
    long[] late = new long[RESOLUTIONS.length];
    java.util.Arrays.fill(late, Long.MAX_VALUE);
    for (Sample r : rows) {
      for (int i = 0; i < RESOLUTIONS.length; i++) {
        if (r.tMs() < rolledTo.get(i) && r.tMs() < late[i]) {
          late[i] = r.tMs();
        }
      }
    }
    for (int i = 0; i < RESOLUTIONS.length; i++) {
      late[i] = Math.min(late[i], dirtyFrom[i]);
    }
    try {
      write(created, rowSeries, rows, late);
    } catch (SQLException | RuntimeException e) {
      failedCommits.incrementAndGet();
      StorageException failure =
          new StorageException("metrics commit failed: " + e.getMessage(), e);
      LOG.warn("metrics commit of {} samples failed", rows.size(), e);
      batches.forEach(b -> b.done().completeExceptionally(failure));
      return;
    }
    System.arraycopy(late, 0, dirtyFrom, 0, late.length);
    for (SeriesInfo info : created) {
      index.put(info.labels, info);
      seriesPerMetric.merge(info.metric, 1, Integer::sum);
    }
    newest.forEach(
        (info, tv) -> {
          info.lastT = (long) tv[0];
          info.lastV = tv[1];
          long o = oldest.get(info);
          if (o < info.firstT) {
            info.firstT = o;
          }
        });
    if (!rows.isEmpty()) {
      AppendResult h = head.append(rows);
      if (h.rejected() > 0 || h.outOfOrder() > 0) {
        // the head no longer mirrors the file: serve every read from the file from now on
        headBroken = true;
      }
    }
    commits.incrementAndGet();
    committedSamples.addAndGet(rows.size());
    lastCommitNanos.set(System.nanoTime() - started);
    for (int i = 0; i < batches.size(); i++) {
      Outcome o = outcomes.get(i);
      outOfOrder.addAndGet(o.outOfOrder);
      batches
          .get(i)
          .done()
          .complete(new AppendResult(o.appended, o.rejected, o.outOfOrder, o.error));
    }
  }

  /** Null when a new series with these labels may be created, else the reason it may not. */
  private String admit(Labels labels, int createdNow, Map<String, Integer> createdPerMetric) {
    String metric = labels.get(Labels.NAME);
    int labelCount = labels.map().size();
    if (labelCount > settings.maxLabelsPerSeries()) {
      rejectedLabels.incrementAndGet();
      return "metric "
          + metric
          + ": series has "
          + labelCount
          + " labels, more than metrics.max-labels-per-series (limit "
          + settings.maxLabelsPerSeries()
          + ")";
    }
    int ofMetric =
        seriesPerMetric.getOrDefault(metric, 0) + createdPerMetric.getOrDefault(metric, 0);
    if (ofMetric >= settings.maxSeriesPerMetric()) {
      rejectedPerMetric.incrementAndGet();
      return "metric "
          + metric
          + ": series limit reached (metrics.max-series-per-metric, limit "
          + settings.maxSeriesPerMetric()
          + "); new series such as "
          + labels
          + " are rejected";
    }
    if (index.size() + createdNow >= settings.maxSeries()) {
      rejectedSeriesLimit.incrementAndGet();
      return "metric "
          + metric
          + ": store series limit reached (metrics.max-series, limit "
          + settings.maxSeries()
          + "); new series such as "
          + labels
          + " are rejected";
    }
    return null;
  }

  private void write(
      List<SeriesInfo> created, List<SeriesInfo> rowSeries, List<Sample> rows, long[] late)
      throws SQLException {
    if (created.isEmpty() && rows.isEmpty()) {
      return;
    }
    try (Statement s = writer.createStatement()) {
      // an explicit transaction: with auto-commit merely off, the appender would commit per flush
      s.execute("BEGIN TRANSACTION");
      try {
        long now = clock.millis();
        if (!created.isEmpty()) {
          try (DuckDBAppender a =
              writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "series")) {
            for (SeriesInfo info : created) {
              a.beginRow()
                  .append(info.id)
                  .append(info.metric)
                  .append(encodeLabels(info.labels))
                  .append(now)
                  .endRow();
            }
          }
        }
        try (DuckDBAppender a = writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "samples")) {
          for (int i = 0; i < rows.size(); i++) {
            Sample r = rows.get(i);
            a.beginRow().append(rowSeries.get(i).id).append(r.tMs());
            a.append(Values.isStale(r.value()) ? null : (Double) r.value());
            a.endRow();
          }
        }
        for (int i = 0; i < RESOLUTIONS.length; i++) {
          if (late[i] < dirtyFrom[i]) {
            // durable with the samples, so a crash before the refold cannot lose it
            s.execute(
                "UPDATE rollup_state SET dirty_from = "
                    + late[i]
                    + " WHERE resolution_ms = "
                    + RESOLUTIONS[i]);
          }
        }
        s.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // the original failure matters more
        }
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- rollups and retention

  private void maintain() {
    long now = clock.millis();
    if (now >= nextRollup) {
      nextRollup = now + ROLLUP_INTERVAL.toMillis();
      try {
        if (rollUp(now)) {
          nextRollup = now; // behind (a restart, a backfill): fold the next day between commits
        }
      } catch (SQLException | RuntimeException e) {
        LOG.warn("metrics rollup failed; retrying in {}", ROLLUP_INTERVAL, e);
      }
    }
    if (now >= nextRetention) {
      nextRetention = now + RETENTION_INTERVAL.toMillis();
      try {
        enforceRetention(now);
      } catch (SQLException | RuntimeException e) {
        LOG.warn("metrics retention failed; retrying in {}", RETENTION_INTERVAL, e);
      }
    }
  }

  /**
   * Folds complete buckets into the rollup tables, a day at most per resolution and call; returns
   * whether some resolution is still behind.
   */
  boolean rollUp(long now) throws SQLException {
    boolean behind = refoldLate();
    for (int i = 0; i < RESOLUTIONS.length; i++) {
      long res = RESOLUTIONS[i];
      long target = Math.floorDiv(now - ROLLUP_GRACE.toMillis(), res) * res;
      long from = rolledTo.get(i);
      if (from == Long.MIN_VALUE) {
        long earliest = index.values().stream().mapToLong(x -> x.firstT).min().orElse(target);
        from = Math.min(target, Math.floorDiv(earliest, res) * res);
      }
      long to = Math.min(target, from + ROLLUP_CHUNK);
      if (to <= from && rolledTo.get(i) != Long.MIN_VALUE) {
        continue;
      }
      String table = table(res);
      try (Statement s = writer.createStatement()) {
        s.execute("BEGIN TRANSACTION");
        try {
          if (to > from) {
            s.execute("INSERT INTO " + table + " " + rollupSql(res, from, to, null));
          }
          s.execute("DELETE FROM rollup_state WHERE resolution_ms = " + res);
          s.execute(
              "INSERT INTO rollup_state VALUES (" + res + ", " + to + ", " + dirtyFrom[i] + ")");
          s.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
          s.execute("ROLLBACK");
          throw e;
        }
      }
      rolledTo.set(i, to);
      behind |= to < target;
    }
    return behind;
  }

  /**
   * Samples that arrived for buckets already folded (a backfill, a sender more than two minutes
   * late) mark their resolution dirty from their time on; this folds such a range again, a day at a
   * time (plus one bucket, whose increase starts from the changed data). Returns whether some range
   * is still dirty.
   */
  private boolean refoldLate() throws SQLException {
    boolean dirty = false;
    for (int i = 0; i < RESOLUTIONS.length; i++) {
      if (dirtyFrom[i] == Long.MAX_VALUE) {
        continue;
      }
      long res = RESOLUTIONS[i];
      long done = rolledTo.get(i);
      long from = Math.floorDiv(dirtyFrom[i], res) * res;
      long to = Math.min(done, from + ROLLUP_CHUNK);
      long refoldTo = Math.min(done, to + res);
      long next = to >= done ? Long.MAX_VALUE : to;
      String table = table(res);
      try (Statement s = writer.createStatement()) {
        s.execute("BEGIN TRANSACTION");
        try {
          s.execute(
              "DELETE FROM " + table + " WHERE bucket >= " + from + " AND bucket < " + refoldTo);
          if (refoldTo > from) {
            s.execute("INSERT INTO " + table + " " + rollupSql(res, from, refoldTo, null));
          }
          s.execute(
              "UPDATE rollup_state SET dirty_from = " + next + " WHERE resolution_ms = " + res);
          s.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
          s.execute("ROLLBACK");
          throw e;
        }
      }
      dirtyFrom[i] = next;
      dirty |= next != Long.MAX_VALUE;
    }
    return dirty;
  }

  private static String table(long res) {
    return res == RES_5M ? "rollup_5m" : "rollup_1h";
  }

  /**
   * Bucket aggregates of raw samples with {@code from <= t < to}; {@code inc} starts from the
   * sample before each one, found up to one bucket before {@code from}.
   */
  static String rollupSql(long res, long from, long to, String seriesFilter) {
    String filter = seriesFilter == null ? "" : " AND series_id IN (" + seriesFilter + ")";
    return "SELECT series_id, bucket, min(v) AS min, max(v) AS max, sum(v) AS sum, count(*) AS cnt,"
        + " arg_max(v, t) AS last, max(t) AS last_t, sum(d) AS inc FROM (SELECT series_id, t, v, (t // "
        + res
        + ") * "
        + res
        + " AS bucket, CASE WHEN pv IS NULL THEN 0 WHEN v >= pv THEN v - pv ELSE v END AS d"
        + " FROM (SELECT series_id, t, v, lag(v) OVER (PARTITION BY series_id ORDER BY t) AS pv"
        + " FROM samples WHERE t >= "
        + (from - res)
        + " AND t < "
        + to
        + " AND v IS NOT NULL AND NOT isnan(v)"
        + filter
        + ")) WHERE t >= "
        + from
        + " GROUP BY series_id, bucket";
  }

  void enforceRetention(long now) throws SQLException {
    // raw samples not folded into both rollups yet are kept until they are
    long raw =
        Math.min(
            now - settings.retentionRaw().toMillis(), Math.min(rolledTo.get(0), rolledTo.get(1)));
    long r5 = now - settings.retention5m().toMillis();
    long r1 = now - settings.retention1h().toMillis();
    List<SeriesInfo> expired = new ArrayList<>();
    for (SeriesInfo info : index.values()) {
      if (info.lastT != Long.MIN_VALUE && info.lastT < r1) {
        expired.add(info);
      }
    }
    try (Statement s = writer.createStatement()) {
      s.execute("BEGIN TRANSACTION");
      try {
        s.execute("DELETE FROM samples WHERE t < " + raw);
        s.execute("DELETE FROM rollup_5m WHERE bucket < " + r5);
        s.execute("DELETE FROM rollup_1h WHERE bucket < " + r1);
        if (!expired.isEmpty()) {
          StringBuilder ids = new StringBuilder();
          for (SeriesInfo info : expired) {
            ids.append(ids.isEmpty() ? "" : ",").append(info.id);
          }
          s.execute("DELETE FROM series WHERE id IN (" + ids + ")");
        }
        s.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        s.execute("ROLLBACK");
        throw e;
      }
    }
    for (SeriesInfo info : expired) {
      index.remove(info.labels);
      seriesPerMetric.computeIfPresent(info.metric, (k, v) -> v <= 1 ? null : v - 1);
    }
  }

  // ---------------------------------------------------------------- reads

  /** Raw reads of ranges starting at or after this time are answered by the in-memory head. */
  public long headValidFrom() {
    if (headBroken) {
      return Long.MAX_VALUE;
    }
    long evicted = head.evictedUpTo();
    return evicted == Long.MIN_VALUE ? headValidFrom : Math.max(headValidFrom, evicted + 1);
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT) {
    return select(matchers, minT, maxT, Hints.RAW);
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minT, long maxT, Hints hints) {
    long headFrom = headValidFrom();
    long res = minT >= headFrom ? 0 : resolution(hints);
    if (res == 0 && minT >= headFrom) {
      return head.select(matchers, minT, maxT);
    }
    List<SeriesInfo> matched = new ArrayList<>();
    long pad = res;
    for (SeriesInfo info : index.values()) {
      if (info.lastT != Long.MIN_VALUE
          && info.firstT <= maxT
          && info.lastT + pad >= minT
          && matches(info.labels, matchers)) {
        matched.add(info);
      }
    }
    if (matched.isEmpty()) {
      return List.of();
    }
    return res == 0 ? readRaw(matched, minT, maxT) : readRollup(matched, res, minT, maxT);
  }

  /** The coarsest rollup the hints allow, or 0 for raw samples. */
  static long resolution(Hints hints) {
    if (hints.stepMs() <= 0) {
      return 0;
    }
    for (long res : RESOLUTIONS) {
      if (res > hints.stepMs()) {
        continue;
      }
      boolean enough = hints.rangeMs() > 0 ? res * 4 <= hints.rangeMs() : res <= hints.lookbackMs();
      if (enough) {
        return res;
      }
    }
    return 0;
  }

  private static boolean matches(Labels labels, List<LabelMatcher> matchers) {
    for (LabelMatcher m : matchers) {
      if (!m.matches(labels.get(m.name()))) {
        return false;
      }
    }
    return true;
  }

  private static String ids(List<SeriesInfo> series) {
    StringBuilder sb = new StringBuilder();
    for (SeriesInfo s : series) {
      sb.append(sb.isEmpty() ? "" : ",").append(s.id);
    }
    return sb.toString();
  }

  private List<Series> readRaw(List<SeriesInfo> matched, long minT, long maxT) {
    Map<Long, SeriesInfo> byId = new HashMap<>();
    matched.forEach(m -> byId.put(m.id, m));
    String sql =
        "SELECT series_id, t, v FROM samples WHERE series_id IN ("
            + ids(matched)
            + ") AND t >= ? AND t <= ? ORDER BY series_id, t";
    return read(
        "raw read",
        c -> {
          List<Series> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, minT);
            ps.setLong(2, maxT);
            try (ResultSet rs = ps.executeQuery()) {
              Collector col = new Collector(out);
              while (rs.next()) {
                long id = rs.getLong(1);
                double v = rs.getDouble(3);
                col.add(byId.get(id), id, rs.getLong(2), rs.wasNull() ? Values.STALE_NAN : v);
              }
              col.finish();
            }
          }
          return out;
        });
  }

  private List<Series> readRollup(List<SeriesInfo> matched, long res, long minT, long maxT) {
    Map<Long, SeriesInfo> byId = new HashMap<>();
    matched.forEach(m -> byId.put(m.id, m));
    int ri = res == RES_1H ? 0 : 1;
    long done = rolledTo.get(ri);
    // buckets whose end stamp (bucket + res - 1) lies in [minT, maxT]; one more before minT so a
    // counter's running total starts from the bucket before the range
    long fromBucket = Math.floorDiv(minT - res + 1, res) * res - res;
    long toBucket = Math.floorDiv(maxT, res) * res + res;
    String ids = ids(matched);
    long foldedTo = done == Long.MIN_VALUE ? fromBucket : Math.max(fromBucket, done);
    String sql =
        "SELECT series_id, bucket, last, last_t, inc FROM (SELECT series_id, bucket, last, last_t,"
            + " inc FROM "
            + table(res)
            + " WHERE series_id IN ("
            + ids
            + ") AND bucket >= "
            + fromBucket
            + " AND bucket < "
            + Math.min(toBucket, foldedTo)
            + " UNION ALL SELECT series_id, bucket, last, last_t, inc FROM ("
            + rollupSql(res, foldedTo, toBucket, ids)
            + ")) ORDER BY series_id, bucket";
    long now = clock.millis();
    return read(
        "rollup read",
        c -> {
          List<Series> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(sql)) {
            Collector col = new Collector(out);
            long currentId = Long.MIN_VALUE;
            double running = 0;
            while (rs.next()) {
              long id = rs.getLong(1);
              long bucket = rs.getLong(2);
              double last = rs.getDouble(3);
              double inc = rs.getDouble(5);
              SeriesInfo info = byId.get(id);
              if (id != currentId) {
                currentId = id;
                running = last;
              } else {
                running += inc;
              }
              long stamp = bucket + res - 1;
              // a bucket still filling is left out: stamped at its newest sample it would sit
              // closer to its predecessor than the bucket width, and rate()'s extrapolation,
              // which averages the spacing, would under-count the range
              if (stamp < minT || stamp > maxT || stamp > now) {
                continue;
              }
              col.add(info, id, stamp, info.counter ? running : last);
            }
            col.finish();
          }
          return out;
        });
  }

  /** Gathers rows ordered by series into {@link Series}. */
  private static final class Collector {
    private final List<Series> out;
    private SeriesInfo current;
    private long currentId = Long.MIN_VALUE;
    private long[] ts = new long[64];
    private double[] vs = new double[64];
    private int n;

    Collector(List<Series> out) {
      this.out = out;
    }

    void add(SeriesInfo info, long id, long t, double v) {
      if (id != currentId) {
        finish();
        current = info;
        currentId = id;
      }
      if (n > 0 && t <= ts[n - 1]) {
        return;
      }
      if (n == ts.length) {
        ts = java.util.Arrays.copyOf(ts, n * 2);
        vs = java.util.Arrays.copyOf(vs, n * 2);
      }
      ts[n] = t;
      vs[n] = v;
      n++;
    }

    void finish() {
      if (current != null && n > 0) {
        out.add(
            new Series(
                current.labels, java.util.Arrays.copyOf(ts, n), java.util.Arrays.copyOf(vs, n)));
      }
      n = 0;
      current = null;
    }
  }

  private <T> T read(String what, ReaderPool.Query<T> query) {
    return readers.run("metrics " + what, query);
  }

  @Override
  public List<String> labelNames(long minT, long maxT) {
    TreeSet<String> names = new TreeSet<>();
    for (SeriesInfo info : index.values()) {
      if (present(info, minT, maxT)) {
        names.addAll(info.labels.map().keySet());
      }
    }
    return List.copyOf(names);
  }

  @Override
  public List<String> labelValues(String name, List<LabelMatcher> matchers, long minT, long maxT) {
    TreeSet<String> values = new TreeSet<>();
    for (SeriesInfo info : index.values()) {
      String v = info.labels.get(name);
      if (!v.isEmpty() && present(info, minT, maxT) && matches(info.labels, matchers)) {
        values.add(v);
      }
    }
    return List.copyOf(values);
  }

  @Override
  public List<Labels> series(List<LabelMatcher> matchers, long minT, long maxT) {
    List<Labels> out = new ArrayList<>();
    for (SeriesInfo info : index.values()) {
      if (present(info, minT, maxT) && matches(info.labels, matchers)) {
        out.add(info.labels);
      }
    }
    out.sort(null);
    return out;
  }

  /** A series counts as present when its first..last sample span overlaps the range. */
  private static boolean present(SeriesInfo info, long minT, long maxT) {
    return info.lastT != Long.MIN_VALUE && info.firstT <= maxT && info.lastT >= minT;
  }

  @Override
  public long rejectedSamples() {
    return rejectedSeriesLimit.get() + rejectedPerMetric.get() + rejectedLabels.get();
  }

  /** Series refused by kind of limit, and samples refused as out of order. */
  public Rejections rejections() {
    return new Rejections(
        rejectedSeriesLimit.get(), rejectedPerMetric.get(), rejectedLabels.get(), outOfOrder.get());
  }

  @Override
  public int seriesCount() {
    return index.size();
  }

  public long committedSamples() {
    return committedSamples.get();
  }

  public long commits() {
    return commits.get();
  }

  public long failedCommits() {
    return failedCommits.get();
  }

  public int queuedSamples() {
    return Math.max(0, queuedSamples.get());
  }

  public Duration lastCommitDuration() {
    return Duration.ofNanos(lastCommitNanos.get());
  }

  /**
   * How far the 5-minute rollups trail the clock, counting a range still to be folded again (0
   * before the first fold).
   */
  public Duration rollupLag() {
    // dirtyFrom is the writer's; a stale read only delays the gauge by one scrape
    long done = Math.min(rolledTo.get(1), dirtyFrom[1]);
    return done == Long.MIN_VALUE
        ? Duration.ZERO
        : Duration.ofMillis(Math.max(0, clock.millis() - done));
  }

  /** Size of the database file in bytes (0 when unknown). */
  public long fileBytes() {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Folds every complete bucket now (tests, benchmarks) on the writer thread; the writer also folds
   * every minute on its own, a day of samples at a time.
   */
  public void rollUpNow() {
    long now = clock.millis();
    boolean[] behind = {true};
    for (int i = 0; i < 10_000 && behind[0]; i++) {
      runOnWriter(() -> behind[0] = rollUp(now));
    }
  }

  /** Deletes what is past retention now, on the writer thread (tests). */
  public void enforceRetentionNow() {
    runOnWriter(() -> enforceRetention(clock.millis()));
  }

  @FunctionalInterface
  private interface WriterTask {
    void run() throws SQLException;
  }

  private void runOnWriter(WriterTask task) {
    Batch marker = new Batch(List.of(), new CompletableFuture<>(), task);
    queue.add(marker);
    try {
      marker.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the metrics writer", e);
    } catch (ExecutionException e) {
      throw new StorageException("metrics maintenance failed: " + e.getCause(), e.getCause());
    }
  }

  /** The file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    running = false;
    writerThread.interrupt();
    try {
      writerThread.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      closed = true;
    }
    readers.close();
    try (Statement s = writer.createStatement()) {
      s.execute("CHECKPOINT");
    } catch (SQLException e) {
      // the WAL still holds every commit; the next open replays it
    }
    try {
      writer.close();
    } catch (SQLException e) {
      throw new StorageException("closing " + file + " failed: " + e.getMessage(), e);
    } finally {
      OPEN.remove(file);
    }
  }

  // ---------------------------------------------------------------- labels as JSON

  static String encodeLabels(Labels labels) {
    try {
      return JSON.writeValueAsString(labels.map());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Labels decodeLabels(String json) {
    try {
      return new Labels(JSON.readValue(json, new TypeReference<TreeMap<String, String>>() {}));
    } catch (JsonProcessingException e) {
      throw new StorageException("series labels are not valid JSON: " + json, e);
    }
  }
}
