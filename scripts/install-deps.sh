#!/usr/bin/env bash
# scripts/install-deps.sh — install the build and test dependencies of loop if any is missing.
# Runs apt-get only when something is missing; needs root for that.
set -euo pipefail

packages=(build-essential pkg-config postgresql-15 postgresql-contrib
          postgresql-server-dev-15 libpq-dev libcurl4-openssl-dev libjansson-dev python3 time)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
