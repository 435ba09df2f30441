#!/bin/sh
# Builds the C baseline; NCCL is dlopen'ed at run time (--lib or NCCLFFM_SO_PATH), so no NCCL headers or link.
#   nccl_allreduce_bench      the separate-process baseline (nvcc)
#   libncclffm_c_loop.so      the in-process loop the Java perf mode interleaves with its own (NCCLFFM_PERF_C_LOOP)
set -e
cd "$(dirname "$0")"
${CC:-gcc} -O2 -shared -fPIC -Wl,-z,noexecstack -o libncclffm_c_loop.so ncclffm_c_loop.c
exec ${NVCC:-nvcc} -O2 ${NVCC_ARCH:--arch=sm_90} -o nccl_allreduce_bench nccl_allreduce_bench.cu -ldl "$@"
