#!/usr/bin/env bash
# Case reads at municipal size: latency (p50, p99) and throughput of GET /api/v1/cases/{id} and of the filtered
# GET /api/v1/cases for an involved wijkteam member, against the release build, measured with ApacheBench (ab),
# with a trivial endpoint of the same server (GET /health/live) as the ceiling. Prints a Markdown table.
#
#   benches/case_reads.sh [sqlite|postgres|both] [households]     (default: both 100000)
#
# Needs ab (Debian: apache2-utils), curl, jq and bc; PostgreSQL at $PG_URL (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

BACKENDS=${1:-both}
HOUSEHOLDS=${2:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PASSWORD=bench-wachtwoord-2026
cd "$(dirname "$0")/.."
source benches/http_bench.sh
cargo build --release --quiet
BIN=target/release/eenplan

run_backend() {
    local backend=$1
    start_server "$backend" "$HOUSEHOLDS"
    local token listed case
    token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"wijkteam@demo.eenplan.nl\",\"password\":\"$PASSWORD\"}" | jq -r .accessToken)
    listed=$(curl -sf "$BASE/api/v1/cases?limit=200" -H "Authorization: Bearer $token")
    case=$(jq -r '.items[-1].id' <<<"$listed")
    echo "$backend: the demo wijkteam member sees $(jq '.items | length' <<<"$listed") cases of $HOUSEHOLDS" >&2
    # Warm up caches and the connection pool.
    REQUESTS=2000 measure "$BASE/api/v1/cases/$case" "$token" >/dev/null

    local base rps p50 p99
    read -r base p50 p99 < <(measure "$BASE/health/live" "")
    row "$backend" "GET /health/live (ceiling)" "$base" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/cases/$case" "$token")
    row "$backend" "GET /api/v1/cases/{id}" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/cases" "$token")
    row "$backend" "GET /api/v1/cases (first page, 50)" "$rps" "$p50" "$p99" "$base"
    stop_server
}

header
case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [households]" >&2; exit 2 ;;
esac
