package io.ncclffm.harness.perf;

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
}
