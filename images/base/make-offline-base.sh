#!/usr/bin/env bash
# Makes the offline base image the Debian recipes start from, without any registry:
# debootstrap a minimal Debian, then `docker import` it.
#
#   images/base/make-offline-base.sh [SUITE] [IMAGE]      default: trixie ncclffm/base:trixie
#
# It keeps the mirror debootstrap uses by default; the recipes only change suites and components.
# Re-running is cheap: an existing image is kept unless FORCE=1.
set -euo pipefail
suite="${1:-trixie}"
image="${2:-ncclffm/base:${suite}}"

if [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image already present"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
root="$(mktemp -d /tmp/ncclffm-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "debootstrapping $suite into $root (about a minute)"
debootstrap --variant=minbase "$suite" "$root" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# Minimal images have no apt lists and no docs worth keeping.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$image" >/dev/null
echo "made $image"
