/* Stand-in for CUDA's cuda_fp16.h: nccl.h includes it but uses none of its types (see cuda_runtime.h here). */
