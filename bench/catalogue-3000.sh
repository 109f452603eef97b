#!/usr/bin/env bash
# The catalogue page on a catalogue of 3,000 services (issue 7: it rendered every service on one
# page, 1.26 MB of HTML). Serves a generated catalogue (bench/gen-catalogue.py) with the release
# build and measures /en/catalogue: bytes (plain and gzip) and latency with one connection (wrk,
# median and p99), for page 1 and a middle page.
#
#   bench/catalogue-3000.sh [path/to/pacta] [path/to/baseline-pacta]
#
# With a second binary (e.g. one built from the commit before the change, see BENCHMARKS.md), the
# same figures are measured for it in the same run, on its own copy of the same catalogue.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
bin=${1:-target/release/pacta}
base=${2:-}
N=${N:-3000}
work=$(mktemp -d "${TMPDIR:-/tmp}/pacta-cat3000.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
python3 bench/gen-catalogue.py "$N" >"$work/catalogue.yaml"

# measure NAME BINARY: imports the catalogue into a fresh database, serves it and prints figures.
measure() {
  local name=$1 exe=$2 port url
  "$exe" --database-url "sqlite://$work/$name.db" catalogue import "$work/catalogue.yaml" >/dev/null
  port=$(free_port)
  RUST_LOG=warn "$exe" --database-url "sqlite://$work/$name.db" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  pids+=($!)
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
  for path in "/en/catalogue" "/en/catalogue?page=30"; do
    local status plain gz lat
    status=$(curl -s -o /dev/null -w '%{http_code}' "$url$path")
    [ "$status" = 200 ] || { echo "$name $path: HTTP $status (no such page)"; continue; }
    plain=$(curl -s "$url$path" -o /dev/null -w '%{size_download}')
    gz=$(curl -s -H 'Accept-Encoding: gzip' "$url$path" -o /dev/null -w '%{size_download}')
    lat=$(wrk -t1 -c1 -d5s --latency "$url$path" | awk '/ 50%/{m=$2} / 99%/{p=$2} END{print "median " m ", p99 " p}')
    echo "$name $path: $plain bytes, $gz gzip, $lat"
  done
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $N services"
measure new "$bin"
if [ -n "$base" ]; then
  measure baseline "$base"
fi
