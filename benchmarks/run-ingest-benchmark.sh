#!/usr/bin/env bash
# Trace ingest benchmark: the Zipkin server (peer, its default in-memory storage, Zipkin v2 JSON)
# and YumZoom (OTLP/HTTP protobuf, durable), the same spans for the same time with the same heap,
# then trace lookup and search latency on what YumZoom stored. Prints a summary table.
#
#   benchmarks/run-ingest-benchmark.sh
#
# Environment (defaults): DURATION=60 (s measured), WARMUP=5, CONCURRENCY=8, HEAP=2g (each server),
# TARGETS="zipkin yumzoom", ZIPKIN_VERSION=3.6.1, ZIPKIN_HEAP=$HEAP, ZIPKIN_MEM_MAX_SPANS=(150 per MB of ZIPKIN_HEAP), SEED=42,
# QUERY_LOOKUPS=1000, QUERY_SEARCHES=300, SKIP_BUILD=0, MVN_FLAGS (e.g. -o), OUT=(a new temp dir),
# KEEP_DATA=0, YUMZOOM_METRICS_URL=http://127.0.0.1:8080/metrics.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"

DURATION=${DURATION:-60}
WARMUP=${WARMUP:-5}
CONCURRENCY=${CONCURRENCY:-8}
TARGETS=${TARGETS:-zipkin yumzoom}
SEED=${SEED:-42}
QUERY_LOOKUPS=${QUERY_LOOKUPS:-1000}
QUERY_SEARCHES=${QUERY_SEARCHES:-300}
# Zipkin keeps at most MEM_MAX_SPANS spans and evicts the oldest traces beyond that (it still
# answers 202 and counts nothing as dropped). Measured on 2026-11-22: these spans take about 4 KB
# each of live heap in Zipkin 3.6.1 (400,000 spans: 1.65 GB after a full GC), so with the same 2 GB
# heap as our server Zipkin cannot keep a 60 s run. The default limit, 150 spans per MB of heap,
# keeps Zipkin inside its heap (more fills it and measures the garbage collector rather than
# Zipkin). To measure Zipkin keeping every span, give it more heap: ZIPKIN_HEAP=8g
# ZIPKIN_MEM_MAX_SPANS=4000000.
ZIPKIN_HEAP=${ZIPKIN_HEAP:-$HEAP}
ZIPKIN_MEM_MAX_SPANS=${ZIPKIN_MEM_MAX_SPANS:-$(($(heap_mb "$ZIPKIN_HEAP") * 150))}
YUMZOOM_METRICS_URL=${YUMZOOM_METRICS_URL:-http://127.0.0.1:8080/metrics}
OUT=${OUT:-$(mktemp -d /tmp/yumzoom-ingest-bench.XXXXXX)}
mkdir -p "$OUT"

cd "$ROOT"
pick_java
if [[ " $TARGETS " == *" yumzoom "* ]]; then build all; else build benchmarks; fi
if [[ " $TARGETS " == *" zipkin "* ]]; then fetch_zipkin; fi

SERVER_PID=
DATA_DIR=
cleanup() {
  [[ -n "$SERVER_PID" ]] && stop_server "$SERVER_PID"
  if [[ -n "$DATA_DIR" && "${KEEP_DATA:-0}" != 1 ]]; then rm -rf "$DATA_DIR"; fi
}
trap cleanup EXIT

DATE=$(date -u +%Y-%m-%d)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
GEN=("$JAVA" -Xmx1g -cp "$BENCH_JAR" com.yumzoom.ops.bench.TraceLoadGenerator
  --duration "${DURATION}s" --warmup "${WARMUP}s" --concurrency "$CONCURRENCY" --seed "$SEED")

# run_ingest name format url [extra generator args...]: measures one server already started.
run_ingest() {
  local name=$1 format=$2 url=$3 cpu0 cpu1
  shift 3
  log "$name: sending $format to $url for ${WARMUP}s + ${DURATION}s"
  sample_rss "$SERVER_PID" "$OUT/$name-rss.txt"
  cpu0=$(session_cpu_seconds "$SERVER_PID")
  "${GEN[@]}" --format "$format" --url "$url" --result-file "$OUT/$name-ingest.env" "$@" \
    2>&1 | grep -v '^WARNING:' | tee "$OUT/$name-ingest.txt" >&2 || true
  cpu1=$(session_cpu_seconds "$SERVER_PID")
  printf 'server_cpu_cores=%s\n' \
    "$(awk -v a="$cpu0" -v b="$cpu1" -v d=$((DURATION + WARMUP)) 'BEGIN {printf "%.2f", (b - a) / d}')" \
    >>"$OUT/$name-ingest.env"
}

if [[ " $TARGETS " == *" zipkin "* ]]; then
  HEAP=$ZIPKIN_HEAP start_zipkin "$OUT/zipkin.log" "$ZIPKIN_MEM_MAX_SPANS"
  run_ingest zipkin zipkin-json http://127.0.0.1:9411/api/v2/spans
  curl -fs http://127.0.0.1:9411/prometheus | grep -E '^zipkin_collector_spans' \
    >"$OUT/zipkin-counters.txt" || true
  cat "$OUT/zipkin-counters.txt" >&2
  stop_server "$SERVER_PID"
  SERVER_PID=
  printf 'peak_rss_mb=%s\n' "$(peak_mb "$OUT/zipkin-rss.txt")" >>"$OUT/zipkin-ingest.env"
fi

YUMZOOM_RAN=0
if [[ " $TARGETS " == *" yumzoom "* ]]; then
  if [[ ! -x "$ROOT/yumzoom" ]]; then
    log "yumzoom: $ROOT/yumzoom not found; skipping our server"
  else
    DATA_DIR=$(mktemp -d /tmp/yumzoom-bench-data.XXXXXX)
    start_yumzoom "$OUT/yumzoom.log" "$DATA_DIR"
    run_ingest yumzoom otlp-proto http://127.0.0.1:4318/v1/traces \
      --trace-ids-out "$OUT/trace-ids.tsv"
    log "yumzoom: query benchmark"
    "$JAVA" -cp "$BENCH_JAR" com.yumzoom.ops.bench.TraceQueryBenchmark \
      --url http://127.0.0.1:8080 --trace-ids "$OUT/trace-ids.tsv" \
      --lookups "$QUERY_LOOKUPS" --searches "$QUERY_SEARCHES" \
      --span-count-url "$YUMZOOM_METRICS_URL" --result-file "$OUT/yumzoom-query.env" \
      2>&1 | grep -v '^WARNING:' | tee "$OUT/yumzoom-query.txt" >&2 || true
    stop_server "$SERVER_PID"
    SERVER_PID=
    printf 'peak_rss_mb=%s\ndata_dir_mb=%s\n' "$(peak_mb "$OUT/yumzoom-rss.txt")" \
      "$(du -sm "$DATA_DIR" | cut -f1)" >>"$OUT/yumzoom-ingest.env"
    YUMZOOM_RAN=1
  fi
fi

load_env "$OUT/zipkin-ingest.env" Z
load_env "$OUT/yumzoom-ingest.env" Y
load_env "$OUT/yumzoom-query.env" Q
triple() { if [[ -z "$1" ]]; then echo n/a; else echo "$1/$2/$3"; fi; }
row() { printf '%-28s %-26s %-26s %s\n' "$@"; }
{
  echo
  echo "== trace ingest benchmark =="
  echo "date       $DATE"
  echo "machine    $(machine); load average before the run: $LOAD_BEFORE"
  echo "jdk        $(jdk)"
  echo "run        ${DURATION}s measured after ${WARMUP}s warmup, concurrency $CONCURRENCY," \
    "512 spans/request, heap $HEAP (zipkin $ZIPKIN_HEAP," \
    "MEM_MAX_SPANS $ZIPKIN_MEM_MAX_SPANS), seed $SEED"
  echo
  row "" "yumzoom (OTLP proto)" "zipkin $ZIPKIN_VERSION (JSON, mem)" "ratio"
  row "spans/s sustained" "${Y_spans_per_sec:-n/a}" "${Z_spans_per_sec:-n/a}" \
    "$(ratio "${Y_spans_per_sec:-}" "${Z_spans_per_sec:-}")"
  row "ack latency p50 ms" "${Y_p50_ms:-n/a}" "${Z_p50_ms:-n/a}" ""
  row "ack latency p99 ms" "${Y_p99_ms:-n/a}" "${Z_p99_ms:-n/a}" ""
  row "requests ok/429+503/failed" "$(triple "${Y_ok_requests:-}" "${Y_rejected_requests:-}" \
    "${Y_failed_requests:-}")" "$(triple "${Z_ok_requests:-}" "${Z_rejected_requests:-}" \
    "${Z_failed_requests:-}")" ""
  row "server cpu (cores)" "${Y_server_cpu_cores:-n/a}" "${Z_server_cpu_cores:-n/a}" ""
  row "server peak RSS MB" "${Y_peak_rss_mb:-n/a}" "${Z_peak_rss_mb:-n/a}" ""
  row "generator cpu (cores)" "${Y_client_cpu_cores:-n/a}" "${Z_client_cpu_cores:-n/a}" ""
  if [[ "$YUMZOOM_RAN" == 1 ]]; then
    row "data dir MB" "${Y_data_dir_mb:-n/a}" "" ""
    row "lookup by id p50/p95/p99 ms" "${Q_lookup_p50_ms:-n/a}/${Q_lookup_p95_ms:-}/${Q_lookup_p99_ms:-}" "" ""
    row "search service p95 ms" "${Q_search_service_p95_ms:-n/a}" "" ""
    row "search tag p95 ms" "${Q_search_tag_p95_ms:-n/a}" "" ""
    row "search duration p95 ms" "${Q_search_duration_p95_ms:-n/a}" "" ""
  fi
  echo
  echo "details in $OUT"
} | tee "$OUT/summary.txt"
