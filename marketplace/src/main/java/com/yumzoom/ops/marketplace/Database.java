package com.yumzoom.ops.marketplace;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The marketplace's PostgreSQL: any server by URL, or real embedded binaries (io.zonky) when no URL
 * is configured, so the demo needs nothing installed. The schema is migrated by Flyway at start.
 */
public final class Database implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** Where to connect. {@code url == null} starts an embedded PostgreSQL. */
  public record Settings(String url, String user, String password, int poolSize, Path embeddedDir) {
    public Settings {
      if (poolSize < 1 || poolSize > 200) {
        throw new IllegalArgumentException("db.pool-size: must be 1..200 (limit 200)");
      }
    }

    public static Settings embedded() {
      return new Settings(null, null, null, 16, null);
    }

    public static Settings fromEnv(String url, java.util.Map<String, String> env) {
      String u = url != null ? url : env.get("MARKETPLACE_DB_URL");
      return new Settings(
          u,
          env.getOrDefault("MARKETPLACE_DB_USER", u == null ? null : "postgres"),
          env.getOrDefault("MARKETPLACE_DB_PASSWORD", u == null ? null : ""),
          Integer.parseInt(env.getOrDefault("MARKETPLACE_DB_POOL_SIZE", "16")),
          null);
    }
  }

  private final EmbeddedPostgres embedded;
  private final HikariDataSource pool;

  private Database(EmbeddedPostgres embedded, HikariDataSource pool) {
    this.embedded = embedded;
    this.pool = pool;
  }

  /** Connects (starting embedded PostgreSQL if needed) and migrates the schema. */
  public static Database open(Settings settings) {
    EmbeddedPostgres embedded = null;
    String url = settings.url();
    String user = settings.user();
    String password = settings.password();
    try {
      if (url == null) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(0);
        if (settings.embeddedDir() != null) {
          Files.createDirectories(settings.embeddedDir());
          builder.setDataDirectory(settings.embeddedDir()).setCleanDataDirectory(false);
        }
        embedded = builder.start();
        url = embedded.getJdbcUrl("postgres", "postgres");
        user = "postgres";
        password = "postgres";
        LOG.info("embedded PostgreSQL on port {}", embedded.getPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("marketplace");
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(settings.poolSize());
    config.setConnectionTimeout(5_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
      Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      if (embedded != null) {
        closeQuietly(embedded);
      }
      throw e;
    }
    return new Database(embedded, pool);
  }

  /** The pool itself, not instrumented: seeding and maintenance. */
  public DataSource dataSource() {
    return pool;
  }

  /** The JDBC URL of the running database (embedded or configured). */
  public String jdbcUrl() {
    return pool.getJdbcUrl();
  }

  @Override
  public void close() {
    pool.close();
    if (embedded != null) {
      closeQuietly(embedded);
    }
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
