package io.ncclffm.harness.protocol;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A collective perf mode times, in the order it measures them, with nccl-tests' conventions for its size, its bus
 * bandwidth and its binary. Points and reports spell it as nccl-tests' sources do ({@link #label()}).
 */
public enum Collective {
    ALL_REDUCE("allReduce", "all_reduce_perf"),
    ALL_GATHER("allGather", "all_gather_perf"),
    REDUCE_SCATTER("reduceScatter", "reduce_scatter_perf"),
    BROADCAST("broadcast", "broadcast_perf"),
    REDUCE("reduce", "reduce_perf"),
    ALL_TO_ALL("alltoall", "alltoall_perf"),
    SEND_RECV("sendrecv", "sendrecv_perf");

    private final String label;
    private final String ncclTestsBinary;

    Collective(String label, String ncclTestsBinary) {
        this.label = label;
        this.ncclTestsBinary = ncclTestsBinary;
    }

    /** As points, reports and check ids spell it: {@code allReduce}, {@code alltoall}, ... */
    @JsonValue
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * The collective from any spelling a user may write: {@code allreduce}, {@code all_reduce}, {@code allReduce},
     * {@code alltoall}, {@code send_recv}, ... (case, underscores and dashes ignored).
     *
     * @throws IllegalArgumentException naming the input and the known collectives
     */
    @JsonCreator
    public static Collective of(String name) {
        String key = name == null ? "" : name.strip().replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        for (Collective c : values()) if (c.label.toLowerCase(Locale.ROOT).equals(key)) return c;
        throw new IllegalArgumentException("unknown collective '" + name + "', expected one of " + List.of(values()));
    }

    /**
     * nccl-tests' bus bandwidth factor ({@code src/*.cu}, {@code getBw}): 2(n-1)/n for allReduce; (n-1)/n for
     * allGather, reduceScatter and alltoall; 1 for broadcast, reduce and sendrecv. It is 0 for an allReduce of one
     * rank, where nothing crosses a bus and algBw is the figure to read.
     */
    public double busFactor(int world) {
        if (world < 1) throw new IllegalArgumentException("world must be >= 1, got " + world);
        return switch (this) {
            case ALL_REDUCE -> 2.0 * (world - 1) / world;
            case ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL -> (double) (world - 1) / world;
            case BROADCAST, REDUCE, SEND_RECV -> 1.0;
        };
    }

    /** Whether nccl-tests' size is the larger buffer that the ranks' blocks make up, rather than one rank's buffer. */
    private boolean splitsBuffer() {
        return this == ALL_GATHER || this == REDUCE_SCATTER || this == ALL_TO_ALL;
    }

    /**
     * The count one rank passes to NCCL for a message of {@code bytes}, in nccl-tests' size convention
     * ({@code src/*.cu}, {@code GetCollByteCount}, {@code paramcount}): the printed size is the larger buffer, so
     * allGather (its receive buffer), reduceScatter (its send buffer) and alltoall (either buffer) pass
     * {@code bytes / (world * typeSize)}; the rest pass {@code bytes / typeSize}. 0 when the size is too small for
     * one element per rank.
     */
    public long elementsPerRank(long bytes, int world, int typeSize) {
        if (world < 1) throw new IllegalArgumentException("world must be >= 1, got " + world);
        if (typeSize < 1) throw new IllegalArgumentException("element size must be >= 1 byte, got " + typeSize);
        long count = bytes / typeSize;
        return splitsBuffer() ? count / world : count;
    }

    /**
     * The size nccl-tests prints for that count (its {@code size} column, {@code max(sendBytes, recvBytes)}): for the
     * collectives that split the buffer among ranks, a size that does not divide by {@code world} elements is rounded
     * down to one that does.
     */
    public long printedBytes(long elementsPerRank, int world, int typeSize) {
        long perRank = elementsPerRank * typeSize;
        return splitsBuffer() ? perRank * world : perRank;
    }

    /** What the size column of this collective's table means, in nccl-tests' convention, for the reader. */
    public String sizeConvention() {
        return switch (this) {
            case ALL_GATHER -> "size = the whole receive buffer (n × each rank's send buffer), as nccl-tests prints it; "
                    + "busbw = algbw × (n−1)/n";
            case REDUCE_SCATTER -> "size = the whole send buffer (n × each rank's receive buffer), as nccl-tests prints it; "
                    + "busbw = algbw × (n−1)/n";
            case ALL_TO_ALL -> "size = one rank's whole send (= receive) buffer, n blocks of size/n, as nccl-tests prints it; "
                    + "busbw = algbw × (n−1)/n";
            case ALL_REDUCE -> "size = one rank's buffer; busbw = algbw × 2(n−1)/n";
            case BROADCAST, REDUCE -> "size = one rank's buffer, root 0; busbw = algbw";
            case SEND_RECV -> "size = the buffer each rank sends to the next in a ring (ncclSend/ncclRecv in one group); "
                    + "busbw = algbw";
        };
    }

    /** nccl-tests' binary for this collective: {@code all_reduce_perf}, {@code alltoall_perf}, ... */
    public String ncclTestsBinary() {
        return ncclTestsBinary;
    }

    /** Whether it takes a reduction operator (nccl-tests prints {@code sum} for those). */
    public boolean reduces() {
        return this == ALL_REDUCE || this == REDUCE_SCATTER || this == REDUCE;
    }

    /**
     * The placements perf mode times, as nccl-tests does: out of place, then in place; alltoall and sendrecv out of
     * place only, since nccl-tests' own in-place rows of those are unchecked ("we don't support in-place") and NCCL
     * gives in-place alltoall no meaning.
     */
    public List<Placement> placements() {
        return this == ALL_TO_ALL || this == SEND_RECV ? List.of(Placement.OUT_OF_PLACE)
                : List.of(Placement.OUT_OF_PLACE, Placement.IN_PLACE);
    }
}
