package io.ncclffm.harness.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A bounded log keeps how the rank started and how it ended, whatever came between. */
class RankLogTest {

    @Test
    void aNoisyMiddle_isLeftOut_andTheHeadAndTheLastErrorAreKept() {
        RankLog log = new RankLog(20, 30);
        log.append("loaded libnccl");
        for (int i = 0; i < 1000; i++) log.append("NCCL INFO noise " + i);
        log.append("NCCL WARN the real error");
        String text = log.toString();
        assertTrue(text.startsWith("loaded libnccl\n"), text);
        assertTrue(text.endsWith("NCCL WARN the real error\n"), text);
        assertTrue(text.contains("line(s)") && text.contains("left out of the middle"), text);
        assertTrue(text.length() < 200, text);
    }

    @Test
    void aShortLog_isKeptWhole() {
        RankLog log = new RankLog(100, 100);
        log.append("a");
        log.append("b");
        assertEquals("a\nb\n", log.toString());
    }
}
