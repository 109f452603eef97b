# Shared by the bench scripts (sourced after they `cd` to the repository's root).
#
#   scratch_binary NAME
#                builds the release binary unless SKIP_BUILD=1 (in $TARGET) and copies it into a
#                new scratch directory, so that another build cannot swap it mid-run; sets
#                SCRATCH and PACTA
#   free_port    prints a free TCP port on 127.0.0.1
#   stop_server  stops the server started in the background whose pid is $SERVER, if any
#   wait_quiet   waits, up to $QUIET_WAIT seconds (default 600), until no rustc, cargo or
#                chromium runs: the machine is shared, and a build or a browser test beside a
#                timed series would be measured with it

scratch_binary() {
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release -p pacta --bin pacta
  fi
  [ -x "$TARGET/release/pacta" ] || { echo "missing $TARGET/release/pacta" >&2; exit 1; }
  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-$1-bench.XXXXXX")
  PACTA=$SCRATCH/pacta
  cp "$TARGET/release/pacta" "$PACTA"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

stop_server() {
  if [ -n "${SERVER:-}" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
  fi
}

wait_quiet() {
  local waited=0
  while { [ "$(pgrep -f rustc | wc -l)" -gt 0 ] || pgrep -x cargo >/dev/null || pgrep -x chromium >/dev/null; } && [ "$waited" -lt "${QUIET_WAIT:-600}" ]; do
    [ "$waited" = 0 ] && echo "   (waiting for a build or a browser test to finish…)" >&2
    sleep 10
    waited=$((waited + 10))
  done
}
