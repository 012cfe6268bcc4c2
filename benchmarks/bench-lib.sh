# Shared by run-ingest-benchmark.sh and run-query-benchmark.sh; source it, do not run it.
# Every process started here is started with setsid, so it leads its own session and process
# group: it is stopped by that id alone, and its CPU and memory are summed over that session.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ZIPKIN_VERSION=${ZIPKIN_VERSION:-3.6.1}
HEAP=${HEAP:-2g}
MVN_FLAGS=${MVN_FLAGS:-}

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A JDK 25: JAVA_HOME if it is one, else the first /usr/lib/jvm/*25* found.
pick_java() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if [[ -n "$candidate" && -x "$candidate/bin/java" ]] &&
      "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
      export JAVA_HOME="$candidate"
      JAVA="$candidate/bin/java"
      return
    fi
  done
  die "no JDK 25 found; set JAVA_HOME"
}

# Builds the modules the run needs (SKIP_BUILD=1 to reuse what is there).
build() {
  local modules=$1
  if [[ "${SKIP_BUILD:-0}" == 1 ]]; then
    log "SKIP_BUILD=1: not building"
  elif [[ "$modules" == all ]]; then
    log "building (./mvnw -q -DskipTests package)"
    (cd "$ROOT" && ./mvnw -B -q $MVN_FLAGS -DskipTests package) >&2
  else
    log "building $modules"
    (cd "$ROOT" && ./mvnw -B -q $MVN_FLAGS -DskipTests -pl "$modules" -am package) >&2
  fi
  BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
  [[ -f "$BENCH_JAR" ]] || die "$BENCH_JAR missing"
}

# The Zipkin server exec jar from Maven Central (through the local Maven repository).
fetch_zipkin() {
  local dir="$ROOT/benchmarks/target/peer"
  ZIPKIN_JAR="$dir/zipkin-server-$ZIPKIN_VERSION-exec.jar"
  if [[ ! -f "$ZIPKIN_JAR" ]]; then
    log "resolving io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec"
    (cd "$ROOT" && ./mvnw -B -q -N $MVN_FLAGS dependency:copy \
      -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -DoutputDirectory="$dir") >&2
  fi
  [[ -f "$ZIPKIN_JAR" ]] || die "could not resolve the Zipkin server jar"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # url timeout-seconds pid
  local url=$1 timeout=$2 pid=$3 i
  for ((i = 0; i < timeout; i++)); do
    curl -fs -o /dev/null "$url" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

wait_port() { # port timeout-seconds
  local i
  for ((i = 0; i < $2; i++)); do
    port_free "$1" || return 0
    sleep 1
  done
  return 1
}

start_zipkin() { # log-file mem-max-spans
  port_free 9411 || die "port 9411 is in use"
  log "starting Zipkin $ZIPKIN_VERSION (in-memory storage, -Xmx$HEAP, MEM_MAX_SPANS=$2)"
  MEM_MAX_SPANS="$2" setsid "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -jar "$ZIPKIN_JAR" >"$1" 2>&1 &
  SERVER_PID=$!
  wait_http http://127.0.0.1:9411/health 120 "$SERVER_PID" || die "Zipkin did not start; see $1"
}

start_yumzoom() { # log-file data-dir
  [[ -x "$ROOT/yumzoom" ]] || return 1
  port_free 8080 && port_free 4318 || die "port 8080 or 4318 is in use"
  log "starting yumzoom serve --data-dir $2 (-Xmx$HEAP via JAVA_TOOL_OPTIONS)"
  cd "$ROOT"
  JAVA_TOOL_OPTIONS="-Xms$HEAP -Xmx$HEAP" setsid ./yumzoom serve --data-dir "$2" >"$1" 2>&1 &
  SERVER_PID=$!
  # the launcher may build the jar first
  wait_http http://127.0.0.1:8080/api/echo 600 "$SERVER_PID" && wait_port 4318 30 ||
    die "yumzoom did not start; see $1"
}

stop_server() { # pid
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.5
  done
  log "pid $pid did not stop in 60 s after SIGTERM; killing"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}

# CPU seconds (user + system, clock-tick resolution) of every process in a session.
session_cpu_seconds() {
  local pid ticks=0 stat
  for pid in $(ps -o pid= -s "$1" 2>/dev/null); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) } # fields after the command name, which may hold spaces
    ticks=$((ticks + $(echo "$stat" | awk '{print $12 + $13}')))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}
session_rss_kb() { ps -o rss= -s "$1" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

# Samples the session's summed RSS every second into a file until the session ends.
sample_rss() { # pid file
  (while kill -0 "$1" 2>/dev/null; do session_rss_kb "$1"; sleep 1; done >"$2") &
  RSS_SAMPLER=$!
}

peak_mb() { sort -n "$1" 2>/dev/null | tail -1 | awk '{printf "%d", $1 / 1024}'; }

# key=value lines of a --result-file into variables PREFIX_key.
load_env() { # file prefix
  local k v
  [[ -f "$1" ]] || return 0
  while IFS='=' read -r k v; do
    [[ -n "$k" ]] && printf -v "${2}_${k}" '%s' "$v"
  done <"$1"
}

machine() {
  local cpu mem
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
  echo "$(nproc) cores, ${cpu:-unknown CPU}, $mem RAM"
}

jdk() { "$JAVA" -version 2>&1 | sed -n 2p; }

heap_mb() { # 2g, 1536m -> MB
  local v=${1,,}
  case "$v" in
    *g) echo $((${v%g} * 1024)) ;;
    *m) echo "${v%m}" ;;
    *) die "HEAP must end in g or m, got $1" ;;
  esac
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
