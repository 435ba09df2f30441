/* Stand-in for CUDA's cuda_fp8.h (see cuda_runtime.h here); CUDA 11.8+ defines the macro below. */
#define __CUDA_FP8_TYPES_EXIST__
