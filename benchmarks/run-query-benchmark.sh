#!/usr/bin/env bash
# Trace query benchmark at scale: loads SPANS spans (default 10,000,000) into a fresh server over
# OTLP/HTTP protobuf, then measures trace lookup by id (ids sampled while loading) and searches by
# service, tag and duration over the last hour. Prints a summary.
#
#   benchmarks/run-query-benchmark.sh
#
# Environment (defaults): SPANS=10000000, TARGET=yumzoom (or zipkin: the peer, in-memory, which
# needs about 4 KB of heap per span, so HEAP must grow with SPANS), HEAP=2g, LOAD_CONCURRENCY=8,
# LOAD_RATE=0 (spans/s cap, 0 = as fast as acknowledged), QUERY_LOOKUPS=1000, QUERY_SEARCHES=300,
# QUERY_CONCURRENCY=1, SEED=42, SKIP_BUILD=0, MVN_FLAGS, OUT=(a new temp dir),
# DATA_DIR=(a new temp dir; give an existing one with LOAD=0 to query it again), KEEP_DATA=0.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"

SPANS=${SPANS:-10000000}
TARGET=${TARGET:-yumzoom}
LOAD=${LOAD:-1}
LOAD_CONCURRENCY=${LOAD_CONCURRENCY:-8}
LOAD_RATE=${LOAD_RATE:-0}
QUERY_LOOKUPS=${QUERY_LOOKUPS:-1000}
QUERY_SEARCHES=${QUERY_SEARCHES:-300}
QUERY_CONCURRENCY=${QUERY_CONCURRENCY:-1}
SEED=${SEED:-42}
OUT=${OUT:-$(mktemp -d /tmp/yumzoom-query-bench.XXXXXX)}
mkdir -p "$OUT"

cd "$ROOT"
pick_java
SERVER_PID=
MADE_DATA_DIR=
cleanup() {
  [[ -n "$SERVER_PID" ]] && stop_server "$SERVER_PID"
  if [[ -n "$MADE_DATA_DIR" && "${KEEP_DATA:-0}" != 1 ]]; then rm -rf "$MADE_DATA_DIR"; fi
}
trap cleanup EXIT

case "$TARGET" in
  yumzoom)
    build all
    [[ -x "$ROOT/yumzoom" ]] || die "$ROOT/yumzoom not found"
    if [[ -z "${DATA_DIR:-}" ]]; then
      DATA_DIR=$(mktemp -d /tmp/yumzoom-bench-data.XXXXXX)
      MADE_DATA_DIR=$DATA_DIR
    fi
    start_yumzoom "$OUT/server.log" "$DATA_DIR"
    INGEST_URL=http://127.0.0.1:4318/v1/traces FORMAT=otlp-proto
    QUERY_URL=http://127.0.0.1:8080 API=tempo
    COUNTERS_URL=${YUMZOOM_METRICS_URL:-http://127.0.0.1:8080/metrics}
    ;;
  zipkin)
    build benchmarks
    fetch_zipkin
    if ((SPANS > $(heap_mb "$HEAP") * 200)); then
      log "warning: $SPANS spans need about $((SPANS / 200)) MB of Zipkin heap; HEAP=$HEAP"
    fi
    start_zipkin "$OUT/server.log" "$SPANS"
    INGEST_URL=http://127.0.0.1:9411/api/v2/spans FORMAT=zipkin-json
    QUERY_URL=http://127.0.0.1:9411 API=zipkin
    COUNTERS_URL=http://127.0.0.1:9411/prometheus
    ;;
  *) die "TARGET must be yumzoom or zipkin, got $TARGET" ;;
esac

DATE=$(date -u +%Y-%m-%d)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ "$LOAD" == 1 ]]; then
  log "$TARGET: loading $SPANS spans ($FORMAT)"
  "$JAVA" -Xmx1g -cp "$BENCH_JAR" com.yumzoom.ops.bench.TraceLoadGenerator \
    --format "$FORMAT" --url "$INGEST_URL" --total-spans "$SPANS" --warmup 0s --duration 6h \
    --concurrency "$LOAD_CONCURRENCY" --target-rate "$LOAD_RATE" --seed "$SEED" \
    --report-interval 30s --trace-ids-out "$OUT/trace-ids.tsv" --trace-ids-count 5000 \
    --result-file "$OUT/load.env" 2>&1 | grep -v '^WARNING:' | tee "$OUT/load.txt" >&2 || true
elif [[ -n "${TRACE_IDS:-}" ]]; then
  cp "$TRACE_IDS" "$OUT/trace-ids.tsv"
else
  die "LOAD=0 needs TRACE_IDS=<the trace-ids.tsv of the run that loaded DATA_DIR>"
fi

log "$TARGET: query benchmark"
"$JAVA" -cp "$BENCH_JAR" com.yumzoom.ops.bench.TraceQueryBenchmark \
  --api "$API" --url "$QUERY_URL" --trace-ids "$OUT/trace-ids.tsv" \
  --lookups "$QUERY_LOOKUPS" --searches "$QUERY_SEARCHES" --concurrency "$QUERY_CONCURRENCY" \
  --span-count-url "$COUNTERS_URL" --result-file "$OUT/query.env" \
  2>&1 | grep -v '^WARNING:' | tee "$OUT/query.txt" >&2 || true
RSS_MB=$(($(session_rss_kb "$SERVER_PID") / 1024))
stop_server "$SERVER_PID"
SERVER_PID=

load_env "$OUT/load.env" L
load_env "$OUT/query.env" Q
{
  echo
  echo "== trace query benchmark: $TARGET =="
  echo "date       $DATE"
  echo "machine    $(machine); load average before the run: $LOAD_BEFORE"
  echo "jdk        $(jdk)"
  echo "data       ${L_acked_spans:-$SPANS} spans loaded at ${L_spans_per_sec:-n/a} spans/s" \
    "(ack p99 ${L_p99_ms:-n/a} ms); server RSS after queries ${RSS_MB} MB" \
    "${DATA_DIR:+; data dir $(du -sm "$DATA_DIR" 2>/dev/null | cut -f1) MB}"
  echo "queries    $QUERY_LOOKUPS lookups, $QUERY_SEARCHES searches, concurrency $QUERY_CONCURRENCY"
  echo
  printf '%-18s %8s %8s %8s %8s\n' query "p50 ms" "p95 ms" "p99 ms" failed
  for k in lookup search_service search_tag search_duration; do
    p50=Q_${k}_p50_ms p95=Q_${k}_p95_ms p99=Q_${k}_p99_ms failed=Q_${k}_failed
    printf '%-18s %8s %8s %8s %8s\n' "$k" "${!p50:-n/a}" "${!p95:-n/a}" "${!p99:-n/a}" "${!failed:-n/a}"
  done
  echo
  echo "details in $OUT"
} | tee "$OUT/summary.txt"
