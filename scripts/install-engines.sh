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
# openssh-server: an sshd on loopback for the ssh:// tests.
# netavark: podman's bridge networking (normally only a Recommends). Recommends
# are installed on purpose: that is the set the engines were verified with.
PKGS=(docker.io busybox-static podman docker-registry openssl netavark openssh-server openssh-client)

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

if [ ! -x "$D26_BIN" ] || ! "$D26_BIN" --version 2>/dev/null | grep -q 'version 26\.'; then
  # Same mirror as the system's main Debian source, read at run time (deb822 or one-line format).
  mirror=$(
    { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
      grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -E 's/\[[^]]*\]//' | awk '{print $2}'
    } | grep -E '/debian/?$' | head -1
  ) || true
  [ -n "$mirror" ] || { echo "install-engines: no Debian mirror found in /etc/apt sources" >&2; exit 1; }
  work=/var/lib/aicli-trixie
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} trixie main" >"$work/trixie.list"
  # A private sources list, list dir and cache: the system's apt state never sees trixie.
  apt_t=(-o Dir::Etc::sourcelist="$work/trixie.list" -o Dir::Etc::sourceparts=-
         -o Dir::State::Lists="$work/lists" -o Dir::Cache::archives="$work/archives"
         -o APT::Get::List-Cleanup=0 -o Acquire::Languages=none -o APT::Sandbox::User=root)
  apt-get "${apt_t[@]}" update -q
  dl=$(mktemp -d)
  (cd "$dl" && apt-get "${apt_t[@]}" download docker.io)
  deb=$(ls "$dl"/docker.io_*.deb)
  rm -rf "$D26_ROOT.tmp" && mkdir -p "$D26_ROOT.tmp"
  dpkg-deb -x "$deb" "$D26_ROOT.tmp"
  rm -rf "$D26_ROOT" "$dl" && mv "$D26_ROOT.tmp" "$D26_ROOT"
fi

"$D26_BIN" --version | grep -q 'version 26\.' || { echo "install-engines: $D26_BIN is not Docker 26" >&2; exit 1; }
echo "install-engines: ok ($(/usr/sbin/dockerd --version); $("$D26_BIN" --version); $(podman --version))"
