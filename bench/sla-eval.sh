#!/usr/bin/env bash
# Times `pacta sla eval` on 100,000 deadline and elapsed lines over the built-in calendars and
# one YAML calendar, starts spread over 2020–2030 (issue 3 budget: under 1 s).
#
#   bench/sla-eval.sh            # builds the release binary with cargo, then times it
#   PACTA_BIN=path/to/pacta bench/sla-eval.sh
#
# Uses hyperfine when installed (apt-get install hyperfine), else bash's `time`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/sla-eval
mkdir -p "$out"
lines=${LINES_COUNT:-100000}

if [[ -z "${PACTA_BIN:-}" ]]; then
  cargo build --release -p pacta >&2
  PACTA_BIN="${CARGO_TARGET_DIR:-target}/release/pacta"
fi

cat > "$out/helpdesk.yaml" <<'YAML'
timezone: Europe/Brussels
slots:
  - { days: [mon, tue, wed, thu, fri], from: "08:00", to: "12:30" }
  - { days: [mon, tue, wed, thu, fri], from: "13:30", to: "18:00" }
  - { days: [sat], from: "09:00", to: "12:00" }
holidays: { sets: [be-federal], closed: [2026-12-24, 2026-12-31] }
YAML

python3 - "$out/input.jsonl" "$out/helpdesk.yaml" "$lines" <<'PY'
import json, random, sys
from datetime import datetime, timedelta, timezone
path, yaml_cal, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(20261128)
cals = ["24x7", "be-working-hours", yaml_cal]
lo = datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()
hi = datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp()
def instant(s):
    return datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(path, "w") as f:
    for i in range(n):
        cal = cals[i % 3]
        s = rng.randrange(int(lo), int(hi))
        if i % 2 == 0:
            d = rng.randrange(0, 200 * 3600)
            req = {"op": "deadline", "calendar": cal, "start": instant(s),
                   "duration": f"{d // 3600}h{d // 60 % 60}m{d % 60}s"}
            if i % 10 == 0:
                req["pauses"] = [{"start": instant(s + 3600), "end": instant(s + 7200)}]
        else:
            req = {"op": "elapsed", "calendar": cal, "from": instant(s),
                   "to": instant(s + rng.randrange(0, 60 * 86400))}
        f.write(json.dumps(req) + "\n")
PY

echo "input: $lines lines in $out/input.jsonl; binary: $PACTA_BIN" >&2
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 \
    "$PACTA_BIN sla eval < $out/input.jsonl > $out/answers.jsonl"
else
  time "$PACTA_BIN" sla eval < "$out/input.jsonl" > "$out/answers.jsonl"
fi
errors=$("$PACTA_BIN" sla eval < "$out/input.jsonl" | grep -c '"error"' || true)
echo "answers: $(wc -l < "$out/answers.jsonl"), errors: $errors" >&2
