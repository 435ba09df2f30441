package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Lines out of chunks cut anywhere, never more than the bound held of one line. */
class LineSplitterTest {

    private final List<LineSplitter.Line> lines = new ArrayList<>();

    private LineSplitter splitter(int max) {
        return new LineSplitter(max, lines::add);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesSplitAcrossChunks_andACharacterCutInTwo_comeOutWhole() {
        LineSplitter s = splitter(1024);
        byte[] text = utf8("first\nsecond ü line\r\nthird");
        for (byte b : text) s.accept(new byte[] {b});
        s.finish();
        assertEquals(List.of(new LineSplitter.Line("first", 0, false), new LineSplitter.Line("second ü line", 0, false),
                new LineSplitter.Line("third", 0, true)), lines);
    }

    @Test
    void aLineLongerThanTheBound_isCut_sayingHowMuchWasLeftOut_andTheNextLineIsWhole() {
        LineSplitter s = splitter(8);
        s.accept(utf8("0123456789abcdef"));
        s.accept(utf8("ghij\nnext\n"));
        assertEquals(List.of(new LineSplitter.Line("01234567", 12, false), new LineSplitter.Line("next", 0, false)), lines);
        assertEquals(true, lines.getFirst().cut());
    }

    @Test
    void aStreamThatEndsOnANewline_hasNoUnterminatedLine() throws Exception {
        splitter(16).drain(new ByteArrayInputStream(utf8("a\nb\n")));
        assertEquals(List.of(new LineSplitter.Line("a", 0, false), new LineSplitter.Line("b", 0, false)), lines);
    }

    @Test
    void aBoundBelowOne_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> splitter(0));
    }
}
