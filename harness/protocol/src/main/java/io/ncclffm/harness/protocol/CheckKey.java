package io.ncclffm.harness.protocol;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * What one check checks, as typed values: the worker picks the check's body by its key, and {@link CheckCatalog}
 * derives the check's id, group, params and requirements from it. The types are sealed, so that a switch over keys
 * that leaves one out does not compile.
 */
public sealed interface CheckKey {

    /** Checks of the loaded library alone, with no communicator. */
    enum Library implements CheckKey {
        /** Loading the library; reported by every rank, in either mode, before anything else. */
        LOAD,
        /** The version and flavor the library reports, against the cell's. */
        VERSION,
        /** {@code ncclGetErrorString} for every result code. */
        ERROR_STRINGS
    }

    /** The communicator's life cycle. */
    enum Lifecycle implements CheckKey {
        /** Rank 0 makes the unique ID and serves it; the other ranks fetch it. */
        UNIQUE_ID,
        /** The rank's communicator forms, on the rank's device, with the right rank and size. */
        INIT,
        /** On a cell without a GPU, init fails cleanly with NCCL's own words. */
        INIT_WITHOUT_GPU,
        /** Rank 0: an init whose peer never comes is aborted within its timeout. */
        ABORT_HUNG_INIT,
        /** The communicator is finalized and destroyed, by every rank. */
        DESTROY
    }

    /** A check that runs on the rank's one communicator, which every such check shares. */
    sealed interface OnCommunicator extends CheckKey {
    }

    /** Where an allReduce writes its result. */
    enum Placement {
        OUT_OF_PLACE("out-of-place"), IN_PLACE("in-place");

        private final String label;

        Placement(String label) {
            this.label = label;
        }

        /** As ids and params spell it. */
        public String label() {
            return label;
        }
    }

    /** allReduce of {@code count} elements per rank. */
    record AllReduce(DataType type, ReduceOp op, int count, Placement placement) implements OnCommunicator {
    }

    /** allReduce captured once into a CUDA graph and replayed with new inputs. */
    record GraphAllReduce(DataType type, ReduceOp op, int count) implements OnCommunicator {
    }

    /** The collectives besides allReduce, at {@link CheckCatalog#COLLECTIVE_COUNT} elements. */
    sealed interface Collective extends OnCommunicator {
        DataType type();
    }

    record Broadcast(DataType type) implements Collective {
    }

    record AllGather(DataType type) implements Collective {
    }

    /** A ring: each rank sends to the next and receives from the previous. */
    record SendRecv(DataType type) implements Collective {
    }

    record AllToAll(DataType type) implements Collective {
    }

    record Reduce(DataType type, ReduceOp op) implements Collective {
    }

    record ReduceScatter(DataType type, ReduceOp op) implements Collective {
    }

    /** What users of the binding rely on beyond single collectives ({@link CheckGroup#FEATURES}). */
    enum UserFeature implements OnCommunicator {
        /** One float32 element summed over every rank: the first collective a user of a broken build runs. */
        SELF_TEST,
        /** A communicator split by rank parity. */
        SPLIT_PARITY,
        /** allReduce on NCCL-allocated, registered buffers. */
        REGISTERED_BUFFERS,
        /** allReduce on symmetric windows. */
        SYMMETRIC_WINDOW,
        /** allgatherv built from grouped broadcasts. */
        ALLGATHERV,
        /** reduce-scatterv built from grouped reduces. */
        REDUCESCATTERV,
        /** One group of sends and receives to every peer. */
        SENDRECV_ALL_PEERS,
        GATHER,
        SCATTER,
        /** {@code ncclCommQueryProperties}: rank, nRanks and device as the cell set them up. */
        PROPERTIES,
        /** {@code ncclCommSuspend}/{@code ncclCommResume}: memory released and regained, collectives still right. */
        SUSPEND_RESUME,
        /** Abort while a CUDA graph that captured the communicator is alive. */
        ABORT_WITH_LIVE_GRAPH,
        /** Every rank signals every rank (itself included) with ncclSignal, then waits for them all (NCCL 2.29.2). */
        SIGNAL_ALL_PEERS,
        /** Every rank writes its block into every rank's window with ncclPutSignal, then waits (NCCL 2.29.2). */
        PUT_SIGNAL_ALL_PEERS,
        /** A wait whose signal has not been sent stays pending past its bound, then ends when the signal comes. */
        UNMATCHED_WAIT,
        /** NCCL parameters the rank's environment sets read back through the parameter API (NCCL 2.30.4). */
        PARAMETERS_FROM_ENV
    }

    /** allReduce with a PreMulSum operator ({@link CheckCatalog#PRE_MUL_SUM_SCALAR}); one of the user features. */
    record PreMulSum(DataType type) implements OnCommunicator {
    }
}
