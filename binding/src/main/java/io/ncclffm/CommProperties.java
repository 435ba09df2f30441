package io.ncclffm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalInt;

import io.ncclffm.internal.CommPropertiesLayout;

/**
 * What {@code ncclCommQueryProperties} (NCCL 2.29.2+) says of a communicator: {@link Communicator#properties()}.
 * The fields NCCL 2.29.7 appended ({@code nLsaTeams}, {@code hostRmaSupport}, {@code railedGinType}) are empty on
 * 2.29.2 and 2.29.3, whose struct ends before them.
 */
public final class CommProperties {

    private final NcclVersion layout;
    private final int rank;
    private final int nRanks;
    private final int cudaDev;
    private final int nvmlDev;
    private final boolean deviceApiSupport;
    private final boolean multimemSupport;
    private final int ginType;
    private final OptionalInt nLsaTeams;
    private final boolean hostRmaSupport;
    private final OptionalInt railedGinType;

    private CommProperties(MemorySegment s, NcclVersion layout) {
        this.layout = layout;
        this.rank = s.get(ValueLayout.JAVA_INT, CommPropertiesLayout.RANK);
        this.nRanks = s.get(ValueLayout.JAVA_INT, CommPropertiesLayout.N_RANKS);
        this.cudaDev = s.get(ValueLayout.JAVA_INT, CommPropertiesLayout.CUDA_DEV);
        this.nvmlDev = s.get(ValueLayout.JAVA_INT, CommPropertiesLayout.NVML_DEV);
        this.deviceApiSupport = s.get(ValueLayout.JAVA_BYTE, CommPropertiesLayout.DEVICE_API_SUPPORT) != 0;
        this.multimemSupport = s.get(ValueLayout.JAVA_BYTE, CommPropertiesLayout.MULTIMEM_SUPPORT) != 0;
        this.ginType = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, CommPropertiesLayout.GIN_TYPE));
        boolean extended = CommPropertiesLayout.extended(layout);
        this.nLsaTeams = extended ? OptionalInt.of(s.get(ValueLayout.JAVA_INT, CommPropertiesLayout.N_LSA_TEAMS)) : OptionalInt.empty();
        this.hostRmaSupport = extended && s.get(ValueLayout.JAVA_BYTE, CommPropertiesLayout.HOST_RMA_SUPPORT) != 0;
        this.railedGinType = extended
                ? OptionalInt.of(Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, CommPropertiesLayout.RAILED_GIN_TYPE)))
                : OptionalInt.empty();
    }

    /** Reads what NCCL wrote into a struct of the layout of release {@code layout}. */
    static CommProperties read(MemorySegment s, NcclVersion layout) {
        return new CommProperties(s, layout);
    }

    /** The {@code version} the binding wrote, which names the struct's layout. */
    public NcclVersion layout() {
        return layout;
    }

    public int rank() {
        return rank;
    }

    public int nRanks() {
        return nRanks;
    }

    /** The CUDA device ordinal the communicator uses. */
    public int cudaDev() {
        return cudaDev;
    }

    public int nvmlDev() {
        return nvmlDev;
    }

    public boolean deviceApiSupport() {
        return deviceApiSupport;
    }

    public boolean multimemSupport() {
        return multimemSupport;
    }

    /** {@code ncclGinType_t}: 0 none, 2 proxy, 3 GDAKI. */
    public int ginType() {
        return ginType;
    }

    /** {@code nLsaTeams} (2.29.7+). */
    public OptionalInt nLsaTeams() {
        return nLsaTeams;
    }

    /** {@code hostRmaSupport} (2.29.7+; {@code false} before). */
    public boolean hostRmaSupport() {
        return hostRmaSupport;
    }

    /** {@code railedGinType} (2.29.7+). */
    public OptionalInt railedGinType() {
        return railedGinType;
    }

    @Override
    public String toString() {
        return "CommProperties[rank " + rank + " of " + nRanks + ", cudaDev " + cudaDev + ", nvmlDev " + nvmlDev
                + ", deviceApi " + deviceApiSupport + ", multimem " + multimemSupport + ", ginType " + ginType
                + (nLsaTeams.isPresent() ? ", nLsaTeams " + nLsaTeams.getAsInt() + ", hostRma " + hostRmaSupport
                + ", railedGinType " + railedGinType.getAsInt() : "") + ", layout " + layout + "]";
    }
}
