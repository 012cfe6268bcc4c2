package com.yumzoom.ops.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.yumzoom.ops.store.duckdb.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Dashboards as one JSON file each in {@code <data-dir>/ui/dashboards/}.
 *
 * <p>Files rather than a table: a dashboard is a document read and written whole, a handful of them
 * exist, and an operator can back them up, diff or provision them with ordinary tools. A save is
 * durable when it returns: the new content is written to a temporary file, forced to disk, renamed
 * over the old one (atomic on POSIX) and the directory is forced, so kill -9 leaves either the old
 * or the new dashboard, never half of one. Built-in dashboards come from the classpath and are
 * read-only (save a copy to change one).
 */
final class DashboardStore {

  static final int MAX_DASHBOARDS = 1_000;
  static final String BUILTIN_PREFIX = "builtin-";
  static final List<String> BUILTINS = List.of("services", "jvm", "self");
  private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,64}");
  private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  private final Path dir;
  private final ObjectMapper json;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, ObjectNode> builtins;
  private final int maxDashboards;

  DashboardStore(Path dataDir, ObjectMapper json, Clock clock) {
    this(dataDir, json, clock, MAX_DASHBOARDS);
  }

  DashboardStore(Path dataDir, ObjectMapper json, Clock clock, int maxDashboards) {
    this.maxDashboards = maxDashboards;
    this.dir = dataDir.resolve("ui").resolve("dashboards");
    this.json = json;
    this.clock = clock;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot create " + dir, e);
    }
    this.builtins = loadBuiltins(json);
  }

  private static Map<String, ObjectNode> loadBuiltins(ObjectMapper json) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (String name : BUILTINS) {
      String resource = "web/dashboards/" + name + ".json";
      try (InputStream in = DashboardStore.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " missing from the classpath");
        }
        ObjectNode node = (ObjectNode) json.readTree(in);
        String id = BUILTIN_PREFIX + name;
        node.put("id", id);
        node.put("builtin", true);
        out.put(id, node);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + resource, e);
      }
    }
    return out;
  }

  static boolean isBuiltin(String id) {
    return id.startsWith(BUILTIN_PREFIX);
  }

  static boolean validId(String id) {
    return ID.matcher(id).matches();
  }

  /** Summaries (id, title, tags, updated), built-ins first, then by title. */
  synchronized List<ObjectNode> list() {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode b : builtins.values()) {
      out.add(summary(b));
    }
    List<ObjectNode> own = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        try {
          own.add(summary((ObjectNode) json.readTree(f.toFile())));
        } catch (IOException | ClassCastException e) {
          // A file edited by hand into invalid JSON must not hide every other dashboard.
          ObjectNode broken = json.createObjectNode();
          String name = f.getFileName().toString();
          broken.put("id", name.substring(0, name.length() - 5));
          broken.put("title", name + " (unreadable: " + e.getClass().getSimpleName() + ")");
          own.add(broken);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot list " + dir, e);
    }
    own.sort(
        Comparator.comparing(n -> n.path("title").asText().toLowerCase(java.util.Locale.ROOT)));
    out.addAll(own);
    return out;
  }

  private ObjectNode summary(ObjectNode d) {
    ObjectNode s = json.createObjectNode();
    s.put("id", d.path("id").asText());
    s.put("title", d.path("title").asText());
    s.set("tags", d.path("tags").isArray() ? d.get("tags") : json.createArrayNode());
    s.put("builtin", d.path("builtin").asBoolean(false));
    s.put("panels", d.path("panels").size());
    if (d.has("updated")) {
      s.set("updated", d.get("updated"));
    }
    return s;
  }

  synchronized Optional<ObjectNode> get(String id) {
    if (!validId(id)) {
      return Optional.empty();
    }
    ObjectNode builtin = builtins.get(id);
    if (builtin != null) {
      return Optional.of(builtin.deepCopy());
    }
    Path file = dir.resolve(id + ".json");
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of((ObjectNode) json.readTree(file.toFile()));
    } catch (IOException e) {
      throw new StorageException("cannot read dashboard " + id, e);
    }
  }

  /** Stores a new dashboard (already validated) under a fresh id; returns the stored document. */
  synchronized ObjectNode create(ObjectNode dashboard) {
    if (count() >= maxDashboards) {
      throw new DashboardValidation.Invalid(
          "dashboards: too many dashboards (limit " + maxDashboards + ")");
    }
    String id;
    do {
      id = newId();
    } while (Files.exists(dir.resolve(id + ".json")));
    dashboard.put("id", id);
    dashboard.remove("builtin");
    dashboard.put("updated", clock.millis());
    write(id, dashboard);
    return dashboard;
  }

  /** Replaces an existing dashboard; empty when there is none with that id. */
  synchronized Optional<ObjectNode> update(String id, ObjectNode dashboard) {
    if (!validId(id) || !Files.exists(dir.resolve(id + ".json"))) {
      return Optional.empty();
    }
    dashboard.put("id", id);
    dashboard.remove("builtin");
    dashboard.put("updated", clock.millis());
    write(id, dashboard);
    return Optional.of(dashboard);
  }

  synchronized boolean delete(String id) {
    if (!validId(id)) {
      return false;
    }
    try {
      boolean deleted = Files.deleteIfExists(dir.resolve(id + ".json"));
      if (deleted) {
        forceDirectory();
      }
      return deleted;
    } catch (IOException e) {
      throw new StorageException("cannot delete dashboard " + id, e);
    }
  }

  private int count() {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      int n = 0;
      for (Path ignored : files) {
        n++;
      }
      return n;
    } catch (IOException e) {
      throw new StorageException("cannot list " + dir, e);
    }
  }

  private String newId() {
    char[] id = new char[10];
    for (int i = 0; i < id.length; i++) {
      id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(id);
  }

  private void write(String id, JsonNode dashboard) {
    Path target = dir.resolve(id + ".json");
    Path tmp = dir.resolve(id + ".json.tmp");
    try {
      byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(dashboard);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory();
    } catch (IOException e) {
      throw new StorageException("cannot write dashboard " + id, e);
    }
  }

  private void forceDirectory() {
    // Makes the rename itself durable; some file systems refuse to open a directory, which only
    // weakens durability there, so it is not an error.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
