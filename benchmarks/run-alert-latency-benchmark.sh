#!/usr/bin/env bash
# Breach-to-delivered alert latency: YumZoom (rule side + delivery outbox) against Debian's
# Prometheus + Alertmanager, once with their defaults and once tuned to their fastest sensible
# settings. The runner (AlertLatencyBenchmark) is the metric target and the webhook receiver; it
# flips bench_gauge{trial="k"} from 0 to 1, records that instant, and measures until the firing
# webhook arrives. Rule everywhere: bench_gauge > 0.5, no `for`.
#
#   benchmarks/run-alert-latency-benchmark.sh
#
# Environment (defaults): TRIALS=10 (ours and Prometheus tuned), DEFAULT_TRIALS=3 (Prometheus
# defaults: scrape 1m, evaluation 1m, group_wait 30s, so minutes per trial), SETUPS="yumzoom
# prom-fast prom-default", SKIP_BUILD=0, MVN_FLAGS, OUT=(a new temp dir).
# Every setup scrapes the runner's /metrics (ours and the tuned Prometheus every 1 s), so the breach
# instant is the flip of the served gauge in all three. (AlertLatencyBenchmark --push still exists
# for a push-only comparison.)
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"

TRIALS=${TRIALS:-10}
DEFAULT_TRIALS=${DEFAULT_TRIALS:-3}
SETUPS=${SETUPS:-yumzoom prom-fast prom-default}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
ALERTMANAGER=${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}
OUT=${OUT:-$(mktemp -d /tmp/yumzoom-alert-bench.XXXXXX)}
mkdir -p "$OUT"

cd "$ROOT"
pick_java
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do stop_server "$p"; done
  PIDS=()
}
trap cleanup EXIT

free_port() { # a free loopback port from the kernel
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

build "server,benchmarks"
[[ -x "$ROOT/yumzoom" ]] || die "$ROOT/yumzoom not found"

runner() { # setup-name runner-port trials resolve-timeout-s fire-timeout-s [--push url]
  local name=$1 port=$2 trials=$3 resolve=$4 fire=$5
  shift 5
  log "$name: $trials trials"
  "$JAVA" -cp "$BENCH_JAR" com.yumzoom.ops.bench.AlertLatencyBenchmark --port "$port" \
    --trials "$trials" --resolve-timeout-s "$resolve" --fire-timeout-s "$fire" \
    --warmup-s 3 --result-file "$OUT/$name.env" "$@" 2> >(tee "$OUT/$name.runner.log" >&2)
}

rules_file() { # path interval-line
  cat >"$1" <<YAML
groups:
  - name: bench
$2
    rules:
      - alert: BenchGaugeHigh
        expr: bench_gauge > 0.5
        labels: {severity: warning}
YAML
}

run_yumzoom() {
  local d="$OUT/yumzoom" rp http otlp grpc
  mkdir -p "$d/data"
  rp=$(free_port) http=$(free_port) otlp=$(free_port) grpc=$(free_port)
  rules_file "$d/bench.rules.yml" "    interval: 1s"
  cat >"$d/alerting.yml" <<YAML
route:
  receiver: runner
  group_by: [alertname, trial]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: runner
    webhook_configs:
      - url: http://127.0.0.1:$rp/hook
        send_resolved: true
YAML
  # Like the tuned Prometheus: scrape the runner's /metrics every second.
  cat >"$d/scrape.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: runner
    static_configs:
      - targets: ['127.0.0.1:$rp']
YAML
  log "starting yumzoom serve (http $http, OTLP/HTTP $otlp)"
  setsid ./yumzoom serve --data-dir "$d/data" --set server.host=127.0.0.1 \
    --set server.http-port="$http" --set otlp.http-port="$otlp" --set otlp.grpc-port="$grpc" \
    --set alerting.rule-files="$d/bench.rules.yml" --set alerting.config-file="$d/alerting.yml" \
    --set alerting.evaluation-interval=1s --set metrics.scrape-config-file="$d/scrape.yml" \
    >"$d/server.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$http/api/echo" 600 "${PIDS[-1]}" && wait_port "$otlp" 30 ||
    die "yumzoom did not start; see $d/server.log"
  runner yumzoom "$rp" "$TRIALS" 30 60
  cleanup
}

run_prometheus() { # name fast|default trials
  local name=$1 mode=$2 trials=$3 d="$OUT/$1" rp pp ap global="" interval="" am_timers="" fire resolve
  mkdir -p "$d/prom" "$d/am"
  rp=$(free_port) pp=$(free_port) ap=$(free_port)
  if [[ "$mode" == fast ]]; then
    global=$'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s'
    am_timers=$'  group_wait: 0s\n  group_interval: 1s'
    fire=60 resolve=30
  else
    fire=300 resolve=0 # defaults: resolved notifications wait for group_interval (5m); each trial is its own group
  fi
  rules_file "$d/bench.rules.yml" "$interval"
  cat >"$d/prometheus.yml" <<YAML
$global
scrape_configs:
  - job_name: bench
    static_configs: [{targets: ['127.0.0.1:$rp']}]
rule_files: ['$d/bench.rules.yml']
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:$ap']}]
YAML
  cat >"$d/alertmanager.yml" <<YAML
route:
  receiver: runner
  group_by: [alertname, trial]
$am_timers
receivers:
  - name: runner
    webhook_configs:
      - url: http://127.0.0.1:$rp/hook
        send_resolved: true
YAML
  log "$name: starting Alertmanager :$ap and Prometheus :$pp"
  setsid "$ALERTMANAGER" --config.file="$d/alertmanager.yml" --storage.path="$d/am" \
    --web.listen-address="127.0.0.1:$ap" --cluster.listen-address= >"$d/alertmanager.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$ap/-/ready" 60 "${PIDS[-1]}" || die "Alertmanager did not start; see $d"
  setsid "$PROMETHEUS" --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/prom" \
    --web.listen-address="127.0.0.1:$pp" >"$d/prometheus.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$pp/-/ready" 60 "${PIDS[-1]}" || die "Prometheus did not start; see $d"
  runner "$name" "$rp" "$trials" "$resolve" "$fire"
  cleanup
}

for setup in $SETUPS; do
  case "$setup" in
    yumzoom) run_yumzoom ;;
    prom-fast) run_prometheus prom-fast fast "$TRIALS" ;;
    prom-default) run_prometheus prom-default default "$DEFAULT_TRIALS" ;;
    *) die "unknown setup $setup" ;;
  esac
done

echo
echo "Alert breach-to-delivered latency ($(date -u +%F), $(machine), $(jdk))"
printf '%-14s %7s %10s %9s %9s %9s\n' setup trials delivered p50_ms p95_ms max_ms
for setup in $SETUPS; do
  load_env "$OUT/$setup.env" R
  printf '%-14s %7s %10s %9s %9s %9s\n' "$setup" "${R_trials:-?}" "${R_delivered:-?}" \
    "${R_p50_ms:-?}" "${R_p95_ms:-?}" "${R_max_ms:-?}"
  unset R_trials R_delivered R_p50_ms R_p95_ms R_max_ms
done
echo "logs and results in $OUT"
