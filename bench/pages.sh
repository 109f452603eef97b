#!/usr/bin/env bash
# Catalogue pages (issue 4): fiche latency with one connection (median ≈ server-side render time
# plus loopback HTTP), pages/s with wrk, and the first-load size (HTML + CSS + JS, gzip).
#   bench/pages.sh [path/to/pacta]   (default target/release/pacta; build it with
#   cargo build --release -p pacta)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/pacta}
work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
PACTA_DATABASE_URL="sqlite://$work/pacta.db?mode=rwc" RUST_LOG=warn "$bin" serve --demo --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
fiche="$url/en/services/MAIL-AGENDA"
echo "== fiche, 1 connection (latency percentiles)"
wrk -t1 -c1 -d5s --latency "$fiche" | sed -n '/Latency Distribution/,/99%/p'
echo "== fiche, 2 threads, 32 connections"
wrk -t2 -c32 -d10s "$fiche" | grep -E 'Requests/sec|Latency'
echo "== catalogue list, 2 threads, 32 connections"
wrk -t2 -c32 -d10s "$url/en/catalogue" | grep -E 'Requests/sec'
echo "== first load of the fiche (gzip bytes)"
html=$(curl -s -H 'Accept-Encoding: gzip' "$fiche" -o /tmp/pacta-fiche.gz -w '%{size_download}')
page=$(curl -s "$fiche")
css=$(echo "$page" | grep -o '/static/pacta\.[0-9a-f]*\.css' | head -1)
js=$(echo "$page" | grep -o '/static/htmx\.[0-9a-f]*\.js' | head -1)
csz=$(curl -s -H 'Accept-Encoding: gzip' "$url$css" -o /dev/null -w '%{size_download}')
jsz=$(curl -s -H 'Accept-Encoding: gzip' "$url$js" -o /dev/null -w '%{size_download}')
echo "html $html  css $csz  js $jsz  total $((html + csz + jsz))"
