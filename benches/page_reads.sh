#!/usr/bin/env bash
# The web client's case page and plan page, as the regisseur, against the JSON case read and the trivial endpoint of
# the same server in the same run: latency (p50, p99) and throughput with ApacheBench (keep-alive, 16 connections,
# 20,000 requests after 2,000 warm-up requests). Each page is a real one: session cookie resolved (user, roles,
# factor), the same access decisions and projections as the API, its audit event committed, HTML rendered.
#
#   benches/page_reads.sh [sqlite|postgres|both] [households]     (default: both 100000)
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
# Plain HTTP on loopback: the session cookie is `eenplan`, without Secure.
export EENPLAN_WEB_SECURE_COOKIE=false

# Signs in through the web form; prints the session cookie as name=value.
web_sign_in() {
    local jar form csrf
    jar=$(mktemp)
    form=$(curl -sf -c "$jar" "$BASE/aanmelden")
    csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$form" | head -1 | cut -d'"' -f4)
    curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=$1@demo.eenplan.nl" \
        --data-urlencode "password=$PASSWORD" "$BASE/aanmelden"
    awk '$6 == "eenplan" {print "eenplan=" $7}' "$jar"
    rm -f "$jar"
}

run_backend() {
    local backend=$1
    start_server "$backend" "$HOUSEHOLDS"
    local token cookie case
    token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"wijkteam@demo.eenplan.nl\",\"password\":\"$PASSWORD\"}" | jq -r .accessToken)
    cookie=$(web_sign_in wijkteam)
    [ -n "$cookie" ] || { echo "web sign-in failed" >&2; exit 1; }
    # The demo's active case, which the demo wijkteam member directs and which has an agreed plan.
    case=$(curl -sf "$BASE/api/v1/cases?limit=200" -H "Authorization: Bearer $token" \
        | jq -r '[.items[] | select(.state == "active")][0].id')
    REQUESTS=2000 measure "$BASE/dossiers/$case" "" "$cookie" >/dev/null
    REQUESTS=2000 measure "$BASE/api/v1/cases/$case" "$token" >/dev/null

    local base rps p50 p99
    read -r base p50 p99 < <(measure "$BASE/health/live" "")
    row "$backend" "GET /health/live (ceiling)" "$base" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/cases/$case" "$token")
    row "$backend" "GET /api/v1/cases/{id} (JSON)" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/dossiers/$case" "" "$cookie")
    row "$backend" "GET /dossiers/{id} (case page)" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/api/v1/cases/$case/plans/current" "$token")
    row "$backend" "GET /api/v1/cases/{id}/plans/current (JSON)" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$BASE/dossiers/$case/plan" "" "$cookie")
    row "$backend" "GET /dossiers/{id}/plan (plan page)" "$rps" "$p50" "$p99" "$base"
    stop_server
}

header
case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [households]" >&2; exit 2 ;;
esac
