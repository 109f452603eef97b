#!/usr/bin/env bash
# Times `pacta catalogue import` of a generated catalogue of 1,000 services (bench/gen-catalogue.py)
# into a fresh database, on SQLite and on PostgreSQL (127.0.0.1:5432), with the release build.
# Budget (issue 2): under 5 s on SQLite. Results are recorded in BENCHMARKS.md.
#
#   bench/import-1000.sh                 # 3 runs per backend, median reported
#   RUNS=5 N=1000 bench/import-1000.sh
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres bench/import-1000.sh   # the server to use
#   SKIP_POSTGRES=1 bench/import-1000.sh
#
# Each run imports into a new, empty database (the time includes creating the schema, as for a
# first import); a second import of the same file (every service `unchanged`) is timed too.
# Uses CARGO_TARGET_DIR when set; builds `cargo build --release -p pacta` unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-3}
N=${N:-1000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/import-1000
mkdir -p "$OUT"
export PGOPTIONS=${PGOPTIONS:---client-min-messages=warning}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
fi
PACTA=$TARGET/release/pacta
[ -x "$PACTA" ] || { echo "no release binary at $PACTA" >&2; exit 1; }

FILE=$OUT/catalogue-$N.yaml
python3 bench/gen-catalogue.py "$N" >"$FILE"
echo "catalogue: $FILE ($(grep -c '^  - code: GEN-' "$FILE") services, $(wc -c <"$FILE") bytes)"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-import-bench.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# seconds CMD...: runs CMD (output to the log), prints its wall time in seconds.
seconds() {
  local start=$EPOCHREALTIME
  "$@" >>"$OUT/import.log" 2>&1
  local end=$EPOCHREALTIME
  python3 -c "print(f'{$end - $start:.3f}')"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$OUT/import.log"
results=()

bench_backend() {
  local backend=$1 first=() again=() url
  for run in $(seq 1 "$RUNS"); do
    case $backend in
      sqlite) url="sqlite://$SCRATCH/import-$run.db" ;;
      postgres)
        local db="pacta_bench_import_${run}_$$"
        psql "$PG_URL" -q -v ON_ERROR_STOP=1 -c "drop database if exists $db" -c "create database $db" >/dev/null
        url="${PG_URL%/*}/$db"
        ;;
    esac
    first+=("$(seconds "$PACTA" --database-url "$url" catalogue import "$FILE")")
    again+=("$(seconds "$PACTA" --database-url "$url" catalogue import "$FILE")")
    local services
    services=$("$PACTA" --database-url "$url" catalogue export 2>>"$OUT/import.log" | grep -c '^  - code: GEN-' || true)
    [ "$services" = "$N" ] || { echo "$backend run $run: expected $N services after import, found $services" >&2; exit 1; }
    echo "$backend run $run: import into an empty database ${first[-1]} s, again (unchanged) ${again[-1]} s"
    if [ "$backend" = postgres ]; then
      psql "$PG_URL" -q -c "drop database if exists $db" >/dev/null
    fi
  done
  results+=("$(printf '%-9s first import: median %s s (runs: %s); re-import unchanged: median %s s (runs: %s)' \
    "$backend" "$(median "${first[@]}")" "${first[*]}" "$(median "${again[@]}")" "${again[*]}")")
}

bench_backend sqlite
if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    bench_backend postgres
  else
    echo "PostgreSQL is not answering on 127.0.0.1:5432: skipped (start it as .ci/run does)" >&2
  fi
fi

echo
echo "pacta catalogue import of $N services ($(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '  %s\n' "${results[@]}" | tee "$OUT/summary.txt"
