#!/usr/bin/env bash
# Installs the container engines the integration tests run against (as root,
# Debian 12). Idempotent: exits quickly when everything is already there.
#   - Docker 20.10 (API 1.41), podman, busybox-static, registry, openssl: Debian 12 packages.
#   - Docker 26.1 (API 1.45): only the dockerd binary of Debian 13's docker.io,
#     unpacked under /opt/aicli-engines/docker-26 (never installed with dpkg, so
#     the system stays pure Debian 12). It runs on Debian 12's containerd/runc.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

D26_ROOT=/opt/aicli-engines/docker-26
D26_BIN=$D26_ROOT/usr/sbin/dockerd
# Docker 28.5 (API 1.51): forky's docker.io, unpacked the same way; the tests start it with
# DOCKER_MIN_API_VERSION=1.44 so it refuses old clients as Docker 29 does.
D28_ROOT=/opt/aicli-engines/docker-28
D28_BIN=$D28_ROOT/usr/sbin/dockerd
# openssh-server: an sshd on loopback for the ssh:// tests.
# netavark: podman's bridge networking (normally only a Recommends). Recommends
# are installed on purpose: that is the set the engines were verified with.
# apache2-utils: htpasswd -B for the registry with basic auth; iproute2 and nftables: the
# network namespaces and packet counters of the egress and swarm tests.
PKGS=(docker.io busybox-static podman docker-registry openssl netavark openssh-server openssh-client
      apache2-utils iproute2 nftables)

need=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done

if ((${#need[@]})); then
  # Update the lists only when they are missing or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -q
  fi
  # policy-rc.d 101 keeps the postinst scripts from starting dockerd/registry
  # services we never use (and there is no systemd here anyway); we start our own.
  # Remove only the file we created.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  apt-get install -y -q "${need[@]}" || rc=$?
  if ((created_policy)); then rm -f /usr/sbin/policy-rc.d; fi
  if [ "${rc:-0}" != 0 ]; then echo "install-engines: apt-get install failed" >&2; exit "$rc"; fi
fi

# unpack_dockerd SUITE ROOT MAJOR: the dockerd of that Debian suite's docker.io, unpacked
# under ROOT (never installed with dpkg, so the system stays pure Debian 12). It runs on
# Debian 12's containerd and runc.
unpack_dockerd() {
  local suite=$1 root=$2 major=$3
  if [ -x "$root/usr/sbin/dockerd" ] && "$root/usr/sbin/dockerd" --version 2>/dev/null | grep -q "version $major\."; then return; fi
  # Same mirror as the system's main Debian source, read at run time (deb822 or one-line format).
  local mirror
  mirror=$(
    { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
      grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -E 's/\[[^]]*\]//' | awk '{print $2}'
    } | grep -E '/debian/?$' | head -1
  ) || true
  [ -n "$mirror" ] || { echo "install-engines: no Debian mirror found in /etc/apt sources" >&2; exit 1; }
  local work=/var/lib/aicli-$suite
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} $suite main" >"$work/$suite.list"
  # A private sources list, list dir and cache: the system's apt state never sees $suite.
  local apt_t=(-o Dir::Etc::sourcelist="$work/$suite.list" -o Dir::Etc::sourceparts=-
         -o Dir::State::Lists="$work/lists" -o Dir::Cache::archives="$work/archives"
         -o APT::Get::List-Cleanup=0 -o Acquire::Languages=none -o APT::Sandbox::User=root)
  apt-get "${apt_t[@]}" update -q
  local dl
  dl=$(mktemp -d)
  (cd "$dl" && apt-get "${apt_t[@]}" download docker.io)
  rm -rf "$root.tmp" && mkdir -p "$root.tmp"
  dpkg-deb -x "$(ls "$dl"/docker.io_*.deb)" "$root.tmp"
  rm -rf "$root" "$dl" && mv "$root.tmp" "$root"
  "$root/usr/sbin/dockerd" --version | grep -q "version $major\." || { echo "install-engines: $root/usr/sbin/dockerd is not Docker $major" >&2; exit 1; }
}

unpack_dockerd trixie "$D26_ROOT" 26
unpack_dockerd forky "$D28_ROOT" 28
echo "install-engines: ok ($(/usr/sbin/dockerd --version); $("$D26_BIN" --version); $("$D28_BIN" --version); $(podman --version))"
