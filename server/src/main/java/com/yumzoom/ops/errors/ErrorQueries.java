package com.yumzoom.ops.errors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The read side of the error store: issue lists, details, occurrences, spike inputs. */
final class ErrorQueries {

  static final long DAY_MS = 24 * ErrorStore.HOUR_MS;

  /** Filters and order of an issue list; null or empty means "any". */
  record IssueFilter(
      List<IssueStatus> statuses,
      String category,
      String service,
      String release,
      String environment,
      long fromMs,
      long toMs,
      String query,
      String sort,
      int limit,
      int offset) {}

  private static final String USERS =
      "(SELECT count(DISTINCT user_id) FROM events e WHERE e.issue_id = i.id AND e.user_id <> '')";

  private final ErrorStore store;

  ErrorQueries(ErrorStore store) {
    this.store = store;
  }

  ObjectNode list(IssueFilter f) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (f.statuses() != null && !f.statuses().isEmpty()) {
      where.append(" AND status IN (");
      for (int k = 0; k < f.statuses().size(); k++) {
        where.append(k == 0 ? "?" : ", ?");
        params.add(f.statuses().get(k).label());
      }
      where.append(')');
    } else {
      where.append(" AND status <> 'merged'");
    }
    if (notEmpty(f.category())) {
      where.append(" AND category = ?");
      params.add(f.category());
    }
    if (notEmpty(f.service())) {
      where.append(" AND service = ?");
      params.add(f.service());
    }
    if (notEmpty(f.release())) {
      where.append(" AND contains(releases, ?)");
      params.add("\n" + f.release() + "\n");
    }
    if (notEmpty(f.environment())) {
      where.append(" AND contains(environments, ?)");
      params.add("\n" + f.environment() + "\n");
    }
    if (f.fromMs() > 0) {
      where.append(" AND last_seen_ms >= ?");
      params.add(f.fromMs());
    }
    if (f.toMs() > 0) {
      where.append(" AND first_seen_ms <= ?");
      params.add(f.toMs());
    }
    if (notEmpty(f.query())) {
      where.append(
          " AND (contains(lower(title), ?) OR contains(lower(culprit), ?)"
              + " OR contains(lower(type), ?))");
      String q = f.query().toLowerCase(java.util.Locale.ROOT);
      params.add(q);
      params.add(q);
      params.add(q);
    }
    String order =
        switch (f.sort()) {
          case "first_seen" -> "first_seen_ms DESC";
          case "count" -> "total_count DESC";
          case "users" -> "users DESC";
          default -> "last_seen_ms DESC";
        };
    String sql =
        "SELECT i.*, "
            + USERS
            + " AS users, count(*) OVER () AS matched FROM issues i"
            + where
            + " ORDER BY "
            + order
            + ", id DESC LIMIT "
            + f.limit()
            + " OFFSET "
            + f.offset();
    return store.read(
        "listing issues",
        c -> {
          ObjectNode out = ErrorJson.MAPPER.createObjectNode();
          ArrayNode items = out.putArray("issues");
          long matched = 0;
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                matched = rs.getLong("matched");
                items.add(issueJson(rs));
              }
            }
          }
          if (items.isEmpty() && f.offset() > 0) {
            matched = -1; // unknown past the end; the client has all there is
          }
          out.put("total", matched);
          int next = f.offset() + items.size();
          if (items.size() == f.limit() && (matched < 0 || next < matched)) {
            out.put("nextCursor", Integer.toString(next));
          } else {
            out.putNull("nextCursor");
          }
          return out;
        });
  }

  /** Details with hourly (48 h) and daily (30 d) counts, or null when there is no such issue. */
  ObjectNode issue(long id, long nowMs) {
    return store.read(
        "reading issue " + id,
        c -> {
          ObjectNode out;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT i.*, " + USERS + " AS users FROM issues i WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return null;
              }
              out = issueJson(rs);
            }
          }
          long hourEnd = Math.floorDiv(nowMs, ErrorStore.HOUR_MS) * ErrorStore.HOUR_MS;
          out.set(
              "hourly", buckets(c, id, hourEnd - 47 * ErrorStore.HOUR_MS, ErrorStore.HOUR_MS, 48));
          long dayEnd = Math.floorDiv(nowMs, DAY_MS) * DAY_MS;
          out.set("daily", buckets(c, id, dayEnd - 29 * DAY_MS, DAY_MS, 30));
          ArrayNode fps = out.putArray("fingerprints");
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT grouping_version, hash FROM issue_fingerprints WHERE issue_id = ?"
                      + " ORDER BY hash")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                fps.addObject()
                    .put("groupingVersion", rs.getString(1))
                    .put("hash", rs.getString(2));
              }
            }
          }
          ArrayNode tags = out.putArray("topTags");
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT t.key, t.value, count(*) AS n FROM (SELECT unnest(json_keys(tags_json))"
                      + " AS key, tags_json FROM events WHERE issue_id = ?) e, LATERAL (SELECT"
                      + " e.key, json_extract_string(e.tags_json, '$.\"' || e.key || '\"') AS"
                      + " value) t GROUP BY ALL ORDER BY n DESC, t.key, t.value LIMIT 20")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                tags.addObject()
                    .put("key", rs.getString(1))
                    .put("value", rs.getString(2))
                    .put("count", rs.getLong(3));
              }
            }
          }
          Category category = categoryOf(out.path("category").asText());
          SuggestedFix fix = SuggestedFix.forCategory(category);
          ObjectNode fixNode = out.putObject("suggestedFix");
          fixNode.put("category", category.label());
          fixNode.put("summary", fix.summary());
          fix.checks().forEach(fixNode.putArray("checks")::add);
          fixNode.put("disclaimer", SuggestedFix.DISCLAIMER);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT trace_id FROM events WHERE issue_id = ? AND trace_id <> ''"
                      + " ORDER BY ts_ms DESC LIMIT 1")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                fixNode.put("latestTrace", "/api/traces/" + rs.getString(1));
              }
            }
          }
          if (category == Category.DATABASE) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT json_extract_string(tags_json, '$.\"db.statement\"') AS q FROM events"
                        + " WHERE issue_id = ? AND q IS NOT NULL ORDER BY ts_ms DESC LIMIT 1")) {
              ps.setLong(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                  fixNode.put("query", rs.getString(1));
                }
              }
            }
          }
          return out;
        });
  }

  private static Category categoryOf(String label) {
    try {
      return Category.valueOf(label.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Category.UNKNOWN;
    }
  }

  private static ArrayNode buckets(
      java.sql.Connection c, long id, long startMs, long widthMs, int n) throws SQLException {
    long[] counts = new long[n];
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (hour_ms - ?) // ? AS b, sum(count) FROM issue_hours"
                + " WHERE issue_id = ? AND hour_ms >= ? GROUP BY b")) {
      ps.setLong(1, startMs);
      ps.setLong(2, widthMs);
      ps.setLong(3, id);
      ps.setLong(4, startMs);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int b = (int) rs.getLong(1);
          if (b >= 0 && b < n) {
            counts[b] += rs.getLong(2);
          }
        }
      }
    }
    ArrayNode out = ErrorJson.MAPPER.createArrayNode();
    for (int b = 0; b < n; b++) {
      out.addObject()
          .put("start", Instant.ofEpochMilli(startMs + b * widthMs).toString())
          .put("count", counts[b]);
    }
    return out;
  }

  /** Occurrences of an issue, newest first; null when the issue does not exist. */
  ObjectNode events(long id, int limit, int offset) {
    return store.read(
        "reading events of issue " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM issues WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return null;
              }
            }
          }
          ObjectNode out = ErrorJson.MAPPER.createObjectNode();
          ArrayNode items = out.putArray("events");
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT * FROM events WHERE issue_id = ? ORDER BY ts_ms DESC, id LIMIT ? OFFSET"
                      + " ?")) {
            ps.setLong(1, id);
            ps.setInt(2, limit);
            ps.setInt(3, offset);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ObjectNode e = items.addObject();
                e.put("id", rs.getString("id"));
                e.put("issueId", rs.getLong("issue_id"));
                e.put("timestamp", Instant.ofEpochMilli(rs.getLong("ts_ms")).toString());
                e.put("source", rs.getString("source"));
                e.put("level", rs.getString("level"));
                e.put("platform", rs.getString("platform"));
                e.put("type", rs.getString("type"));
                e.put("message", rs.getString("message"));
                e.put("fingerprint", rs.getString("fingerprint"));
                e.put("service", rs.getString("service"));
                e.put("release", rs.getString("release"));
                e.put("environment", rs.getString("environment"));
                String traceId = rs.getString("trace_id");
                e.put("traceId", traceId);
                e.put("spanId", rs.getString("span_id"));
                if (!traceId.isEmpty()) {
                  e.put("traceLink", "/api/traces/" + traceId);
                }
                e.set("user", ErrorJson.parse(rs.getString("user_json")));
                e.set("request", ErrorJson.parse(rs.getString("request_json")));
                e.set("tags", ErrorJson.parse(rs.getString("tags_json")));
                e.set("stacktrace", ErrorJson.parse(rs.getString("trace")));
              }
            }
          }
          int next = offset + items.size();
          if (items.size() == limit) {
            out.put("nextCursor", Integer.toString(next));
          } else {
            out.putNull("nextCursor");
          }
          return out;
        });
  }

  /** Spiking unresolved issues per service at {@code nowMs} (see {@link SpikeDetector}). */
  Map<String, Long> spikes(long nowMs) {
    long hourAgo = nowMs - ErrorStore.HOUR_MS;
    long baselineStart = hourAgo - 24 * ErrorStore.HOUR_MS;
    return store.read(
        "detecting spikes",
        c -> {
          Map<Long, long[]> trailing = new HashMap<>();
          Map<Long, Long> last = new HashMap<>();
          Map<Long, String> services = new HashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT e.issue_id, any_value(i.service), count(*) FROM events e JOIN issues i"
                      + " ON i.id = e.issue_id WHERE e.ts_ms >= ? AND i.status IN ('unresolved',"
                      + " 'regressed') GROUP BY e.issue_id HAVING count(*) >= ?")) {
            ps.setLong(1, hourAgo);
            ps.setLong(2, SpikeDetector.MIN_EVENTS);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                last.put(rs.getLong(1), rs.getLong(3));
                services.put(rs.getLong(1), rs.getString(2));
              }
            }
          }
          if (last.isEmpty()) {
            return Map.of();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT issue_id, (hour_ms - ?) // 3600000 AS b, sum(count) FROM issue_hours"
                      + " WHERE hour_ms >= ? AND hour_ms < ? GROUP BY ALL")) {
            long alignedStart =
                Math.floorDiv(baselineStart, ErrorStore.HOUR_MS) * ErrorStore.HOUR_MS;
            ps.setLong(1, alignedStart);
            ps.setLong(2, alignedStart);
            ps.setLong(3, Math.floorDiv(hourAgo, ErrorStore.HOUR_MS) * ErrorStore.HOUR_MS);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                long issue = rs.getLong(1);
                if (!last.containsKey(issue)) {
                  continue;
                }
                int b = (int) rs.getLong(2);
                if (b >= 0 && b < 24) {
                  trailing.computeIfAbsent(issue, k -> new long[24])[b] += rs.getLong(3);
                }
              }
            }
          }
          Map<String, Long> out = new HashMap<>();
          last.forEach(
              (issue, n) -> {
                if (SpikeDetector.isSpiking(n, trailing.getOrDefault(issue, new long[24]))) {
                  out.merge(services.get(issue), 1L, Long::sum);
                }
              });
          return out;
        });
  }

  static ObjectNode issueJson(ResultSet rs) throws SQLException {
    ObjectNode n = ErrorJson.MAPPER.createObjectNode();
    n.put("id", rs.getLong("id"));
    n.put("status", rs.getString("status"));
    n.put("title", rs.getString("title"));
    n.put("type", rs.getString("type"));
    n.put("culprit", rs.getString("culprit"));
    n.put("platform", rs.getString("platform"));
    n.put("category", rs.getString("category"));
    n.put("severity", rs.getString("severity"));
    n.put("service", rs.getString("service"));
    n.put("firstSeen", Instant.ofEpochMilli(rs.getLong("first_seen_ms")).toString());
    n.put("lastSeen", Instant.ofEpochMilli(rs.getLong("last_seen_ms")).toString());
    n.put("count", rs.getLong("total_count"));
    n.put("users", rs.getLong("users"));
    ErrorStore.unframed(rs.getString("releases")).forEach(n.putArray("releases")::add);
    ErrorStore.unframed(rs.getString("environments")).forEach(n.putArray("environments")::add);
    n.put("groupingVersion", rs.getString("grouping_version"));
    n.put("fingerprint", rs.getString("fingerprint"));
    String mode = rs.getString("resolve_mode");
    if (!mode.isEmpty()) {
      ObjectNode r = n.putObject("resolution");
      r.put("mode", mode);
      r.put("inRelease", rs.getString("resolved_in_release"));
      r.put("at", Instant.ofEpochMilli(rs.getLong("resolved_at_ms")).toString());
    }
    long untilMs = rs.getLong("ignore_until_ms");
    long untilCount = rs.getLong("ignore_until_count");
    if ("ignored".equals(rs.getString("status"))) {
      ObjectNode ig = n.putObject("ignore");
      if (untilMs > 0) {
        ig.put("until", Instant.ofEpochMilli(untilMs).toString());
      }
      if (untilCount > 0) {
        ig.put("untilCount", untilCount);
      }
    }
    long mergedInto = rs.getLong("merged_into");
    if (mergedInto > 0) {
      n.put("mergedInto", mergedInto);
    }
    n.put("statusChanged", Instant.ofEpochMilli(rs.getLong("status_changed_ms")).toString());
    return n;
  }

  private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    for (int k = 0; k < params.size(); k++) {
      ps.setObject(k + 1, params.get(k));
    }
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
