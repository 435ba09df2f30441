package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ncclffm.DataType;
import io.ncclffm.NcclException;
import io.ncclffm.NcclResult;
import io.ncclffm.SignalWait;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.NcclParameterSetting;

/**
 * The one-sided and parameter checks prove what they claim: every wrong mapping a binding could make (a block put
 * at the destination's offset instead of the source's, blocks swapped, a signal to the wrong peer, a wait that does
 * not wait, a parameter that reads back another value) gives another verdict than the right behaviour does.
 */
class SignalAndParameterModelTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void putSignal_blockAtTheWrongOffsetOrSwapped_changesTheExpectedWindow(int world) {
        List<byte[]> in = SignalChecks.inputs(world);
        byte[] expected = SignalChecks.putSignalExpected(in);
        List<byte[]> swapped = new ArrayList<>(in);
        swapped.set(0, in.get(1));
        swapped.set(1, in.get(0));
        assertFalse(Arrays.equals(expected, SignalChecks.putSignalExpected(swapped)), "two ranks' blocks swapped");
        for (int dst = 0; dst < world; dst++) {
            // Every rank's block at the receiver's own offset: the window would hold one block 'world' times.
            List<byte[]> atDestination = new ArrayList<>();
            for (int r = 0; r < world; r++) atDestination.add(in.get(dst));
            assertFalse(Arrays.equals(expected, SignalChecks.putSignalExpected(atDestination)),
                    "offset of the destination instead of the source, at rank " + dst);
        }
        byte[] sentinel = io.ncclffm.harness.semantics.InputPattern.sentinelFilled(DataType.INT32, world * SignalChecks.COUNT);
        assertFalse(Arrays.equals(expected, sentinel), "no put at all leaves the sentinel");
    }

    @Test
    void putSignal_atWorldOne_theBlockDiffersFromTheSentinel() {
        byte[] expected = SignalChecks.putSignalExpected(SignalChecks.inputs(1));
        assertFalse(Arrays.equals(expected, io.ncclffm.harness.semantics.InputPattern.sentinelFilled(DataType.INT32,
                SignalChecks.COUNT)), "a self-put that never happened is caught");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void waitDescriptors_askOneSignalFromEveryRankOnIndexAndContextZero(int world) {
        List<SignalWait> w = SignalChecks.oneFromEach(world);
        assertEquals(world, w.size());
        for (int p = 0; p < world; p++) assertEquals(new SignalWait(p, 1, 0, 0), w.get(p));
    }

    @Test
    void unmatchedWait_thatDidNotWaitOrNeverEnded_fails_andOnlyPendingThenEndedPasses() {
        assertEquals(CheckStatus.PASSED, SignalChecks.unmatchedWaitVerdict(true, true, 1).status());
        Outcome noWait = SignalChecks.unmatchedWaitVerdict(false, true, 1);
        assertEquals(Cause.OTHER_FAILURE, noWait.cause());
        assertTrue(noWait.message().contains("did not wait"), noWait.message());
        assertEquals(Cause.TIMEOUT, SignalChecks.unmatchedWaitVerdict(true, false, 1).cause());
        assertEquals(Cause.OTHER_FAILURE, SignalChecks.unmatchedWaitVerdict(false, false, 1).cause());
    }

    @Test
    void noHostRma_isOnlyNcclsOwnRefusal_notAnyInvalidArgument() {
        int invalid = NcclResult.INVALID_ARGUMENT.code();
        assertTrue(SignalChecks.noHostRma(new NcclException("ncclSignal", invalid, "invalid argument",
                "One sided RMA: host RMA is not supported in this communicator.")));
        assertTrue(SignalChecks.noHostRma(new NcclException("ncclSignal", invalid, "invalid argument",
                "One sided RMA: symmetric registration is not supported in this communicator.")), "NCCL 2.29.2's words");
        assertFalse(SignalChecks.noHostRma(new NcclException("ncclSignal", invalid, "invalid argument",
                "Signal index 3 is invalid (must be 0)")), "a wrong argument from the binding must fail, not skip");
        assertFalse(SignalChecks.noHostRma(new NcclException("ncclSignal", invalid, "invalid argument", null)));
        assertFalse(SignalChecks.noHostRma(new NcclException("ncclSignal", NcclResult.SYSTEM_ERROR.code(), "system error",
                "One sided RMA: host RMA is not supported in this communicator.")));
    }

    private static final List<NcclParameterSetting> SETTINGS = List.of(
            new NcclParameterSetting("NCCL_DEBUG", "", "default"),
            new NcclParameterSetting("NCCL_DEBUG_TIMESTAMP_FORMAT", "[%F %T]", "environment"));

    @Test
    void parameters_readBackOfTheEnvironmentsValue_passesAndCarriesEverySetting() {
        Outcome o = ParameterChecks.verdict(SETTINGS,
                List.of(new ParameterChecks.ReadBack("NCCL_DEBUG_TIMESTAMP_FORMAT", "[%F %T]", "[%F %T]", "[%F %T]")));
        assertEquals(CheckStatus.PASSED, o.status(), o.message());
        assertEquals(SETTINGS.stream().sorted(java.util.Comparator.comparing(NcclParameterSetting::key)).toList(),
                NcclParameterSetting.fromData(o.data()));
    }

    @Test
    void parameters_anotherValueByKeyOrThroughTheHandle_fails() {
        Outcome byKey = ParameterChecks.verdict(SETTINGS,
                List.of(new ParameterChecks.ReadBack("NCCL_DEBUG_TIMESTAMP_FORMAT", "[%F %T]", "[%F %T] ", "[%F %T]")));
        assertEquals(Cause.WRONG_VALUES, byKey.cause());
        assertTrue(byKey.message().contains("by key"), byKey.message());
        Outcome byHandle = ParameterChecks.verdict(SETTINGS,
                List.of(new ParameterChecks.ReadBack("NCCL_DEBUG_TIMESTAMP_FORMAT", "[%F %T]", "[%F %T]", "")));
        assertEquals(Cause.WRONG_VALUES, byHandle.cause());
        assertTrue(byHandle.message().contains("through its handle"), byHandle.message());
        assertEquals(2, NcclParameterSetting.fromData(byHandle.data()).size(), "a failure still carries the settings");
    }

    @Test
    void parameters_withNoKeyTheEnvironmentSets_isASkipNamingNcclsKeys() {
        Outcome o = ParameterChecks.verdict(SETTINGS, List.of());
        assertEquals(CheckStatus.SKIPPED, o.status());
        assertEquals(Cause.NOT_CONFIGURED, o.cause());
        assertTrue(o.message().contains("NCCL_DEBUG_TIMESTAMP_FORMAT"), o.message());
    }
}
