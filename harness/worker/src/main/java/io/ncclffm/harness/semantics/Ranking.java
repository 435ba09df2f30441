package io.ncclffm.harness.semantics;

/**
 * Which rank wins element {@code i} of a max or min input: rank {@code i mod world}, the others following in rank
 * order. Consecutive elements then always have different winners, and the values of an element are distinct.
 * That is what exposes a type of twice the width or more: its maximum picks one rank's whole chunk, while the
 * correct result mixes two ranks within that chunk, so at least one element of the chunk differs.
 */
final class Ranking {

    private Ranking() {
    }

    /** 0 for the winner of element {@code i}, then 1, 2, ... away from it. */
    static int level(int world, int rank, int i) {
        return Math.floorMod(rank - i % world, world);
    }
}
