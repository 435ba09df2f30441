package io.ncclffm.harness.perf.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one-sided Mann-Whitney test the regression check relies on, on samples whose p-values can be counted by hand. */
class TrialComparisonTest {

    private static final double[] FIVE = {5.0, 5.1, 5.2, 5.3, 5.4};

    @Test
    void fiveSlowerThanFive_givesTheSmallestExactP_oneIn252() {
        // C(10,5) = 252 equally likely orderings under the null; only one puts all five candidates on top
        assertEquals(1.0 / 252, TrialComparison.pSlower(FIVE, new double[] {6, 7, 8, 9, 10}), 1e-15);
    }

    @Test
    void oneSwappedPair_givesTwoIn252_stillBelowAlpha() {
        // U = 24 or more: the all-on-top ordering and the one with the lowest candidate below the highest baseline
        double p = TrialComparison.pSlower(FIVE, new double[] {5.35, 6, 7, 8, 9});
        assertEquals(2.0 / 252, p, 1e-15);
        assertTrue(p <= TrialComparison.ALPHA);
    }

    @Test
    void twoSwaps_giveFourIn252_aboveAlpha() {
        // U >= 23: U=25 (1), U=24 (1), U=23 (2 orderings) -> 4/252 = 0.0159
        double p = TrialComparison.pSlower(FIVE, new double[] {5.25, 6, 7, 8, 9});
        assertEquals(4.0 / 252, p, 1e-15);
        assertTrue(p > TrialComparison.ALPHA);
    }

    @Test
    void threeAgainstThree_canNeverReachAlpha() {
        assertEquals(1.0 / 20, TrialComparison.pSlower(new double[] {1, 2, 3}, new double[] {4, 5, 6}), 1e-15);
    }

    @Test
    void aFasterCandidate_isNotSignificantlySlower() {
        assertEquals(1.0, TrialComparison.pSlower(new double[] {6, 7, 8, 9, 10}, FIVE), 1e-12);
    }

    @Test
    void identicalSamples_areNeverSignificant() {
        assertTrue(TrialComparison.pSlower(FIVE, FIVE.clone()) > 0.5);
        assertEquals(1.0, TrialComparison.pSlower(new double[] {5, 5, 5, 5, 5}, new double[] {5, 5, 5, 5, 5}));
        assertEquals(1.0, TrialComparison.pSlower(new double[] {5}, new double[] {5}));
    }

    @Test
    void ties_fallBackToTheNormalApproximation_closeToTheExactValue() {
        // one tie at 5.4: the exact test cannot take ties; the continuity-corrected normal gives 0.008 against 2/252
        double p = TrialComparison.pSlower(FIVE, new double[] {5.4, 6, 7, 8, 9});
        assertEquals(2.0 / 252, p, 0.001);
    }

    @Test
    void oneTrialAgainstOne_givesOneHalf() {
        assertEquals(0.5, TrialComparison.pSlower(new double[] {5}, new double[] {50}), 1e-12);
    }

    @Test
    void anEmptySide_isRejectedWithTheCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrialComparison.pSlower(new double[0], FIVE));
        assertTrue(e.getMessage().contains("got 0 and 5"), e.getMessage());
    }

    @Test
    void sevenPairsAllSlower_giveOneIn128_theFewestThatReachAlpha() {
        double[] base = {5, 6, 5, 6, 5, 6, 5};
        double[] cand = {5.5, 6.6, 5.6, 6.5, 5.7, 6.8, 5.9};
        assertEquals(1.0 / 128, TrialComparison.pSlowerPaired(base, cand), 1e-12);
        assertTrue(TrialComparison.pSlowerPaired(base, cand) <= TrialComparison.ALPHA);
        assertEquals(7, TrialComparison.MIN_PAIRS);
    }

    @Test
    void sixPairsAllSlower_giveOneIn64_aboveAlpha() {
        double p = TrialComparison.pSlowerPaired(new double[] {5, 5, 5, 5, 5, 5}, new double[] {6, 7, 8, 9, 10, 11});
        assertEquals(1.0 / 64, p, 1e-12);
        assertTrue(p > TrialComparison.ALPHA);
    }

    @Test
    void pairsThatMoveTogetherBetweenTwoHostLevels_showNoSlowdown() {
        // both trials of a pair at one level; the level changes from pair to pair, as the H200's small-call time does
        double[] base = {4.20, 6.10, 6.12, 4.22, 4.19, 6.08, 6.11, 4.21, 4.18, 6.13};
        double[] cand = {4.22, 6.07, 6.13, 4.19, 4.21, 6.10, 6.09, 4.22, 4.17, 6.12};
        assertTrue(TrialComparison.pSlowerPaired(base, cand) > 0.1, "p=" + TrialComparison.pSlowerPaired(base, cand));
        // a 10% slowdown under the same levels: every pair shows it, while the two samples taken unpaired overlap
        double[] slower = java.util.Arrays.stream(base).map(t -> t * 1.10).toArray();
        // ten equal ratios tie, so the p is the normal approximation's, near the exact 1/1024
        assertTrue(TrialComparison.pSlowerPaired(base, slower) < 0.001, "p=" + TrialComparison.pSlowerPaired(base, slower));
        assertTrue(TrialComparison.pSlower(base, slower) > TrialComparison.ALPHA, "unpaired, the two levels hide it");
    }

    @Test
    void identicalPairs_carryNoEvidence() {
        assertEquals(1.0, TrialComparison.pSlowerPaired(new double[] {5, 6, 7}, new double[] {5, 6, 7}));
    }

    @Test
    void unequalOrEmptyOrNonPositivePairs_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> TrialComparison.pSlowerPaired(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> TrialComparison.pSlowerPaired(new double[0], new double[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrialComparison.pSlowerPaired(new double[] {1, 0}, new double[] {1, 1}));
        assertTrue(e.getMessage().startsWith("pair 1 holds a time that is not positive"), e.getMessage());
    }
}
