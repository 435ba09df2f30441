/*
 * Stand-in for CUDA's cuda_bf16.h (see cuda_runtime.h here). nccl.h 2.10 to 2.23 declares ncclBfloat16 only
 * where the real header defines __CUDA_BF16_TYPES_EXIST__, as every CUDA 11+ toolkit does.
 */
#define __CUDA_BF16_TYPES_EXIST__
