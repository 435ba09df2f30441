#!/bin/sh
# Builds the C baseline; NCCL is dlopen'ed at run time (--lib or NCCLFFM_SO_PATH), so no NCCL headers or link.
cd "$(dirname "$0")" && exec ${NVCC:-nvcc} -O2 ${NVCC_ARCH:--arch=sm_90} -o nccl_allreduce_bench nccl_allreduce_bench.cu -ldl "$@"
