/*
 * Stand-in for the CUDA toolkit's cuda_runtime.h, so that nccl.h compiles with plain gcc and no toolkit for
 * nccl_layout.c. nccl.h needs one CUDA type, cudaStream_t, which it only passes by value: an opaque pointer, as
 * in CUDA's driver_types.h. CUDART_VERSION claims CUDA 12.8, so that nccl.h takes the branches NVIDIA's own
 * packages are built with (cuda_bf16.h from 11.0, cuda_fp8.h from 11.8). The real header also brings the C
 * standard headers below.
 */
#ifndef NCCLFFM_STANDIN_CUDA_RUNTIME_H
#define NCCLFFM_STANDIN_CUDA_RUNTIME_H
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#define CUDART_VERSION 12080
typedef struct CUstream_st *cudaStream_t;
#endif
