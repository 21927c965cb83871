#!/usr/bin/env bash
# `npm run bench`: ping latency, 64-way throughput (this client vs a bare undici Pool)
# and CLI start-up, against ONE engine, with PASS/MISS per goal and a final
# `BENCH_JSON {...}` line on stdout. Works in a fresh clone (as root, like npm test).
#   AICLI_BENCH_HOST=unix:///path/docker.sock  use that engine (unix:// or plain tcp://)
#   otherwise: a private docker20 engine in a fresh state dir, always stopped on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Set-up output goes to stderr: stdout carries only the bench's table and JSON line.
# npm writes node_modules/.package-lock.json on install: older than the lockfile = stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci >&2
fi
npm run build >&2

host=${AICLI_BENCH_HOST:-}
if [ -z "$host" ]; then
  # engines.js start wants all of these, not only dockerd.
  for bin in /usr/sbin/dockerd /opt/aicli-engines/docker-26/usr/sbin/dockerd /usr/bin/podman /usr/bin/docker-registry /usr/bin/openssl /usr/sbin/sshd; do
    if [ ! -x "$bin" ]; then
      echo "bench.sh: $bin missing: running scripts/install-engines.sh" >&2
      bash scripts/install-engines.sh >&2
      break
    fi
  done
  # A name only (mktemp -u): engines.js creates it and refuses an existing dir.
  state=$(mktemp -u /tmp/aicli-bench-XXXXXX)
  trap 'node scripts/engines.js stop "$state" || echo "bench.sh: WARNING: engine stop failed for $state" >&2' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! node scripts/engines.js start "$state" >/dev/null; then
    echo "bench.sh: FAILED: the bench engine did not start (see above)." >&2
    exit 1
  fi
  host=$(node -e '
    const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).engines.find((x) => x.name === "docker20");
    if (!e) { console.error("bench.sh: no docker20 engine in " + process.argv[1]); process.exit(1); }
    console.log(e.host);' "$state/engines.json")
fi

# Extra arguments go to the bench: `npm run bench -- --only swarm-create,swarm-ls`.
node --import tsx bench/run.ts "$host" "$@"
