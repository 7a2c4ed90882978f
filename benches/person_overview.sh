#!/usr/bin/env bash
# The privacy officer's reads at the log's full size: who saw one person's data (GET
# /api/v1/audit/persons/{id}/overview) for a person named by `person_events` of `events` generated access-log events
# over a year (`eenplan demo-scale --audit-events`), and a day's suspicious-access scan (POST
# /api/v1/audit/findings/scan for one day), against the release build. The overview is measured with ApacheBench at
# concurrency 1 (its latency is the point: the person or their parent waits for it); the scan with curl, three times.
# Prints a Markdown table.
#
#   benches/person_overview.sh [sqlite|postgres|both] [events] [person-events]   (default: both 10000000 100000)
#
# Needs ab (Debian: apache2-utils), curl, jq, bc and python3; PostgreSQL at $PG_URL (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

BACKENDS=${1:-both}
EVENTS=${2:-10000000}
PERSON_EVENTS=${3:-100000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PASSWORD=bench-wachtwoord-2026
cd "$(dirname "$0")/.."
source benches/http_bench.sh
cargo build --release --quiet
BIN=target/release/eenplan

# The current TOTP code of a base32 secret (RFC 6238, SHA-1, 30 s, 6 digits).
totp() {
    python3 -c 'import base64,hmac,struct,sys,time
s=sys.argv[1]; k=base64.b32decode(s+"="*(-len(s)%8))
h=hmac.new(k,struct.pack(">Q",int(time.time())//30),"sha1").digest(); o=h[-1]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$1"
}

run_backend() {
    local backend=$1 started ended gen_seconds
    started=$(date +%s.%N)
    PREPARE="\"$BIN\" demo-scale --households 0 --audit-events $EVENTS --person-events $PERSON_EVENTS" \
        start_server "$backend" 0
    ended=$(date +%s.%N)
    gen_seconds=$(printf '%.0f' "$(echo "$ended - $started" | bc -l)")
    local officer="privacy_officer@demo.eenplan.nl" secret token person
    secret=$(jq -r ".[] | select(.email == \"$officer\") | .totpSecret" "$BENCH_DIR/demo-accounts.json")
    token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$officer\",\"password\":\"$PASSWORD\",\"totp\":\"$(totp "$secret")\"}" | jq -r .accessToken)
    person=$(grep -o 'naming person [0-9a-f-]*' "$BENCH_DIR/prepare.log" | awk '{print $3}')
    local accesses
    accesses=$(curl -sf "$BASE/api/v1/audit/persons/$person/overview" -H "Authorization: Bearer $token" | jq .accesses)
    echo "$backend: $EVENTS events generated in ${gen_seconds} s (with the demo); the person's overview counts $accesses accesses" >&2

    local base rps p50 p99
    read -r base p50 p99 < <(measure "$BASE/health/live" "")
    row "$backend" "GET /health/live (ceiling)" "$base" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(CONCURRENCY=1 REQUESTS=100 measure "$BASE/api/v1/audit/persons/$person/overview" "$token")
    row "$backend" "GET …/persons/{id}/overview ($accesses accesses, of $EVENTS)" "$rps" "$p50" "$p99" "$base"
    local day times=()
    day=$(date -u -d '-30 days' +%F)
    for _ in 1 2 3; do
        started=$(date +%s.%N)
        curl -sf -X POST "$BASE/api/v1/audit/findings/scan" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d "{\"from\":\"$day\",\"to\":\"$day\"}" >/dev/null
        ended=$(date +%s.%N)
        times+=("$(printf '%.2f' "$(echo "$ended - $started" | bc -l)")")
    done
    echo "| $backend | a day's suspicious-access scan (POST /api/v1/audit/findings/scan, $((EVENTS / 365)) events a day) | ${times[*]} s | | | |"
    stop_server
}

header
case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [events] [person-events]" >&2; exit 2 ;;
esac
