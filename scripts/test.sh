#!/usr/bin/env bash
# The project's one test command (`npm test`; `.ci/run` calls it). Works in a
# fresh clone on a fresh Debian 12 machine (as root): installs what is missing,
# type-checks and lints, starts real engines in a fresh state dir, runs unit and
# integration tests, checks that no test object leaked, and always stops the engines.
#   AICLI_SKIP_ENGINE_TESTS=1  run without engines (integration tests skipped, said so)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# npm writes node_modules/.package-lock.json on install: older than the lockfile = stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci
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

npm run check
# The CLI tests run the built bin/aicli-docker.js, as a user would.
npm run build

unit=$(find test/unit -name '*.test.ts' 2>/dev/null | sort)
integration=$(find test/integration -name '*.test.ts' 2>/dev/null | sort)

if [ "$skip_engines" = 1 ]; then
  echo "test.sh: AICLI_SKIP_ENGINE_TESTS=1: engines not started, $(printf '%s' "$integration" | grep -c . || true) integration test file(s) SKIPPED"
  integration=
else
  # A name only (mktemp -u): engines.js creates it and refuses an existing dir.
  state=$(mktemp -u /tmp/aicli-XXXXXX)
  trap 'node scripts/engines.js stop "$state" || echo "test.sh: WARNING: engine stop failed for $state" >&2' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! node scripts/engines.js start "$state" >/dev/null; then
    echo "test.sh: FAILED: the test engines did not start (see above)." >&2
    echo "test.sh: set AICLI_SKIP_ENGINE_TESTS=1 to run without engine tests, explicitly." >&2
    exit 1
  fi
  export AICLI_TEST_ENGINES=$state/engines.json
fi

# Node 20's --test takes no globs: pass the files themselves.
mapfile -t files < <(printf '%s\n%s\n' "$unit" "$integration" | grep . || true)
rc=0
if ((${#files[@]})); then
  node --import tsx --test --test-concurrency=1 --test-timeout=120000 "${files[@]}" || rc=$?
else
  echo "test.sh: no test files under test/unit or test/integration"
  echo "0 passed, 0 failed"
fi

if [ "$skip_engines" != 1 ]; then
  node scripts/leak-check.js "$AICLI_TEST_ENGINES" || { [ "$rc" != 0 ] || rc=1; }
fi
exit "$rc"
