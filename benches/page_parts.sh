#!/usr/bin/env bash
# Where the case page's time goes: each API read the page makes, measured alone through its route, beside the case
# page and the plan page, on one SQLite (or PostgreSQL) server (ab, 16 connections keep-alive, $REQUESTS requests each).
#
#   benches/page_parts.sh [sqlite|postgres] [households]     (default: sqlite 100000; REQUESTS=3000)
#
# Needs ab (Debian: apache2-utils), curl, jq and bc; PostgreSQL at $PG_URL (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

BACKEND=${1:-sqlite}
HOUSEHOLDS=${2:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PASSWORD=bench-wachtwoord-2026
REQUESTS=${REQUESTS:-3000}
cd "$(dirname "$0")/.."
source benches/http_bench.sh
cargo build --release --quiet
BIN=target/release/eenplan
export EENPLAN_WEB_SECURE_COOKIE=false

start_server "$BACKEND" "$HOUSEHOLDS"
token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"wijkteam@demo.eenplan.nl\",\"password\":\"$PASSWORD\"}" | jq -r .accessToken)
case=$(curl -sf "$BASE/api/v1/cases?limit=200" -H "Authorization: Bearer $token" \
    | jq -r '[.items[] | select(.state == "active")][0].id')
household=$(curl -sf "$BASE/api/v1/cases/$case" -H "Authorization: Bearer $token" | jq -r .householdId)
jar=$(mktemp)
form=$(curl -sf -c "$jar" "$BASE/aanmelden")
csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$form" | head -1 | cut -d'"' -f4)
curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode "email=wijkteam@demo.eenplan.nl" --data-urlencode "password=$PASSWORD" "$BASE/aanmelden"
cookie=$(awk '$6 == "eenplan" {print "eenplan=" $7}' "$jar")
rm -f "$jar"

header
read -r base p50 p99 < <(measure "$BASE/health/live" "")
row "$BACKEND" "GET /health/live (ceiling)" "$base" "$p50" "$p99" "$base"
for path in "/api/v1/cases/$case" "/api/v1/households/$household/members" "/api/v1/cases/$case/contacts" \
    "/api/v1/cases/$case/involvements" "/api/v1/cases/$case/regisseur" "/api/v1/break-glass/mine?caseId=$case" \
    "/api/v1/cases/$case/plans/current"; do
    read -r rps p50 p99 < <(measure "$BASE$path" "$token")
    row "$BACKEND" "GET ${path//$case/\{case\}}" "$rps" "$p50" "$p99" "$base"
done
for path in "/dossiers/$case" "/dossiers/$case/plan"; do
    read -r rps p50 p99 < <(measure "$BASE$path" "" "$cookie")
    row "$BACKEND" "GET ${path//$case/\{case\}} (page)" "$rps" "$p50" "$p99" "$base"
done
stop_server
