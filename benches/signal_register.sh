#!/usr/bin/env bash
# Registering a signal at scale: for each backend and each size, generate persons, households and active signals
# with `eenplan demo-scale --households S/4 --signals S` (two persons per household) on a fresh database, then measure
# the registration transaction (advisory lock, insert_and_match, audit event; benches/signal_register.rs) with 16
# workers and with 1. Prints one Markdown table; the bench's own lines go to standard error.
#
#   benches/signal_register.sh [sqlite|postgres|both] [signals ...]     (default: both 10000 100000 1000000)
#
# PostgreSQL at $PG_URL (default postgres://postgres@127.0.0.1:5432); the database eenplan_bench_signals is created
# fresh for each size and dropped afterwards. EENPLAN_BENCH_SECONDS (default 10) per measurement; WORKERS (default
# "16 1"). Before each measurement it waits (up to 3 minutes) for the 1-minute load to fall below MAX_LOAD (2.5).
set -euo pipefail

BACKENDS=${1:-both}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000 1000000)
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=eenplan_bench_signals
WORKERS=${WORKERS:-16 1}
MAX_LOAD=${MAX_LOAD:-2.5}
cd "$(dirname "$0")/.."
cargo build --release --quiet
# Built once: the measurements run these binaries, so nothing is recompiled between them.
BENCH_BIN=$(cargo bench --no-run --bench signal_register 2>&1 | grep -o 'target/release/deps/signal_register-[0-9a-f]*' | tail -1)
BIN=target/release/eenplan
export EENPLAN_LOG=warn EENPLAN_DEMO_PASSWORD=bench-wachtwoord-2026
unset EENPLAN_DATABASE_URL EENPLAN_BENCH_DATABASE_URL EENPLAN_BENCH_SQLITE
ROWS=()

load1() { cut -d' ' -f1 /proc/loadavg; }

wait_quiet() {
    local waited=0
    while [ "$(echo "$(load1) > $MAX_LOAD" | bc -l)" = 1 ] && [ $waited -lt 180 ]; do
        echo "load $(load1) above $MAX_LOAD: waiting" >&2
        sleep 15
        waited=$((waited + 15))
    done
}

# measure backend signals households: generate, then run the bench for each worker count.
measure() {
    local backend=$1 signals=$2 households=$3 dir started generated out load
    dir=$(mktemp -d)
    local target=(EENPLAN_DATA_DIR="$dir")
    local bench=(EENPLAN_BENCH_SQLITE="$dir/eenplan.db")
    if [ "$backend" = postgres ]; then
        psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
        target+=(EENPLAN_DATABASE_URL="$PG_URL/$PG_DB")
        bench=(EENPLAN_BENCH_DATABASE_URL="$PG_URL/$PG_DB")
    fi
    started=$(date +%s.%N)
    env "${target[@]}" "$BIN" demo-scale --households "$households" --signals "$signals" >&2
    generated=$(echo "$(date +%s.%N) - $started" | bc -l)
    for workers in $WORKERS; do
        wait_quiet
        load=$(load1)
        echo "$backend, $signals signals, $workers workers, load $load ($(uptime))" >&2
        out=$(env "${bench[@]}" EENPLAN_BENCH_CONCURRENCY="$workers" "$BENCH_BIN" --bench)
        grep -v '^row ' <<<"$out" >&2
        read -r _ rps p50 p99 share _ _ < <(grep '^row ' <<<"$out")
        ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s %% | %.0f | %s |' "$backend" "$signals" "$households" \
            "$workers" "$rps" "$p50" "$p99" "$share" "$generated" "$load")")
    done
    if [ "$backend" = postgres ]; then
        psql -q "$PG_URL/postgres" -c "DROP DATABASE $PG_DB WITH (FORCE)"
    fi
    rm -rf "$dir"
}

run_backend() {
    for signals in "${SIZES[@]}"; do
        measure "$1" "$signals" $((signals / 4))
    done
}

case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both] [signals ...]" >&2; exit 2 ;;
esac

echo "| backend | signals | households | workers | registrations/s | p50 ms | p99 ms | share with a match | generated in s | load (1 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
