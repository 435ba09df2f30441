package io.ncclffm.harness.perf.judge;

import io.ncclffm.harness.protocol.Source;

/**
 * What one communicator cost to make, per release: the wall time of its init and the device memory it took, as rank 0
 * of a perf cell measured it.
 *
 * @param library     e.g. {@code NCCL 2.28.3}
 * @param source      {@code java} (the worker's comm-init check: free device memory across the init call) or
 *                    {@code c} (nccl_allreduce_bench: free memory from when every rank has its context and buffers
 *                    until after the first allReduce, so NCCL's lazy allocations are in)
 * @param world       ranks in the communicator
 * @param initMillis  wall time of the init call
 * @param memoryBytes drop of the device's free memory; device-wide, so ranks sharing one GPU count together
 */
public record InitPoint(String library, Source source, int world, double initMillis, long memoryBytes) {
}
