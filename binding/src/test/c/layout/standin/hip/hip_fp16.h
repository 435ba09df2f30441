/* Stand-in for ROCm's hip/hip_fp16.h: rccl.h includes it but uses none of its types (see hip_runtime.h here). */
