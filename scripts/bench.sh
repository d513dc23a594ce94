#!/usr/bin/env bash
# The load benchmark: the real release server on SQLite and on PostgreSQL,
# driven by wrk (2 threads, 32 connections) through the real API only.
#
#   scripts/bench.sh                       # both backends
#   BENCH_BACKENDS=sqlite scripts/bench.sh # one
#
# For each backend: the cheapest route (GET /api/auth/config), the consent
# decision (which mints the codes), the code exchange (which mints the
# tokens), refresh with rotation, and introspection — the exchange and the
# refresh twice, on a fresh store and again after 60,000 more grants. Every
# answer is checked (a 2xx without tokens, or `"active": false`, is an
# error). Then a burst of 32 simultaneous first authentications of one new
# client and one of 32 sign-ins, and the server's peak RSS (VmHWM).
#
# Rates are printed as ratios of the cheapest route in the same run: the
# machine's speed cancels out. Settings: BENCH_DURATION (seconds per test,
# default 10), BENCH_EXCHANGE_SECONDS (the exchange and refresh, default 3),
# BENCH_PG_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-10}
# The code exchange needs one pre-minted code per request, so its window is
# short and the codes are minted for up to CODE_RATE exchanges a second.
EXCHANGE_SECONDS=${BENCH_EXCHANGE_SECONDS:-3}
CODE_RATE=${BENCH_CODE_RATE:-12000}
BACKENDS=${BENCH_BACKENDS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
LARGE_GRANTS=60000
CONNECTIONS=32
THREADS=2
REDIRECT=http://localhost:9/callback
VERIFIER=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk
CHALLENGE=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
say() { printf '==> %s\n' "$*" >&2; }

for tool in wrk curl python3; do
  if ! command -v "$tool" >/dev/null; then
    say "apt-get install -y $tool"
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
  fi
done

say "cargo build --release (api, oauth-admin)"
cargo build --release -q -p api --bin api -p admin --bin oauth-admin
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
API="$TARGET_DIR/release/api"
ADMIN="$TARGET_DIR/release/oauth-admin"

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  if [ -n "${PG_SCHEMA:-}" ]; then psql -q "$PG_URL" -c "drop schema if exists $PG_SCHEMA cascade" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

start_server() {
  local url=$1
  # shellcheck disable=SC2086 # BENCH_SERVER_ARGS are words on purpose
  "$API" --bind 127.0.0.1:0 --database-url "$url" --log-level warn \
    --dist-dir "$WORK/no-dist" ${BENCH_SERVER_ARGS:-} >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    BASE=$(sed -n 's/^listening on \(http:.*\)$/\1/p' "$WORK/server.out")
    [ -n "$BASE" ] && return 0
    sleep 0.1
  done
  cat "$WORK/server.err" >&2
  echo "error: the server did not start" >&2
  exit 1
}

# Runs one wrk test; prints its RESULT fields. $1 name, $2 script, $3 path,
# $4 seconds, $5 directory for the script's files.
run() {
  BENCH_NAME=$1 BENCH_LUA="$ROOT/scripts/bench" BENCH_DIR=$5 \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4"s --timeout 5s -s "$ROOT/scripts/bench/$2.lua" "$BASE$3" \
    | sed -n 's/^RESULT [^ ]* //p'
}

# Mints codes through the consent decision until $2 holds at least $1.
mint() {
  local want=$1 dir=$2 have
  while :; do
    have=$( (cat "$dir"/codes-*.txt 2>/dev/null || true) | wc -l)
    [ "$have" -ge "$want" ] && return 0
    run mint consent /api/oauth/authorize 5 "$dir" >/dev/null
  done
}

count_grants() {
  DATABASE_URL=$1 "$ADMIN" show-app "$CLIENT_ID" --json | json '["usage"]["grants"]'
}

report() {
  # name requests seconds p50 p99 bad timeouts socket ran_out
  local name=$1 requests=$2 seconds=$3 p50=$4 p99=$5 bad=$6 timeouts=$7 socket=$8 ran_out=$9
  local rps
  rps=$(python3 -c "print(round($requests / $seconds))")
  [ "$name" = "cheapest route" ] && CHEAPEST=$rps
  local ratio
  ratio=$(python3 -c "print(f'{100 * $rps / $CHEAPEST:.1f} %')")
  local note=""
  [ "$ran_out" -gt 0 ] && note=" (ran out of pre-minted inputs: $ran_out requests)"
  printf '| %s | %s | %s | %s | %s | %s | %s |%s\n' "$name" "$rps" "$p50" "$p99" "$((bad + socket))" "$timeouts" "$ratio" "$note" >>"$WORK/table"
}

# "32 × 200" style summary of the statuses in a file.
tally() {
  sort "$1" | uniq -c | awk '{printf "%s%s × %s", (NR > 1 ? ", " : ""), $1, $2}'
}

burst() {
  # 32 simultaneous first authentications of one new client (its secret not
  # yet verified by this process), then 32 simultaneous sign-ins.
  local app secret basic user
  app=$(DATABASE_URL=$1 "$ADMIN" generate-app --name Burst --redirect-uris "$REDIRECT" --scopes 1 --apply --json)
  secret=$(echo "$app" | json '["client_secret"]')
  basic=$(printf '%s:%s' "$(echo "$app" | json '["client_id"]')" "$secret" | base64 -w0)
  : >"$WORK/burst.cfg"
  for i in $(seq 32); do
    [ "$i" -gt 1 ] && echo next >>"$WORK/burst.cfg"
    printf 'url = "%s/api/oauth/introspect"\nheader = "Authorization: Basic %s"\ndata = "token=agpt_xt_none"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$BASE" "$basic" >>"$WORK/burst.cfg"
  done
  curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 32 -K "$WORK/burst.cfg" >"$WORK/burst.codes"
  user="burst-$RANDOM@example.com"
  curl -s -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"$user\",\"password\":\"correct horse battery\"}" "$BASE/api/auth/signup"
  : >"$WORK/login.cfg"
  for i in $(seq 32); do
    [ "$i" -gt 1 ] && echo next >>"$WORK/login.cfg"
    printf 'url = "%s/api/auth/login"\nheader = "Content-Type: application/json"\ndata = "{\\"email\\":\\"%s\\",\\"password\\":\\"correct horse battery\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$BASE" "$user" >>"$WORK/login.cfg"
  done
  curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 32 -K "$WORK/login.cfg" >"$WORK/login.codes"
  echo "32 first authentications of one client: $(tally "$WORK/burst.codes"); 32 sign-ins: $(tally "$WORK/login.codes")."
}

bench_backend() {
  local backend=$1 url
  case $backend in
    sqlite) url="sqlite://$WORK/sqlite/bench.db?mode=rwc" ;;
    postgres)
      PG_SCHEMA="bench_$$"
      psql -q "$PG_URL" -c "drop schema if exists $PG_SCHEMA cascade; create schema $PG_SCHEMA" >/dev/null
      url="$PG_URL?options=-c%20search_path%3D$PG_SCHEMA" ;;
  esac
  say "$backend: starting the server"
  start_server "$url"
  local app
  app=$(DATABASE_URL=$url "$ADMIN" generate-app --name Bench --redirect-uris "$REDIRECT" --scopes 1,2 --apply --json)
  CLIENT_ID=$(echo "$app" | json '["client_id"]')
  local secret basic
  secret=$(echo "$app" | json '["client_secret"]')
  basic="Basic $(printf '%s:%s' "$CLIENT_ID" "$secret" | base64 -w0)"
  local cookie
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"correct horse battery"}' "$BASE/api/auth/signup" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
  # The client's secret passes scrypt once, as in any long-running deployment.
  curl -s -o /dev/null -H "Authorization: $basic" -d token=x "$BASE/api/oauth/introspect"
  export BENCH_BASIC=$basic BENCH_COOKIE=$cookie BENCH_VERIFIER=$VERIFIER
  export BENCH_REDIRECT_ENC=$(python3 -c "import urllib.parse; print(urllib.parse.quote('$REDIRECT', safe=''))")
  export BENCH_AUTHORIZE_BODY="{\"client_id\":\"$CLIENT_ID\",\"redirect_uri\":\"$REDIRECT\",\"scope\":\"EXECUTE_GRAPH READ_GRAPH\",\"state\":\"bench\",\"code_challenge\":\"$CHALLENGE\",\"code_challenge_method\":\"S256\",\"response_type\":\"code\",\"decision\":\"approve\"}"

  : >"$WORK/table"
  local fresh="$WORK/$backend-fresh" large="$WORK/$backend-large"
  mkdir -p "$fresh" "$large"
  say "$backend: cheapest route"
  report "cheapest route" $(run cheapest cheapest /api/auth/config "$DURATION" "$fresh")
  say "$backend: consent decision"
  report "consent decision" $(run consent consent /api/oauth/authorize "$DURATION" "$fresh")
  local codes=$((CODE_RATE * EXCHANGE_SECONDS))
  mint "$codes" "$fresh"
  local grants
  grants=$(count_grants "$url")
  say "$backend: code exchange ($grants grants)"
  report "code exchange, $grants grants" $(run exchange exchange /api/oauth/token "$EXCHANGE_SECONDS" "$fresh")
  say "$backend: refresh"
  report "refresh with rotation, $grants grants" $(run refresh refresh /api/oauth/token "$EXCHANGE_SECONDS" "$fresh")
  say "$backend: introspection"
  report "introspection" $(run introspect introspect /api/oauth/introspect "$DURATION" "$fresh")
  say "$backend: $LARGE_GRANTS more grants"
  mint "$(( LARGE_GRANTS > codes ? LARGE_GRANTS : codes ))" "$large"
  grants=$(count_grants "$url")
  say "$backend: code exchange and refresh again ($grants grants)"
  report "code exchange, $grants grants" $(run exchange exchange /api/oauth/token "$EXCHANGE_SECONDS" "$large")
  report "refresh with rotation, $grants grants" $(run refresh refresh /api/oauth/token "$EXCHANGE_SECONDS" "$large")
  say "$backend: bursts"
  local bursts
  bursts=$(burst "$url")
  local hwm
  hwm=$(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  if grep -qE ' ERROR ' "$WORK/server.err"; then
    say "$backend: the server logged errors:"; grep -E ' ERROR ' "$WORK/server.err" | head -5 >&2
  fi
  {
    echo
    echo "### $backend"
    echo
    echo "| test | req/s | p50 ms | p99 ms | errors | timeouts | ratio to cheapest |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    cat "$WORK/table"
    echo
    echo "Peak RSS (VmHWM) over the whole run, bursts included: $hwm. Bursts: $bursts"
  } >>"$WORK/report"
}

: >"$WORK/report"
for backend in $BACKENDS; do
  bench_backend "$backend"
done
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s per test (${EXCHANGE_SECONDS}s exchange and refresh)."
cat "$WORK/report"
