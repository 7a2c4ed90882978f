#!/usr/bin/env bash
# Case reads at municipal size: latency (p50, p99) and throughput of GET /api/v1/cases/{id} and of the filtered
# GET /api/v1/cases for an involved wijkteam member, against the release build, measured with ApacheBench (ab),
# with a trivial endpoint of the same server (GET /health/live) as the ceiling. Prints a Markdown table.
#
#   benches/case_reads.sh [sqlite|postgres|both] [households]     (default: both 100000)
#
# Needs ab (Debian: apache2-utils), curl and jq; PostgreSQL at $PG_URL (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

BACKENDS=${1:-both}
HOUSEHOLDS=${2:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
CONCURRENCY=${CONCURRENCY:-16}
REQUESTS=${REQUESTS:-20000}
PASSWORD=bench-wachtwoord-2026

for tool in ab curl jq; do
    command -v "$tool" >/dev/null || { echo "needs $tool (ab: apt-get install apache2-utils)" >&2; exit 1; }
done
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/eenplan

# One ab run: prints "requests_per_second p50_ms p99_ms".
measure() {
    local url=$1 token=$2 csv
    csv=$(mktemp)
    local args=(-k -q -c "$CONCURRENCY" -n "$REQUESTS" -e "$csv")
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    local out
    out=$(ab "${args[@]}" "$url" 2>&1)
    if ! grep -q "^Failed requests: *0" <<<"$out" || grep -q "^Non-2xx responses" <<<"$out"; then
        echo "ab reported failures for $url:" >&2
        echo "$out" >&2
        exit 1
    fi
    local rps p50 p99
    rps=$(awk '/^Requests per second/ {print $4}' <<<"$out")
    p50=$(awk -F, '$1 == "50" {print $2}' "$csv")
    p99=$(awk -F, '$1 == "99" {print $2}' "$csv")
    rm -f "$csv"
    echo "$rps $p50 $p99"
}

run_backend() {
    local backend=$1 dir port db_url="" db_name=""
    dir=$(mktemp -d)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if [ "$backend" = postgres ]; then
        db_name="eenplan_bench_$$"
        psql "$PG_URL/postgres" -qc "CREATE DATABASE $db_name" >/dev/null
        db_url="$PG_URL/$db_name"
    fi
    export EENPLAN_DATA_DIR=$dir EENPLAN_LOG=warn EENPLAN_DEMO_PASSWORD=$PASSWORD
    if [ -n "$db_url" ]; then export EENPLAN_DATABASE_URL=$db_url; else unset EENPLAN_DATABASE_URL; fi
    "$BIN" demo-scale --households "$HOUSEHOLDS" >&2
    "$BIN" serve --bind "127.0.0.1:$port" 2>"$dir/server.log" &
    local pid=$!
    trap 'kill $pid 2>/dev/null || true' RETURN
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
        sleep 0.2
    done
    local token case
    token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"wijkteam@demo.eenplan.nl\",\"password\":\"$PASSWORD\"}" | jq -r .accessToken)
    local listed
    listed=$(curl -sf "http://127.0.0.1:$port/api/v1/cases?limit=200" -H "Authorization: Bearer $token")
    case=$(jq -r '.items[-1].id' <<<"$listed")
    echo "$backend: the demo wijkteam member sees $(jq '.items | length' <<<"$listed") cases of $HOUSEHOLDS" >&2
    # Warm up caches and the connection pool.
    REQUESTS=2000 measure "http://127.0.0.1:$port/api/v1/cases/$case" "$token" >/dev/null

    local base rps p50 p99
    read -r base p50 p99 < <(measure "http://127.0.0.1:$port/health/live" "")
    printf '| %s | GET /health/live (ceiling) | %.0f | %.2f | %.2f | 1.00 |\n' "$backend" "$base" "$p50" "$p99"
    read -r rps p50 p99 < <(measure "http://127.0.0.1:$port/api/v1/cases/$case" "$token")
    printf '| %s | GET /api/v1/cases/{id} | %.0f | %.2f | %.2f | %.3f |\n' "$backend" "$rps" "$p50" "$p99" \
        "$(echo "$rps / $base" | bc -l)"
    read -r rps p50 p99 < <(measure "http://127.0.0.1:$port/api/v1/cases" "$token")
    printf '| %s | GET /api/v1/cases (first page, 50) | %.0f | %.2f | %.2f | %.3f |\n' "$backend" "$rps" "$p50" "$p99" \
        "$(echo "$rps / $base" | bc -l)"
    kill $pid
    wait $pid 2>/dev/null || true
    rm -rf "$dir"
    if [ -n "$db_name" ]; then psql "$PG_URL/postgres" -qc "DROP DATABASE $db_name WITH (FORCE)" >/dev/null; fi
}

echo "| backend | endpoint | requests/s | p50 ms | p99 ms | throughput / ceiling |"
echo "|---|---|---:|---:|---:|---:|"
case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [households]" >&2; exit 2 ;;
esac
