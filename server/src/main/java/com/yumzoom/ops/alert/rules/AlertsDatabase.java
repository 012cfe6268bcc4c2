package com.yumzoom.ops.alert.rules;

import com.yumzoom.ops.store.duckdb.Migrations;
import com.yumzoom.ops.store.duckdb.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * The alerting DuckDB file, {@code <data-dir>/alerts.duckdb}. Each part of alerting keeps its
 * tables in its own schema ({@code alert_rules}, {@code alert_dispatch}, ...) with its own {@code
 * schema_version}, so the rule side and the delivery side migrate independently in one file.
 * Callers get their own connection (duplicated from the one this class owns) and must serialise
 * their use of it.
 */
public final class AlertsDatabase implements AutoCloseable {

  public static final String FILE_NAME = "alerts.duckdb";

  private final DuckDBConnection connection;

  private AlertsDatabase(DuckDBConnection connection) {
    this.connection = connection;
  }

  /** Opens (creating if needed) the file in {@code dataDir}. */
  public static AlertsDatabase open(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(dataDir);
      Properties props = new Properties();
      props.setProperty("storage_compatibility_version", "latest");
      return new AlertsDatabase(
          (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, props));
    } catch (SQLException | java.io.IOException e) {
      throw new StorageException("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A new connection whose default schema is {@code schema}, migrated by {@code steps} (statements
   * there may use unqualified table names).
   */
  public Connection connect(String schema, List<Migrations.Step> steps) {
    try {
      Connection c = connection.duplicate();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        s.execute("SET schema = '" + schema + "'");
      }
      Migrations.migrate(c, steps);
      return c;
    } catch (SQLException e) {
      throw new StorageException("cannot open schema " + schema + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      try (Statement s = connection.createStatement()) {
        s.execute("CHECKPOINT");
      }
      connection.close();
    } catch (SQLException e) {
      throw new StorageException("closing alerts database failed: " + e.getMessage(), e);
    }
  }

  /** Work done inside one transaction. */
  @FunctionalInterface
  public interface SqlWork {
    void run() throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code connection}: committed whole, or rolled back and
   * rethrown; an {@link SQLException} becomes a {@link StorageException} "{@code store}: writing
   * failed: ...".
   */
  public static void inTransaction(Connection connection, String store, SqlWork work) {
    try (Statement s = connection.createStatement()) {
      s.execute("BEGIN TRANSACTION");
      try {
        work.run();
        s.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        s.execute("ROLLBACK");
        throw e;
      }
    } catch (SQLException e) {
      throw new StorageException(store + ": writing failed: " + e.getMessage(), e);
    }
  }
}
