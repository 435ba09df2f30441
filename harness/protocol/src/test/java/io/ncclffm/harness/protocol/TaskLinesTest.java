package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TaskLinesTest {

    private static List<String> framed(String... lines) throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = TaskLines.framing(sink)) {
            for (String l : lines) out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
        }
        List<String> pieces = new ArrayList<>();
        for (String p : sink.toString(StandardCharsets.UTF_8).split("\n", -1)) pieces.add(p);
        assertEquals("", pieces.removeLast(), "every piece ends with a newline");
        return pieces;
    }

    @Test
    void aLongLineOfWideCharacters_goesInPiecesSrunKeepsWhole_andJoinsBackExactly() throws Exception {
        String line = "{\"message\":\"" + "é€𝄞x".repeat(2000) + "\"}";
        List<String> pieces = framed(line, "{\"short\":1}");
        assertTrue(pieces.size() > 10, "cut into pieces: " + pieces.size());
        for (String p : pieces) {
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= TaskLines.MAX_PIECE, "a piece of " + p.length());
            assertTrue(!p.contains("\uFFFD"), "no character cut in two");
        }
        TaskLines.Joiner j = new TaskLines.Joiner(1 << 20);
        List<String> joined = new ArrayList<>();
        for (String p : pieces) {
            TaskLines.Joiner.Joined whole = j.accept(p);
            if (whole != null) joined.add(whole.text());
        }
        assertEquals(List.of(line, "{\"short\":1}"), joined);
    }

    @Test
    void theJoiner_holdsNoMoreThanItsBound_andCountsTheRest() {
        TaskLines.Joiner j = new TaskLines.Joiner(5);
        assertNull(j.accept("+abcd"));
        TaskLines.Joiner.Joined whole = j.accept("efgh");
        assertEquals("abcde", whole.text());
        assertEquals(3, whole.dropped());
        assertNull(j.rest());
        assertNull(j.accept("+xy"));
        assertEquals("xy", j.rest().text(), "a task that ended mid-line leaves what it sent");
    }
}
