#!/usr/bin/env bash
# The procescoördinator's queue at municipal size: the daily scan's time for every open case, then latency (p50,
# p99) and throughput of GET /api/v1/escalations/queue (whole, by reason, by team) against the release build,
# measured with ApacheBench (ab), with a trivial endpoint of the same server (GET /health/live) as the ceiling.
# Generated cases (`eenplan demo-scale`) have a regisseur and no plan; one in 20 was opened long ago and is stuck for
# want of an agreed plan. Prints a Markdown table.
#
#   benches/escalation_queue.sh [sqlite|postgres|both] [households]     (default: both 100000)
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
    # The server's first scheduler run would scan; time the scan here instead, before the server starts (it then
    # finds today's scan done).
    SCAN_BEFORE_SERVE=1 start_server "$backend" "$HOUSEHOLDS"
    local token queue team
    token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"procescoordinator@demo.eenplan.nl\",\"password\":\"$PASSWORD\"}" | jq -r .accessToken)
    queue=$(curl -sf "$BASE/api/v1/escalations/queue" -H "Authorization: Bearer $token")
    team=$(jq -r '.cases[0].teamId' <<<"$queue")
    echo "$backend: $(jq .total <<<"$queue") stuck of $HOUSEHOLDS generated cases; scan: $SCAN_REPORT in $SCAN_SECONDS s" >&2
    REQUESTS=2000 measure "$BASE/api/v1/escalations/queue" "$token" >/dev/null

    local base rps p50 p99
    read -r base p50 p99 < <(measure "$BASE/health/live" "")
    row "$backend" "GET /health/live (ceiling)" "$base" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/escalations/queue" "$token")
    row "$backend" "GET /api/v1/escalations/queue (200 rows)" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/escalations/queue?reason=no_agreed_plan" "$token")
    row "$backend" "… ?reason=no_agreed_plan" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/escalations/queue?team=$team" "$token")
    row "$backend" "… ?team={id}" "$rps" "$p50" "$p99" "$base"
    echo "| $backend | daily scan of every open case (\`eenplan jobs run\`) | $SCAN_SECONDS s | | | |"
    stop_server
}

header
case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [households]" >&2; exit 2 ;;
esac
