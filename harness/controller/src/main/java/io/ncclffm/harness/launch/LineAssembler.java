package io.ncclffm.harness.launch;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Re-assembles lines from chunks that may split a line anywhere (Docker log frames). */
final class LineAssembler {

    private final StringBuilder partial = new StringBuilder();
    private final Consumer<String> sink;

    LineAssembler(Consumer<String> sink) {
        this.sink = sink;
    }

    synchronized void accept(byte[] chunk) {
        partial.append(new String(chunk, StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl);
            partial.delete(0, nl + 1);
            sink.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
    }

    /** Emits a last line that had no newline (a rank killed mid-write). */
    synchronized void flush() {
        if (!partial.isEmpty()) {
            sink.accept(partial.toString());
            partial.setLength(0);
        }
    }
}
