package com.yumzoom.ops.metrics.duckdb;

import com.yumzoom.ops.store.duckdb.Migrations;
import java.util.List;

/**
 * The steps of {@code metrics.duckdb}. Series are stored once (id, name, labels as JSON); samples
 * are narrow rows (series id, ms, value) appended in arrival order, so the min/max zone maps of
 * {@code t} prune a time range; a NULL value is a staleness marker (NaN payloads are not kept by
 * every engine). Rollup rows hold per series and bucket the aggregates a long-range query needs:
 * min, max, sum, count, the last value and its time, and {@code inc}, the reset-aware increase from
 * the sample before the bucket to its last sample, which keeps {@code rate()} right over rollups of
 * counters that restarted.
 */
final class MetricsSchema {

  private static final String ROLLUP_COLUMNS =
      """
      (series_id BIGINT NOT NULL, bucket BIGINT NOT NULL, min DOUBLE NOT NULL,
       max DOUBLE NOT NULL, sum DOUBLE NOT NULL, cnt BIGINT NOT NULL, last DOUBLE NOT NULL,
       last_t BIGINT NOT NULL, inc DOUBLE NOT NULL)
      """;

  static final List<Migrations.Step> STEPS =
      List.of(
          new Migrations.Step(
              1,
              "series, samples, rollup_5m, rollup_1h, rollup_state",
              List.of(
                  """
                  CREATE TABLE series (
                    id BIGINT NOT NULL, metric VARCHAR NOT NULL, labels VARCHAR NOT NULL,
                    created_ms BIGINT NOT NULL)
                  """,
                  "CREATE TABLE samples (series_id BIGINT NOT NULL, t BIGINT NOT NULL, v DOUBLE)",
                  "CREATE TABLE rollup_5m " + ROLLUP_COLUMNS,
                  "CREATE TABLE rollup_1h " + ROLLUP_COLUMNS,
                  """
                  CREATE TABLE rollup_state (
                    resolution_ms BIGINT NOT NULL, done_to BIGINT NOT NULL,
                    dirty_from BIGINT NOT NULL)
                  """)));

  private MetricsSchema() {}
}
