#!/usr/bin/env bash
# Makes the Slurm kit for a GPU host that has no network, no Docker and no Slurm (Ubuntu 24.04, glibc 2.39):
# Debian trixie's Slurm 24.11 daemons, client commands and plugins from the images/slurm image, with every library
# they need beyond glibc, as one tar.xz. Run it where Docker and the image are (the build machine):
#
#   images/slurm/gpu-host/make-kit.sh [OUT]        default OUT: target/ncclffm-slurm-kit.tar.xz
#
# It refuses a kit whose binaries or libraries need a glibc newer than MAX_GLIBC (the GPU host's 2.39). start.sh,
# carried beside it, brings slurmctld and slurmd up on that host; docs/slurm.md says how.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out="${1:-target/ncclffm-slurm-kit.tar.xz}"
max_glibc="${MAX_GLIBC:-2.39}"
image="$(docker images --format '{{.Repository}}:{{.Tag}}' --filter label=ncclffm.kit.source=slurm | head -1)"
if [[ -z "$image" ]]; then
  # The image the tests build (ncclffm/slurm:<hash>); build it here the same way if none is present.
  image="ncclffm/slurm:kit"
  docker build -q --label ncclffm.kit.source=slurm -t "$image" images/slurm >/dev/null
fi
mkdir -p "$(dirname "$out")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The kit's layout: bin/ (srun, sinfo, squeue, scancel, scontrol), sbin/ (slurmctld, slurmd, slurmstepd),
# lib/ (libslurmfull and every non-glibc library the binaries and plugins load), lib/slurm-wlm/ (the plugins).
docker run --rm --label ncclffm.kit=slurm --entrypoint sh -v "$work:/kit" "$image" -c '
  set -eu
  mkdir -p /kit/root/bin /kit/root/sbin /kit/root/lib/slurm-wlm
  cp /usr/bin/srun /usr/bin/sinfo /usr/bin/squeue /usr/bin/scancel /usr/bin/scontrol /kit/root/bin/
  cp /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/slurmstepd /kit/root/sbin/
  cp -a /usr/lib/x86_64-linux-gnu/slurm-wlm/. /kit/root/lib/slurm-wlm/
  for f in /kit/root/bin/* /kit/root/sbin/* /kit/root/lib/slurm-wlm/*.so; do ldd "$f" 2>/dev/null; done \
    | awk "/=> \// {print \$3}" | sort -u | while read -r lib; do
      case "$(basename "$lib")" in libc.so.*|libm.so.*|libresolv.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) continue ;; esac
      cp -L "$lib" /kit/root/lib/
    done
  for f in /kit/root/bin/* /kit/root/sbin/* /kit/root/lib/*.so* /kit/root/lib/slurm-wlm/*.so; do grep -ao "GLIBC_2\.[0-9]*" "$f" || true; done \
    | sort -t. -k2 -n -u | tail -1 >/kit/max-glibc
  chown -R '"$(id -u):$(id -g)"' /kit'
need="$(sed 's/GLIBC_//' "$work/max-glibc")"
if [[ "$(printf '%s\n%s\n' "$need" "$max_glibc" | sort -V | tail -1)" != "$max_glibc" ]]; then
  echo "the kit needs glibc $need, newer than the GPU host's $max_glibc" >&2
  exit 1
fi
cp images/slurm/gpu-host/start.sh "$work/root/start.sh"
tar -C "$work/root" -cJf "$out" .
echo "made $out ($(du -h "$out" | cut -f1); needs glibc $need)"
