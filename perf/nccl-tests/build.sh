#!/bin/sh
# Builds NVIDIA nccl-tests (all_reduce_perf, all_gather_perf, ...) without MPI, for Hopper (sm_90).
#   perf/nccl-tests/build.sh NCCL_HOME OUT [SRC]
# NCCL_HOME holds include/nccl.h and lib/libnccl.so; OUT receives the build (binaries in OUT/*_perf); SRC is an
# unpacked nccl-tests source tree (default: ./nccl-tests).
set -e
if [ $# -lt 2 ]; then
    echo "usage: $0 NCCL_HOME OUT [SRC]   (SRC: an unpacked NVIDIA/nccl-tests v2.x tree, default ./nccl-tests)" >&2
    exit 2
fi
nccl_home=$1
out=$2
src=${3:-nccl-tests}
[ -f "$nccl_home/include/nccl.h" ] || { echo "build.sh: $nccl_home/include/nccl.h does not exist (NCCL_HOME)" >&2; exit 2; }
[ -f "$src/src/Makefile" ] || { echo "build.sh: $src/src/Makefile does not exist; unpack nccl-tests there (perf/nccl-tests/README.md)" >&2; exit 2; }
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
exec make -C "$src/src" MPI=0 CUDA_HOME=${CUDA_HOME:-/usr/local/cuda} NCCL_HOME="$nccl_home" \
    NVCC_GENCODE=${NVCC_GENCODE:--gencode=arch=compute_90,code=sm_90} BUILDDIR="$out" -j"$(nproc)"
