package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;
import io.ncclffm.harness.semantics.HostReduction;

/**
 * The user-feature checks' inputs prove what they claim: every wrong mapping a binding could make (a wrong split
 * colour or key, a PreMulSum scalar lost or changed, roots or counts swapped in the grouped collectives) gives a
 * different expected answer from the host model, so the check on a GPU would fail.
 */
class UserFeatureModelTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void split_wrongColorOrKey_changesTheExpectedResult(int world) {
        DataType t = DataType.INT32;
        int count = UserFeatureChecks.COUNT;
        List<byte[]> in = UserFeatureChecks.inputs(t, world, count);
        for (int rank = 0; rank < world; rank++) {
            int[] right = UserFeatureChecks.splitGroup(world, rank, r -> r % 2, r -> r);
            byte[][] expected = UserFeatureChecks.splitExpected(t, in, right, count);
            int me = rank;
            int[] oneGroup = UserFeatureChecks.splitGroup(world, rank, r -> 0, r -> r);
            int[] halves = UserFeatureChecks.splitGroup(world, rank, r -> r < world / 2 ? 0 : 1, r -> r);
            int[] reversed = UserFeatureChecks.splitGroup(world, rank, r -> r % 2, r -> -r);
            assertFalse(Arrays.equals(expected[0], UserFeatureChecks.splitExpected(t, in, oneGroup, count)[0]),
                    "colour ignored (one group) is caught at rank " + me);
            if (!Arrays.equals(halves, right)) {
                assertFalse(Arrays.equals(expected[0], UserFeatureChecks.splitExpected(t, in, halves, count)[0])
                        && Arrays.equals(expected[1], UserFeatureChecks.splitExpected(t, in, halves, count)[1]),
                        "colour rank < world/2 is caught at rank " + me);
            }
            if (right.length > 1) {
                assertFalse(Arrays.equals(expected[1], UserFeatureChecks.splitExpected(t, in, reversed, count)[1]),
                        "key ignored or reversed changes the gathered order at rank " + me);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT32", "FLOAT16", "BFLOAT16"})
    void preMulSum_plainSumOrAnotherScalar_changesTheExpectedResult(DataType t) {
        for (int world : new int[] {1, 2, 4}) {
            int count = UserFeatureChecks.COUNT;
            List<byte[]> in = UserFeatureChecks.inputs(t, world, count);
            byte[] expected = UserFeatureChecks.preMulSumExpected(t, in, count, UserFeatureChecks.PRE_MUL_SCALAR);
            assertFalse(Arrays.equals(expected, HostReduction.allReduce(t, ReduceOp.SUM, in, count)),
                    "the scalar ignored (plain sum) is caught at world " + world);
            assertFalse(Arrays.equals(expected, UserFeatureChecks.preMulSumExpected(t, in, count, 0.5)),
                    "a scalar of 0.5 instead of 0.25 is caught at world " + world);
            assertFalse(Arrays.equals(expected, UserFeatureChecks.preMulSumExpected(t, in, count, 4.0)),
                    "the scalar's reciprocal is caught at world " + world);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void variableCounts_swappedOrEqualCounts_changeTheExpectedResult(int world) {
        DataType t = DataType.INT32;
        int[] counts = UserFeatureChecks.varCounts(world);
        List<byte[]> in = UserFeatureChecks.inputs(t, world, Arrays.stream(counts).sum());
        byte[] gathered = UserFeatureChecks.allGathervExpected(t, in, counts);
        int[] swapped = counts.clone();
        swapped[0] = counts[1];
        swapped[1] = counts[0];
        assertFalse(Arrays.equals(gathered, UserFeatureChecks.allGathervExpected(t, in, swapped)),
                "two ranks' counts swapped is caught");
        List<byte[]> rootsSwapped = new java.util.ArrayList<>(in);
        rootsSwapped.set(0, in.get(1));
        rootsSwapped.set(1, in.get(0));
        assertFalse(Arrays.equals(gathered, UserFeatureChecks.allGathervExpected(t, rootsSwapped, counts)),
                "two roots swapped is caught");
        for (int rank = 0; rank < world; rank++) {
            byte[] mine = UserFeatureChecks.reduceScattervExpected(t, in, counts, rank);
            int other = (rank + 1) % world;
            assertFalse(Arrays.equals(mine, UserFeatureChecks.reduceScattervExpected(t, in, counts, other)),
                    "rank " + rank + " given rank " + other + "'s block is caught");
            // Swapping ranks 0's and 1's counts moves only their blocks; later displacements stay as they were.
            if (rank < 2) {
                assertFalse(Arrays.equals(mine, UserFeatureChecks.reduceScattervExpected(t, in, swapped, rank)),
                        "displacements from swapped counts are caught at rank " + rank);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void split_rightAssignment_isTheParityGroupInRankOrder(int world) {
        for (int rank = 0; rank < world; rank++) {
            int[] group = UserFeatureChecks.splitGroup(world, rank, r -> r % 2, r -> r);
            int first = rank % 2;
            int[] want = java.util.stream.IntStream.iterate(first, r -> r < world, r -> r + 2).toArray();
            assertArrayEquals(want, group);
        }
    }
}
