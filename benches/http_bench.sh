# Shared by the HTTP benchmarks in benches/: start a release server on a fresh database, measure with ab, print rows.
# Sourced, not run. Expects BIN, PASSWORD and PG_URL to be set by the caller.

for tool in ab curl jq bc; do
    command -v "$tool" >/dev/null || { echo "needs $tool (ab: apt-get install apache2-utils)" >&2; exit 1; }
done
CONCURRENCY=${CONCURRENCY:-16}
REQUESTS=${REQUESTS:-20000}

# One ab run: prints "requests_per_second p50_ms p99_ms". Any failed or non-2xx response aborts the benchmark.
# measure url token [cookie]: a bearer token for the API, or a `name=value` session cookie for the web client.
measure() {
    local url=$1 token=$2 cookie=${3:-} csv out rps p50 p99
    csv=$(mktemp)
    # -l: answers may differ in length (a timestamp of varying precision); failures and non-2xx still abort.
    local args=(-k -l -q -c "$CONCURRENCY" -n "$REQUESTS" -e "$csv")
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    [ -n "$cookie" ] && args+=(-C "$cookie")
    out=$(ab "${args[@]}" "$url" 2>&1)
    if ! grep -q "^Failed requests: *0" <<<"$out" || grep -q "^Non-2xx responses" <<<"$out"; then
        echo "ab reported failures for $url:" >&2
        echo "$out" >&2
        exit 1
    fi
    rps=$(awk '/^Requests per second/ {print $4}' <<<"$out")
    p50=$(awk -F, '$1 == "50" {print $2}' "$csv")
    p99=$(awk -F, '$1 == "99" {print $2}' "$csv")
    rm -f "$csv"
    echo "$rps $p50 $p99"
}

header() {
    echo "| backend | endpoint | requests/s | p50 ms | p99 ms | throughput / ceiling |"
    echo "|---|---|---:|---:|---:|---:|"
}

# row backend endpoint rps p50 p99 ceiling_rps
row() {
    printf '| %s | %s | %.0f | %.2f | %.2f | %.3f |\n' "$1" "$2" "$3" "$4" "$5" "$(echo "$3 / $6" | bc -l)"
}

# start_server sqlite|postgres [households]: a fresh database with the demo (and N generated households), served
# on a free port; sets BASE.
start_server() {
    local backend=$1 households=${2:-0}
    BENCH_DIR=$(mktemp -d)
    BENCH_DB=""
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    export EENPLAN_DATA_DIR=$BENCH_DIR EENPLAN_LOG=warn EENPLAN_DEMO_PASSWORD=$PASSWORD
    unset EENPLAN_DATABASE_URL
    if [ "$backend" = postgres ]; then
        BENCH_DB="eenplan_bench_$$"
        psql "$PG_URL/postgres" -qc "CREATE DATABASE $BENCH_DB" >/dev/null
        export EENPLAN_DATABASE_URL="$PG_URL/$BENCH_DB"
    fi
    "$BIN" demo-scale --households "$households" >&2
    # More generated data before the server starts (a command line, e.g. `"$BIN" demo-scale --audit-events N`).
    if [ -n "${PREPARE:-}" ]; then
        eval "$PREPARE" | tee "$BENCH_DIR/prepare.log" >&2
    fi
    if [ -n "${SCAN_BEFORE_SERVE:-}" ]; then
        # The daily stuck-case scan, timed: `jobs run` claims today's scan, so the server does not scan again.
        local started ended
        started=$(date +%s.%N)
        SCAN_REPORT=$("$BIN" jobs run | grep '^stuck cases' || true)
        ended=$(date +%s.%N)
        SCAN_SECONDS=$(printf '%.2f' "$(echo "$ended - $started" | bc -l)")
    fi
    "$BIN" serve --bind "127.0.0.1:$port" 2>"$BENCH_DIR/server.log" &
    BENCH_PID=$!
    BASE="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        curl -sf "$BASE/health/ready" >/dev/null && return 0
        sleep 0.2
    done
    echo "the server did not start" >&2
    exit 1
}

stop_server() {
    kill "$BENCH_PID" 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
    rm -rf "$BENCH_DIR"
    if [ -n "$BENCH_DB" ]; then psql "$PG_URL/postgres" -qc "DROP DATABASE $BENCH_DB WITH (FORCE)" >/dev/null; fi
}
