package io.ncclffm.harness.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The rank-log tails attached to failing tests. */
class AllureReportingTest {

    private static final String SPAM = "vm:1:2 [0] misc/socket.cc:50 NCCL WARN socketProgress: Connection closed by remote peer localhost<40372>";

    @Test
    void aLineRepeatedInALoop_isKeptOnce_soWhatCameBeforeItStaysInTheTail() {
        List<String> log = new ArrayList<>();
        log.add("rank 0: abort/with-live-graph: split");
        log.add("rank 0: warm-up allReduce");
        for (int i = 0; i < 70_000; i++) {
            log.add(SPAM);
            log.add("");
        }
        log.add("rank 0: killed");
        String tail = AllureReporting.tail(String.join("\n", log), AllureReporting.LOG_TAIL_LINES);
        assertEquals(List.of("rank 0: abort/with-live-graph: split", "rank 0: warm-up allReduce", SPAM,
                "... (the line above 69999 more time(s))", "", "rank 0: killed"), tail.lines().toList());
    }

    @Test
    void differentLines_andBlankLines_stayAsTheyWere_andALongLogIsCutAtItsTail() {
        assertEquals(List.of("a", "", "b", "a", "a x", ""), AllureReporting.collapseRepeats(List.of("a", "", "b", "a", "a x", "")));
        List<String> log = new ArrayList<>();
        for (int i = 0; i < 1000; i++) log.add("line " + i);
        String tail = AllureReporting.tail(String.join("\n", log), 400);
        assertTrue(tail.startsWith("... (600 earlier lines)\nline 600\n"), tail.substring(0, 60));
        assertTrue(tail.endsWith("line 999"));
    }
}
