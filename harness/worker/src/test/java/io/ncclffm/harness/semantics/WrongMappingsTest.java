package io.ncclffm.harness.semantics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.ncclffm.DataType;
import io.ncclffm.ReduceOp;

/**
 * The proof that the generated inputs make every mapping mistake visible: each {@link MappingMutant} must change
 * at least one rank's output, in every cell, world, count and placement, except the few below that no input at all
 * could expose.
 */
class WrongMappingsTest {
    private static final int[] WORLDS = {2, 3, 4, 8};
    private static final int[] COUNTS = {1, 2, 1021};

    /** A mapping that gives the correct bytes for every valid input, and why. */
    record Indistinguishable(DataType intended, Set<ReduceOp> ops, DataType passedAs, String reason) {
    }

    static final List<Indistinguishable> INDISTINGUISHABLE = List.of(
            twins(DataType.INT8, DataType.UINT8), twins(DataType.UINT8, DataType.INT8),
            twins(DataType.INT32, DataType.UINT32), twins(DataType.UINT32, DataType.INT32),
            twins(DataType.INT64, DataType.UINT64), twins(DataType.UINT64, DataType.INT64),
            new Indistinguishable(DataType.FLOAT16, Set.of(ReduceOp.MAX, ReduceOp.MIN), DataType.BFLOAT16,
                    "every non-NaN float16 encoding is a finite bfloat16 encoding, and both formats order "
                            + "sign-magnitude bits alike, so max and min pick the same element (only a NaN input, "
                            + "which a check must not use, would tell them apart)"),
            new Indistinguishable(DataType.FLOAT8_E5M2, Set.of(ReduceOp.MAX, ReduceOp.MIN), DataType.FLOAT8_E4M3,
                    "every finite e5m2 encoding is a finite e4m3 encoding, and both order sign-magnitude bits "
                            + "alike, so max and min pick the same element (only NaN or infinity, which a check must "
                            + "not use, would tell them apart: e5m2 saturates an infinite maximum to 57344)"));

    private static Indistinguishable twins(DataType intended, DataType passedAs) {
        return new Indistinguishable(intended, Set.of(ReduceOp.SUM, ReduceOp.PROD), passedAs,
                "two's complement sums and products have the same bits whatever the signedness");
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (DataType t : Cells.TYPES) {
            for (ReduceOp op : Cells.OPS) {
                for (int world : WORLDS) {
                    for (int count : COUNTS) {
                        for (Placement placement : Placement.values()) {
                            all.add(Arguments.of(t, op, world, count, placement));
                        }
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}, world {2}, count {3}, {4}")
    @MethodSource("cases")
    void everyWrongMapping_changesSomeRanksOutput_unlessNoInputCould(DataType t, ReduceOp op, int world, int count,
                                                                    Placement placement) {
        List<byte[]> inputs = InputPattern.forAllRanks(t, op, world, count);
        List<String> expectedMissed = INDISTINGUISHABLE.stream()
                .filter(i -> i.intended() == t && i.ops().contains(op))
                .map(i -> MappingMutant.otherType(i.passedAs()).describe(t, op)).toList();
        assertEquals(expectedMissed, describe(t, op, WrongMappings.undetected(t, op, inputs, count, placement)));
    }

    static Stream<Arguments> worldOfOneCases() {
        return cases().filter(a -> (int) a.get()[2] == 2).map(a -> {
            Object[] args = a.get().clone();
            args[2] = 1;
            return Arguments.of(args);
        });
    }

    /**
     * With one rank every operator is the identity and NCCL copies the input, so no type or operator mistake and
     * no local-only result can be seen. What remains visible is what the mistake leaves unwritten out of place:
     * the whole output, the last element, or the tail that a wider type's whole elements do not cover.
     */
    @ParameterizedTest(name = "{0} {1}, world {2}, count {3}, {4}")
    @MethodSource("worldOfOneCases")
    void atWorldOne_onlyMutantsLeavingOutOfPlaceBytesUnwrittenAreCaught(DataType t, ReduceOp op, int world,
                                                                         int count, Placement placement) {
        List<byte[]> inputs = InputPattern.forAllRanks(t, op, world, count);
        List<MappingMutant> expectedMissed = new ArrayList<>();
        for (MappingMutant m : WrongMappings.of(t, op)) {
            boolean leavesBytes = switch (m.kind()) {
                case OUTPUT_UNTOUCHED, ONE_ELEMENT_SHORT -> true;
                case OTHER_TYPE -> count * t.size() % m.dtype().size() != 0;
                case OTHER_OP, LOCAL_ONLY -> false;
            };
            if (placement == Placement.IN_PLACE || !leavesBytes) expectedMissed.add(m);
        }
        assertEquals(describe(t, op, expectedMissed),
                describe(t, op, WrongMappings.undetected(t, op, inputs, count, placement)));
    }

    @Test
    void signednessTwins_sumAndMultiplyToTheSameBitsForEveryPair() {
        for (Indistinguishable i : INDISTINGUISHABLE) {
            if (i.intended().size() != 1 || i.intended().isFloatingPoint()) continue;
            for (ReduceOp op : i.ops()) {
                for (int a = 0; a < 256; a++) {
                    for (int b = 0; b < 256; b++) {
                        assertEquals(Elements.reduceBits(i.intended(), op, a, b),
                                Elements.reduceBits(i.passedAs(), op, a, b), i + " " + a + " " + b);
                    }
                }
            }
        }
        SplittableRandom random = new SplittableRandom(3264);
        for (int n = 0; n < 100_000; n++) {
            long a = random.nextLong();
            long b = random.nextLong();
            for (ReduceOp op : List.of(ReduceOp.SUM, ReduceOp.PROD)) {
                assertEquals(Elements.reduceBits(DataType.INT64, op, a, b),
                        Elements.reduceBits(DataType.UINT64, op, a, b));
                assertEquals(Elements.reduceBits(DataType.INT32, op, a & 0xffff_ffffL, b & 0xffff_ffffL),
                        Elements.reduceBits(DataType.UINT32, op, a & 0xffff_ffffL, b & 0xffff_ffffL));
            }
        }
    }

    @Test
    void e5m2ReadAsE4m3_picksTheSameMaximumAndMinimumForEveryFinitePair() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                boolean finite = Double.isFinite(MiniFloat.E5M2.decode(a)) && Double.isFinite(MiniFloat.E5M2.decode(b));
                if (!finite) continue;
                for (ReduceOp op : List.of(ReduceOp.MAX, ReduceOp.MIN)) {
                    assertEquals(Elements.reduceBits(DataType.FLOAT8_E5M2, op, a, b),
                            Elements.reduceBits(DataType.FLOAT8_E4M3, op, a, b), a + " " + b);
                }
            }
        }
    }

    @Test
    void float16ReadAsBfloat16_picksTheSameMaximumAndMinimumForEveryNonNaNPair() {
        SplittableRandom random = new SplittableRandom(1610);
        for (int n = 0; n < 200_000; n++) {
            int a = random.nextInt(1 << 16);
            int b = random.nextInt(1 << 16);
            if (MiniFloat.FLOAT16.isNaN(a) || MiniFloat.FLOAT16.isNaN(b)) continue;
            for (ReduceOp op : List.of(ReduceOp.MAX, ReduceOp.MIN)) {
                assertEquals(Elements.reduceBits(DataType.FLOAT16, op, a, b),
                        Elements.reduceBits(DataType.BFLOAT16, op, a, b), a + " " + b);
            }
        }
    }

    @Test
    void bfloat16ReadAsFloat16_isExposedByValuesThatAreNaNInFloat16() {
        // The converse of the above does not hold: 0x7c40 is 1.5 * 2^121 in bfloat16 and NaN in float16.
        assertEquals(0x7c40L, Elements.reduceBits(DataType.BFLOAT16, ReduceOp.MAX, 0x7c40, 0x3f80));
        assertEquals(0x3f80L, Elements.reduceBits(DataType.FLOAT16, ReduceOp.MAX, 0x7c40, 0x3f80));
    }

    @Test
    void wrongMappings_ofACell_areEveryOtherTypeAndOperatorAndTheThreeBufferMistakes() {
        List<String> names = describe(DataType.FLOAT32, ReduceOp.SUM, WrongMappings.of(DataType.FLOAT32, ReduceOp.SUM));
        assertEquals(18, names.size());
        assertEquals("float32 passed as int8", names.getFirst());
        assertFalse(names.contains("float32 passed as float32"));
        assertEquals(List.of("sum passed as prod", "sum passed as max", "sum passed as min", "sum passed as avg",
                "count - 1 passed", "output left untouched", "only the local contribution"), names.subList(11, 18));
    }

    @Test
    void widerTypeMutant_reducesWholeElementsAndLeavesTheTail() {
        List<byte[]> inputs = List.of(Elements.bits(DataType.INT8, 1, 2, 3), Elements.bits(DataType.INT8, 1, 1, 1));
        List<byte[]> outputs = MappingMutant.otherType(DataType.FLOAT16)
                .outputs(DataType.INT8, ReduceOp.SUM, inputs, 3, Placement.OUT_OF_PLACE);
        byte[] halves = HostReduction.allReduce(DataType.FLOAT16, ReduceOp.SUM, inputs, 1);
        assertArrayEquals(new byte[] {halves[0], halves[1], (byte) 0xa5}, outputs.get(0));
        assertArrayEquals(outputs.get(0), outputs.get(1));
    }

    @Test
    void shortCountAndLocalOnlyMutants_leaveWhatTheirPlacementImplies() {
        List<byte[]> inputs = List.of(Elements.bits(DataType.INT8, 1, 2), Elements.bits(DataType.INT8, 10, 20));
        List<byte[]> inPlace = MappingMutant.of(MappingMutant.Kind.ONE_ELEMENT_SHORT)
                .outputs(DataType.INT8, ReduceOp.SUM, inputs, 2, Placement.IN_PLACE);
        assertArrayEquals(new byte[] {11, 2}, inPlace.get(0));
        assertArrayEquals(new byte[] {11, 20}, inPlace.get(1));
        List<byte[]> local = MappingMutant.of(MappingMutant.Kind.LOCAL_ONLY)
                .outputs(DataType.INT8, ReduceOp.SUM, inputs, 2, Placement.OUT_OF_PLACE);
        assertArrayEquals(inputs.get(1), local.get(1));
    }

    private static List<String> describe(DataType t, ReduceOp op, List<MappingMutant> mutants) {
        return mutants.stream().map(m -> m.describe(t, op)).toList();
    }
}
