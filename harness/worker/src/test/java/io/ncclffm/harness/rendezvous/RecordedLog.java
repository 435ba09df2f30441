package io.ncclffm.harness.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What one class logs while this is open, for tests that provoke a log line and assert it. The classes log through
 * {@link System.Logger}, whose default backend is java.util.logging under the class's name.
 */
final class RecordedLog extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private RecordedLog(Logger logger) {
        this.logger = logger;
        setLevel(Level.ALL);
    }

    /** Starts recording what {@code source} logs, at every level its logger lets through. */
    static RecordedLog of(Class<?> source) {
        RecordedLog log = new RecordedLog(Logger.getLogger(source.getName()));
        log.logger.addHandler(log);
        return log;
    }

    /** The messages logged at {@code level} so far, in order. */
    List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    /**
     * Polls until {@code n} messages at {@code level} match (the server logs from its connection threads, just after
     * counting), then asserts that there are exactly {@code n}.
     */
    void awaitMessages(Level level, Predicate<String> matching, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Peers.PATIENCE.toNanos();
        while (count(level, matching) < n && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(n, count(level, matching), () -> "matching " + level + " messages; the last of all "
                + messages(level).size() + " at that level: " + last(messages(level), 10));
    }

    private static List<String> last(List<String> all, int n) {
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    private long count(Level level, Predicate<String> matching) {
        return messages(level).stream().filter(matching).count();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
