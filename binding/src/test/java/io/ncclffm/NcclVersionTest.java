package io.ncclffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NcclVersionTest {

    @ParameterizedTest(name = "{0} decodes to {1}")
    @CsvSource({
            // first era: X*1000 + Y*100 + Z (NCCL <= 2.8)
            "2300, 2.3.0",
            "2408, 2.4.8",
            "2604, 2.6.4",
            "2708, 2.7.8",
            "2800, 2.8.0",
            "2804, 2.8.4",
            // second era: X*10000 + Y*100 + Z (NCCL >= 2.9)
            "20906, 2.9.6",
            "21003, 2.10.3",
            "21100, 2.11.0",
            "21900, 2.19.0",
            "22203, 2.22.3",
            "22803, 2.28.3",
            "22809, 2.28.9",
            "22907, 2.29.7",
            "23000, 2.30.0",
            // RCCL reports the NCCL API level: ROCm 5.4.3 -> 2.13.4, ROCm 6.4 -> 2.22.3, ROCm 7.1 -> 2.27.7
            "21304, 2.13.4",
            "22707, 2.27.7",
            // a future major still follows the second era
            "30000, 3.0.0",
    })
    void decode_followsTheNcclVersionMacroOfBothEras(int code, String expected) {
        NcclVersion v = NcclVersion.decode(code);
        assertEquals(expected, v.toString());
        assertEquals(code, v.code(), "encoding back gives the same code");
    }

    @Test
    void decode_versionBelow2_9_usesThousandsScheme() {
        assertEquals(NcclVersion.of(2, 8, 4), NcclVersion.decode(2804));
        // vLLM's string slicing would read 2804 as 2.80.4
        assertEquals(8, NcclVersion.decode(2804).minor());
    }

    @Test
    void decode_xy0_keepsTheZeroPatch() {
        // pynccl prints 21900 as "2.19." because it strips the zeros of the patch
        assertEquals("2.19.0", NcclVersion.decode(21900).toString());
        assertEquals("2.10.0", NcclVersion.decode(21000).toString());
    }

    @ParameterizedTest(name = "code {0} is rejected")
    @CsvSource({"0", "-1", "2900", "9999", "3100"})
    void decode_rejectsCodesNoReleaseProduces(int code) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NcclVersion.decode(code));
        assertTrue(e.getMessage().contains(Integer.toString(code)), e.getMessage());
    }

    @Test
    void versions_compareNumericallyNotAsStrings() {
        List<NcclVersion> sorted = List.of("2.8.4", "2.9.6", "2.10.3", "2.28.3", "2.28.9", "2.29.7").stream()
                .map(NcclVersion::parse).sorted().toList();
        assertEquals("[2.8.4, 2.9.6, 2.10.3, 2.28.3, 2.28.9, 2.29.7]", sorted.toString());
        assertTrue(NcclVersion.parse("2.10.0").atLeast(NcclVersion.parse("2.9.6")));
    }

    @Test
    void parse_acceptsMajorMinorAndRejectsGarbage() {
        assertEquals(NcclVersion.of(2, 24, 0), NcclVersion.parse("2.24"));
        assertThrows(IllegalArgumentException.class, () -> NcclVersion.parse("2"));
        assertThrows(IllegalArgumentException.class, () -> NcclVersion.parse("2.x.1"));
    }
}
