#!/usr/bin/env bash
# The current plan with 10 goals and 30 actions: latency (p50, p99) and throughput of
# GET /api/v1/cases/{id}/plans/current as the regisseur (whole plan) and as an involved provider professional
# (projection: own actions and the goals they serve), against the release build, measured with ApacheBench (ab),
# with GET /health/live of the same server as the ceiling. Prints a Markdown table.
#
#   benches/plan_reads.sh [sqlite|postgres|both]     (default: both)
#
# Needs ab (Debian: apache2-utils), curl, jq and bc; PostgreSQL at $PG_URL (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

BACKENDS=${1:-both}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PASSWORD=bench-wachtwoord-2026
cd "$(dirname "$0")/.."
source benches/http_bench.sh
cargo build --release --quiet
BIN=target/release/eenplan

login() {
    curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1@demo.eenplan.nl\",\"password\":\"$PASSWORD\"}" | jq -r .accessToken
}

# 10 goals over ZRM domains; 30 actions, every third one owned by the provider.
plan_json() {
    local regisseur=$1 provider=$2
    jq -n --arg r "$regisseur" --arg p "$provider" '{content: {
        strengths: ["Moeder vraagt zelf om hulp", "Kinderen gaan graag naar school"],
        concerns: [{description: "Schulden", priority: "high"}],
        ownEfforts: ["Oma helpt met koken"],
        goals: [range(10) as $i | {id: "g\($i)", domain: (["financien","huisvesting","werk_opleiding","sociaal_netwerk","tijdsbesteding"][$i % 5]),
            description: "Doel \($i)", target: "Meetbaar resultaat \($i)", targetScore: 4, dueDate: "2027-06-01", status: "open"}],
        actions: [range(30) as $i | {id: "a\($i)", goalId: "g\($i % 10)", description: "Actie \($i)",
            owner: {kind: "professional", userId: (if $i % 3 == 0 then $p else $r end)}, dueDate: "2027-02-01"}],
        nextEvaluationDate: "2027-03-01"}}'
}

run_backend() {
    local backend=$1
    start_server "$backend"
    local rt pt case plans draft etag regisseur provider
    rt=$(login wijkteam)
    pt=$(login provider)
    regisseur=$(curl -sf "$BASE/api/v1/auth/me" -H "Authorization: Bearer $rt" | jq -r .id)
    provider=$(curl -sf "$BASE/api/v1/auth/me" -H "Authorization: Bearer $pt" | jq -r .id)
    # The demo case the wijkteam member directs and the provider works in.
    case=$(curl -sf "$BASE/api/v1/cases" -H "Authorization: Bearer $rt" | jq -r '.items[] | select(.state == "active") | .id')
    plans="$BASE/api/v1/cases/$case/plans"
    draft=$(curl -sf "$plans" -H "Authorization: Bearer $rt" | jq -r '[.[] | select(.status == "draft")][0].number // empty')
    if [ -z "$draft" ]; then
        draft=$(curl -sf -X POST "$plans" -H "Authorization: Bearer $rt" -H 'Content-Type: application/json' -d '{}' | jq -r .number)
    fi
    etag=$(curl -sf -D - -o /dev/null "$plans/$draft" -H "Authorization: Bearer $rt" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
    curl -sf -X PUT "$plans/$draft" -H "Authorization: Bearer $rt" -H 'Content-Type: application/json' -H "If-Match: $etag" \
        -d "$(plan_json "$regisseur" "$provider")" >/dev/null
    etag=$(curl -sf -D - -o /dev/null "$plans/$draft" -H "Authorization: Bearer $rt" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
    local member
    member=$(curl -sf "$BASE/api/v1/cases/$case" -H "Authorization: Bearer $rt" | jq -r .householdId)
    member=$(curl -sf "$BASE/api/v1/households/$member" -H "Authorization: Bearer $rt" | jq -r '.members[0].person.id')
    curl -sf -X POST "$plans/$draft/agree" -H "Authorization: Bearer $rt" -H 'Content-Type: application/json' -H "If-Match: $etag" \
        -d "{\"agreement\":{\"memberIds\":[\"$member\"],\"method\":\"paper\"}}" >/dev/null
    # The provider sees the plan only with a consent naming their organisation (the first member is an adult).
    local provider_org
    provider_org=$(curl -sf "$BASE/api/v1/auth/me" -H "Authorization: Bearer $pt" | jq -r .organisationId)
    curl -sf -X POST "$BASE/api/v1/consents" -H "Authorization: Bearer $rt" -H 'Content-Type: application/json' \
        -d "{\"caseId\":\"$case\",\"personId\":\"$member\",\"kind\":\"consent\",\"givenBy\":[{\"personId\":\"$member\",\"capacity\":\"self\"}],
             \"recipientOrganisationIds\":[\"$provider_org\"],\"categories\":[\"plan\"],\"purpose\":\"benchmark\",
             \"validFrom\":\"$(date -u +%F)\",\"validUntil\":\"$(date -u -d '+30 days' +%F)\"}" >/dev/null
    echo "$backend: regisseur sees $(curl -sf "$plans/current" -H "Authorization: Bearer $rt" | jq '.content.actions | length') actions," \
        "the provider $(curl -sf "$plans/current" -H "Authorization: Bearer $pt" | jq '.content.actions | length')" >&2
    REQUESTS=2000 measure "$plans/current" "$rt" >/dev/null

    local base rps p50 p99
    read -r base p50 p99 < <(measure "$BASE/health/live" "")
    row "$backend" "GET /health/live (ceiling)" "$base" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$plans/current" "$rt")
    row "$backend" "GET /cases/{id}/plans/current (regisseur, 10 goals, 30 actions)" "$rps" "$p50" "$p99" "$base"
    read -r rps p50 p99 < <(measure "$plans/current" "$pt")
    row "$backend" "GET /cases/{id}/plans/current (provider, own 10 actions)" "$rps" "$p50" "$p99" "$base"
    stop_server
}

header
case "$BACKENDS" in
    sqlite) run_backend sqlite ;;
    postgres) run_backend postgres ;;
    both) run_backend sqlite; run_backend postgres ;;
    *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
