#!/usr/bin/env bash
# `npm start`: the newcomer's one command. Installs the package's dependencies, builds,
# and runs `aicli-docker status` and `info` against the engine the docker CLI would use.
# When no engine answers and this machine has none running, it installs Debian's
# docker.io (as root) and starts dockerd on the default socket, then tries again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# Build only when something the build reads is newer than its last output (the CLI
# bundle's entry, written last). find lists folders too: a deleted file counts.
built=dist/cli-bundle/run.js
if [ ! -f "$built" ] || [ -n "$(find src scripts/bundle-cli.js scripts/direct-imports.js tsconfig.json tsconfig.build.json package.json package-lock.json -newer "$built" -print -quit)" ]; then
  npm run --silent build
fi

cli() { node bin/aicli-docker.js "$@"; }

rc=0
cli status >/dev/null 2>&1 || rc=$?
if [ "$rc" = 69 ] && [ -z "${DOCKER_HOST:-}" ] && [ -z "${DOCKER_CONTEXT:-}" ] && [ ! -S /var/run/docker.sock ]; then
  echo "quickstart: no Docker engine is reachable; starting one on /var/run/docker.sock" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "quickstart: installing and starting dockerd needs root: run 'sudo npm start', or start Docker yourself." >&2
    exit 69
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  # Prefer the service manager; a container or CI machine without one gets dockerd directly.
  if ! { command -v systemctl >/dev/null 2>&1 && systemctl start docker 2>/dev/null; }; then
    log=/var/log/aicli-dockerd.log
    nohup dockerd >"$log" 2>&1 &
    echo "quickstart: dockerd started (pid $!, log $log); stop it with: kill $!" >&2
  fi
  for _ in $(seq 1 60); do
    [ -S /var/run/docker.sock ] && cli status --timeout 2s >/dev/null 2>&1 && break
    sleep 0.5
  done
fi

cli status
echo
cli info
