package com.yumzoom.ops.errors;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The error store: its own DuckDB file, {@value #FILE_NAME} in the data directory, so that error
 * writes and checkpoints never stall span ingest.
 *
 * <p>Design. The single {@link ErrorPipeline} writer thread owns the writer connection: it groups a
 * batch in memory and commits it in one transaction (events and hourly counts appended, touched
 * issues deleted and re-appended whole), so readers see a batch entirely or not at all. Tables have
 * no primary keys or indexes: the writer alone guarantees uniqueness, and DuckDB appends to
 * index-free tables fastest. Hourly counts are append-only deltas summed at read time. Lists
 * (releases, environments, services) are framed strings {@code "\nv1\nv2\n"}, so a filter is one
 * substring test, as the span tags are.
 */
final class ErrorStore implements AutoCloseable {

  static final String FILE_NAME = "errors.duckdb";
  static final long HOUR_MS = 3_600_000L;

  static final List<Migrations.Step> STEPS =
      List.of(
          new Migrations.Step(
              1,
              "issues, issue_fingerprints, events, issue_hours, releases",
              List.of(
                  """
                  CREATE TABLE issues (
                    id BIGINT NOT NULL,
                    grouping_version VARCHAR NOT NULL,
                    fingerprint VARCHAR NOT NULL,
                    type VARCHAR NOT NULL,
                    title VARCHAR NOT NULL,
                    culprit VARCHAR NOT NULL,
                    platform VARCHAR NOT NULL,
                    category VARCHAR NOT NULL,
                    severity VARCHAR NOT NULL,
                    status VARCHAR NOT NULL,
                    service VARCHAR NOT NULL,
                    first_seen_ms BIGINT NOT NULL,
                    last_seen_ms BIGINT NOT NULL,
                    total_count BIGINT NOT NULL,
                    releases VARCHAR NOT NULL,
                    environments VARCHAR NOT NULL,
                    resolve_mode VARCHAR NOT NULL,
                    resolved_in_release VARCHAR NOT NULL,
                    resolved_at_ms BIGINT NOT NULL,
                    ignore_until_ms BIGINT NOT NULL,
                    ignore_until_count BIGINT NOT NULL,
                    merged_into BIGINT NOT NULL,
                    status_changed_ms BIGINT NOT NULL)
                  """,
                  """
                  CREATE TABLE issue_fingerprints (
                    grouping_version VARCHAR NOT NULL, hash VARCHAR NOT NULL,
                    issue_id BIGINT NOT NULL)
                  """,
                  """
                  CREATE TABLE events (
                    id VARCHAR NOT NULL,
                    issue_id BIGINT NOT NULL,
                    fingerprint VARCHAR NOT NULL,
                    ts_ms BIGINT NOT NULL,
                    source VARCHAR NOT NULL,
                    level VARCHAR NOT NULL,
                    platform VARCHAR NOT NULL,
                    type VARCHAR NOT NULL,
                    message VARCHAR NOT NULL,
                    trace VARCHAR NOT NULL USING COMPRESSION zstd,
                    trace_id VARCHAR NOT NULL,
                    span_id VARCHAR NOT NULL,
                    service VARCHAR NOT NULL,
                    user_id VARCHAR NOT NULL,
                    user_json VARCHAR NOT NULL,
                    request_json VARCHAR NOT NULL,
                    tags_json VARCHAR NOT NULL,
                    release VARCHAR NOT NULL,
                    environment VARCHAR NOT NULL)
                  """,
                  """
                  CREATE TABLE issue_hours (
                    issue_id BIGINT NOT NULL, hour_ms BIGINT NOT NULL, count BIGINT NOT NULL)
                  """,
                  "CREATE TABLE releases (name VARCHAR NOT NULL, first_seen_ms BIGINT NOT NULL)")));

  private final Path file;
  private final DuckDBConnection writer;
  private final ReaderPool readers;
  private volatile boolean closed;

  private ErrorStore(Path file, DuckDBConnection writer, int readers) {
    this.file = file;
    this.writer = writer;
    this.readers = new ReaderPool(writer, readers, "error store is closed");
  }

  static ErrorStore open(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StorageException("cannot create data directory " + dataDir + ": " + e, e);
    }
    Properties props = new Properties();
    props.setProperty("memory_limit", "512MB");
    props.setProperty("threads", "2");
    props.setProperty("storage_compatibility_version", "latest");
    DuckDBConnection connection;
    try {
      connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, props);
    } catch (SQLException e) {
      throw new StorageException("cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      try (Statement s = connection.createStatement()) {
        s.execute("SET checkpoint_threshold = '64MB'");
      }
      Migrations.migrate(connection, STEPS);
      return new ErrorStore(file, connection, 4);
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already failing
      }
      throw e instanceof StorageException se
          ? se
          : new StorageException("cannot set up " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  // ---------------------------------------------------------------- writer side (one thread)

  /** What one commit writes; filled by the writer thread while it groups a batch. */
  static final class Batch {
    final List<EventRow> events = new ArrayList<>();
    final Map<Long, IssueState> issues = new java.util.LinkedHashMap<>();
    final List<String[]> newFingerprints = new ArrayList<>(); // version, hash, issue id
    final Map<String, Long> newReleases = new java.util.LinkedHashMap<>();
    final Map<Long, Map<Long, Long>> hours = new java.util.HashMap<>(); // issue -> hour -> n
    final List<Statement2> statements = new ArrayList<>();

    void countHour(long issueId, long tsMs, long n) {
      hours
          .computeIfAbsent(issueId, k -> new java.util.HashMap<>())
          .merge(Math.floorDiv(tsMs, HOUR_MS) * HOUR_MS, n, Long::sum);
    }

    boolean isEmpty() {
      return events.isEmpty() && issues.isEmpty() && statements.isEmpty();
    }

    void clear() {
      events.clear();
      issues.clear();
      newFingerprints.clear();
      newReleases.clear();
      hours.clear();
      statements.clear();
    }
  }

  /** A prepared statement run inside the commit (moves of merge and unmerge, retention). */
  record Statement2(String sql, List<Object> params) {}

  record EventRow(Grouped grouped, long issueId, String hash) {}

  void commit(Batch b) {
    if (closed) {
      throw new StorageException("error store is closed");
    }
    try (Statement s = writer.createStatement()) {
      s.execute("BEGIN TRANSACTION");
      boolean ok = false;
      try {
        write(b);
        s.execute("COMMIT");
        ok = true;
      } finally {
        if (!ok) {
          try {
            s.execute("ROLLBACK");
          } catch (SQLException ignored) {
            // the transaction is gone either way
          }
        }
      }
    } catch (SQLException e) {
      throw new StorageException("error commit failed: " + e.getMessage(), e);
    }
  }

  private void write(Batch b) throws SQLException {
    for (Statement2 st : b.statements) {
      try (PreparedStatement ps = writer.prepareStatement(st.sql())) {
        for (int i = 0; i < st.params().size(); i++) {
          ps.setObject(i + 1, st.params().get(i));
        }
        ps.execute();
      }
    }
    if (!b.issues.isEmpty()) {
      StringBuilder ids = new StringBuilder();
      for (long id : b.issues.keySet()) {
        ids.append(ids.isEmpty() ? "" : ",").append(id);
      }
      try (Statement s = writer.createStatement()) {
        s.execute("DELETE FROM issues WHERE id IN (" + ids + ")");
      }
      try (DuckDBAppender a = writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "issues")) {
        for (IssueState i : b.issues.values()) {
          a.beginRow()
              .append(i.id)
              .append(i.groupingVersion)
              .append(i.fingerprint)
              .append(i.type)
              .append(i.title)
              .append(i.culprit)
              .append(i.platform)
              .append(i.category)
              .append(i.severity)
              .append(i.status.label())
              .append(i.service)
              .append(i.firstSeenMs)
              .append(i.lastSeenMs)
              .append(i.totalCount)
              .append(framed(i.releases))
              .append(framed(i.environments))
              .append(i.resolveMode)
              .append(i.resolvedInRelease)
              .append(i.resolvedAtMs)
              .append(i.ignoreUntilMs)
              .append(i.ignoreUntilCount)
              .append(i.mergedInto)
              .append(i.statusChangedMs)
              .endRow();
        }
      }
    }
    if (!b.newFingerprints.isEmpty()) {
      try (DuckDBAppender a =
          writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "issue_fingerprints")) {
        for (String[] f : b.newFingerprints) {
          a.beginRow().append(f[0]).append(f[1]).append(Long.parseLong(f[2])).endRow();
        }
      }
    }
    if (!b.newReleases.isEmpty()) {
      try (DuckDBAppender a = writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "releases")) {
        for (Map.Entry<String, Long> r : b.newReleases.entrySet()) {
          a.beginRow().append(r.getKey()).append(r.getValue()).endRow();
        }
      }
    }
    if (!b.events.isEmpty()) {
      try (DuckDBAppender a = writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
        for (EventRow r : b.events) {
          Grouped g = r.grouped();
          Occurrence o = g.occurrence();
          ExceptionRecord top = o.event().trace().chain().getFirst();
          a.beginRow()
              .append(o.id())
              .append(r.issueId())
              .append(r.hash())
              .append(o.timestampMs())
              .append(o.source())
              .append(o.level())
              .append(o.event().trace().platform().name().toLowerCase(java.util.Locale.ROOT))
              .append(top.type())
              .append(top.message())
              .append(g.trace())
              .append(o.traceId())
              .append(o.spanId())
              .append(o.service())
              .append(o.userId())
              .append(o.userJson())
              .append(o.requestJson())
              .append(ErrorJson.tags(o.event().tags()))
              .append(o.release())
              .append(o.environment())
              .endRow();
        }
      }
    }
    if (!b.hours.isEmpty()) {
      try (DuckDBAppender a =
          writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "issue_hours")) {
        for (Map.Entry<Long, Map<Long, Long>> e : b.hours.entrySet()) {
          for (Map.Entry<Long, Long> h : e.getValue().entrySet()) {
            a.beginRow().append(e.getKey()).append(h.getKey()).append(h.getValue()).endRow();
          }
        }
      }
    }
  }

  static String framed(List<String> values) {
    if (values.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\n");
    for (String v : values) {
      sb.append(v.replace('\n', ' ')).append('\n');
    }
    return sb.toString();
  }

  static List<String> unframed(String framed) {
    if (framed == null || framed.isEmpty()) {
      return new ArrayList<>();
    }
    return new ArrayList<>(Arrays.asList(framed.substring(1).split("\n")));
  }

  /** Writer thread only: the issue a fingerprint belongs to, or 0. */
  long findIssue(String version, String hash) {
    try (PreparedStatement ps =
        writer.prepareStatement(
            "SELECT issue_id FROM issue_fingerprints WHERE grouping_version = ? AND hash = ?")) {
      ps.setString(1, version);
      ps.setString(2, hash);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw new StorageException("fingerprint lookup failed: " + e.getMessage(), e);
    }
  }

  /** Writer thread only: an issue's row, or null. */
  IssueState loadIssue(long id) {
    try (PreparedStatement ps = writer.prepareStatement("SELECT * FROM issues WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? state(rs) : null;
      }
    } catch (SQLException e) {
      throw new StorageException("issue lookup failed: " + e.getMessage(), e);
    }
  }

  /** Writer thread only: first-seen time of a release, or {@code Long.MAX_VALUE}. */
  long releaseFirstSeen(String release) {
    try (PreparedStatement ps =
        writer.prepareStatement("SELECT min(first_seen_ms) FROM releases WHERE name = ?")) {
      ps.setString(1, release);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long v = rs.getLong(1);
        return rs.wasNull() ? Long.MAX_VALUE : v;
      }
    } catch (SQLException e) {
      throw new StorageException("release lookup failed: " + e.getMessage(), e);
    }
  }

  /** Writer thread only. */
  long maxIssueId() {
    return writerLong("SELECT coalesce(max(id), 0) FROM issues");
  }

  /** Writer thread only: the grouping versions issues exist for, oldest first. */
  List<String> groupingVersions() {
    List<String> out = new ArrayList<>();
    try (Statement s = writer.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT DISTINCT grouping_version FROM issue_fingerprints ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new StorageException("reading grouping versions failed: " + e.getMessage(), e);
    }
    return out;
  }

  /** Writer thread only: the fingerprints of an issue as {version, hash}. */
  List<String[]> fingerprintsOf(long issueId) {
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement ps =
        writer.prepareStatement(
            "SELECT grouping_version, hash FROM issue_fingerprints WHERE issue_id = ?")) {
      ps.setLong(1, issueId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    } catch (SQLException e) {
      throw new StorageException("reading fingerprints failed: " + e.getMessage(), e);
    }
    return out;
  }

  /** Writer thread only: count, first and last time of an issue's retained events of a hash. */
  long[] eventStats(long issueId, String hash) {
    try (PreparedStatement ps =
        writer.prepareStatement(
            "SELECT count(*), coalesce(min(ts_ms), 0), coalesce(max(ts_ms), 0) FROM events"
                + " WHERE issue_id = ? AND fingerprint = ?")) {
      ps.setLong(1, issueId);
      ps.setString(2, hash);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
      }
    } catch (SQLException e) {
      throw new StorageException("reading event stats failed: " + e.getMessage(), e);
    }
  }

  /** Writer thread only: type, message and trace JSON of the newest event of a hash, or null. */
  String[] latestEvent(long issueId, String hash) {
    try (PreparedStatement ps =
        writer.prepareStatement(
            "SELECT type, message, trace FROM events WHERE issue_id = ? AND fingerprint = ?"
                + " ORDER BY ts_ms DESC LIMIT 1")) {
      ps.setLong(1, issueId);
      ps.setString(2, hash);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new String[] {rs.getString(1), rs.getString(2), rs.getString(3)} : null;
      }
    } catch (SQLException e) {
      throw new StorageException("reading the latest event failed: " + e.getMessage(), e);
    }
  }

  private long writerLong(String sql) {
    try (Statement s = writer.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new StorageException(sql + " failed: " + e.getMessage(), e);
    }
  }

  static IssueState state(ResultSet rs) throws SQLException {
    IssueState i = new IssueState();
    i.id = rs.getLong("id");
    i.groupingVersion = rs.getString("grouping_version");
    i.fingerprint = rs.getString("fingerprint");
    i.type = rs.getString("type");
    i.title = rs.getString("title");
    i.culprit = rs.getString("culprit");
    i.platform = rs.getString("platform");
    i.category = rs.getString("category");
    i.severity = rs.getString("severity");
    i.status = IssueStatus.parse(rs.getString("status"));
    i.service = rs.getString("service");
    i.firstSeenMs = rs.getLong("first_seen_ms");
    i.lastSeenMs = rs.getLong("last_seen_ms");
    i.totalCount = rs.getLong("total_count");
    i.releases = unframed(rs.getString("releases"));
    i.environments = unframed(rs.getString("environments"));
    i.resolveMode = rs.getString("resolve_mode");
    i.resolvedInRelease = rs.getString("resolved_in_release");
    i.resolvedAtMs = rs.getLong("resolved_at_ms");
    i.ignoreUntilMs = rs.getLong("ignore_until_ms");
    i.ignoreUntilCount = rs.getLong("ignore_until_count");
    i.mergedInto = rs.getLong("merged_into");
    i.statusChangedMs = rs.getLong("status_changed_ms");
    return i;
  }

  // ---------------------------------------------------------------- readers

  <T> T read(String what, ReaderPool.Query<T> query) {
    return readers.run(what, query);
  }

  /** Called after the writer thread has stopped. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
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
    }
  }
}
