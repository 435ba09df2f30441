#!/usr/bin/env bash
# Runs N ranks of nccl_allreduce_bench on ONE GPU and collects each rank's stdout and stderr.
#
#   run-world.sh N OUTDIR [nccl_allreduce_bench options...]
#   e.g. run-world.sh 2 out/nccl-2.28.9 --lib /opt/nccl-2.28.9/lib/libnccl.so.2 --iters 20 --warmup 5
#
# Writes OUTDIR/rank<R>.jsonl (the JSON lines: one init line, then one line per size/placement/mode) and
# OUTDIR/rank<R>.log (stderr). Every rank measures the same collectives; rank 0's file is the one to report.
#
# Why the environment below: NCCL refuses two ranks of one communicator on the same GPU of the same host
# ("Duplicate GPU detected"). A distinct NCCL_HOSTID per rank makes each rank look like its own host, so NCCL
# connects them through the network transport; NCCL_SOCKET_IFNAME=lo keeps that on loopback and
# NCCL_IB_DISABLE=1 keeps it off any InfiniBand/RoCE device. Both can be overridden from the caller's
# environment; NCCL_HOSTID cannot (it must differ per rank). The Java perf mode must run with the same settings
# for the two to be comparable.
#
# BENCH_BIN overrides the binary (default: nccl_allreduce_bench next to this script). If any rank fails, the
# others are stopped, since they would otherwise wait for it until NCCL's own timeouts.
set -euo pipefail

if [ $# -lt 2 ]; then
    sed -n '2,5p' "$0" >&2
    exit 2
fi
world=$1
out=$2
shift 2
bin=${BENCH_BIN:-"$(cd "$(dirname "$0")" && pwd)/nccl_allreduce_bench"}
[ -x "$bin" ] || { echo "no executable $bin; run build.sh first or set BENCH_BIN" >&2; exit 2; }
mkdir -p "$out"

# NCCL_DEBUG prints to stdout unless NCCL_DEBUG_FILE says otherwise; keep stdout for the JSON lines and send
# NCCL's own log next to each rank's (%p: NCCL puts the rank's process id there, so ranks never share a file).
if [ -n "${NCCL_DEBUG:-}" ] && [ -z "${NCCL_DEBUG_FILE:-}" ]; then
    export NCCL_DEBUG_FILE="$out/nccl.%p.log"
fi

# A fresh rendezvous directory: a stale ID file from an earlier run would send ranks to a dead rank 0.
rendezvous=$(mktemp -d "${TMPDIR:-/tmp}/ncclffm-rdv.XXXXXX")
declare -A rank_of=()
cleanup() {
    for pid in "${!rank_of[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$rendezvous"
}
trap cleanup EXIT

# PER_GPU=1: one rank per GPU, NCCL's own intra-node transports, no NCCL_HOSTID trick. Rank r sees only GPU r
# (CUDA_VISIBLE_DEVICES=r), exactly as the harness places a per-rank cell's ranks, so the two compare like with like.
# PER_GPU=all: every rank sees every GPU and picks device r (what most launchers do; NCCL may then take other
# paths between processes, so it is not the baseline for the harness's per-rank cells).
# NVLink multicast stays off either way (NCCL_NVLS_ENABLE=0): on shared multi-GPU hosts it can take GPUs down.
for ((r = 0; r < world; r++)); do
    if [ "${PER_GPU:-0}" = 1 ]; then
        NCCL_NVLS_ENABLE=0 CUDA_VISIBLE_DEVICES="$r" "$bin" --rank "$r" --world "$world" --device 0 \
            --id-file "$rendezvous/id" "$@" >"$out/rank$r.jsonl" 2>"$out/rank$r.log" &
    elif [ "${PER_GPU:-0}" = all ]; then
        NCCL_NVLS_ENABLE=0 "$bin" --rank "$r" --world "$world" --device "$r" --id-file "$rendezvous/id" "$@" \
            >"$out/rank$r.jsonl" 2>"$out/rank$r.log" &
    else
        NCCL_NVLS_ENABLE=0 \
        NCCL_HOSTID="ncclffm-rank-$r" \
        NCCL_SOCKET_IFNAME="${NCCL_SOCKET_IFNAME:-lo}" \
        NCCL_IB_DISABLE="${NCCL_IB_DISABLE:-1}" \
            "$bin" --rank "$r" --world "$world" --id-file "$rendezvous/id" "$@" \
            >"$out/rank$r.jsonl" 2>"$out/rank$r.log" &
    fi
    rank_of[$!]=$r
done

status=0
while [ ${#rank_of[@]} -gt 0 ]; do
    finished=""
    rc=0
    wait -n -p finished "${!rank_of[@]}" || rc=$?
    r=${rank_of[$finished]}
    unset "rank_of[$finished]"
    if [ "$rc" -ne 0 ] && [ "$status" -eq 0 ]; then
        echo "rank $r exited with $rc; stopping the others. See $out/rank$r.log:" >&2
        tail -n 5 "$out/rank$r.log" >&2 || true
        status=1
        for pid in "${!rank_of[@]}"; do kill "$pid" 2>/dev/null || true; done
    fi
done
[ "$status" -eq 0 ] && echo "world of $world done: $out/rank0.jsonl" >&2
exit "$status"
