package io.ncclffm;

/**
 * A reduction made by {@code ncclRedOpCreatePreMulSum} (NCCL 2.11+): each rank's input is multiplied by a
 * scalar, then summed. It belongs to one communicator and one data type; pass it to that communicator's
 * {@code allReduce}, {@code reduce} or {@code reduceScatter} with the same type. {@link #close()} runs
 * {@code ncclRedOpDestroy}.
 */
public final class PreMulSumOp implements AutoCloseable {

    private final Communicator comm;
    private final int code;
    private final DataType type;
    private final String scalar;
    private boolean closed;

    PreMulSumOp(Communicator comm, int code, DataType type, String scalar) {
        this.comm = comm;
        this.code = code;
        this.type = type;
        this.scalar = scalar;
    }

    /** The {@code ncclRedOp_t} code NCCL assigned (from {@code ncclNumOps} up). */
    public int code() {
        return code;
    }

    /** The data type the operator was created for. */
    public DataType type() {
        return type;
    }

    /** The communicator the operator was created on. */
    public Communicator communicator() {
        return comm;
    }

    boolean isOpen() {
        return !closed;
    }

    /** {@code ncclRedOpDestroy}; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        comm.destroyOp(code);
    }

    @Override
    public String toString() {
        return "PreMulSumOp[code " + code + ", " + type.shortName() + ", scalar " + scalar + (closed ? ", destroyed" : "") + "]";
    }
}
