package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.RendezvousToken;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;
import io.ncclffm.harness.protocol.WorkerLaunch;

/**
 * The lifeline in a real worker process: rank 1 of a world of two whose rank 0 never comes, so that it waits in the
 * unique-ID exchange. With the lifeline, closing its standard input ends it long before its rendezvous timeout;
 * without, a standard input that is at end-of-file from the start (a worker started by hand, or in a container) lets
 * it run to its end.
 */
class LifelineTest {

    private static Path stub;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get().path;
    }

    @AfterEach
    void killWhatIsLeft() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process rank1(WorkerConfig.Lifeline lifeline, int rendezvousTimeoutSeconds, ProcessBuilder.Redirect stdin) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nobody listens there once it is closed: rank 0 never comes
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(WorkerLaunch.rank(java, System.getProperty("java.class.path"), null));
        pb.environment().put(WorkerConfig.RANK, "1");
        pb.environment().put(WorkerConfig.WORLD, "2");
        pb.environment().put(WorkerConfig.RENDEZVOUS, "127.0.0.1:" + port);
        pb.environment().put(WorkerConfig.TOKEN, RendezvousToken.random().toHex());
        pb.environment().put(WorkerConfig.LIBRARY, stub.toString());
        pb.environment().put(WorkerConfig.RENDEZVOUS_TIMEOUT, Integer.toString(rendezvousTimeoutSeconds));
        pb.environment().put("STUB_NCCL_INIT", "fail");
        if (lifeline != WorkerConfig.Lifeline.NONE) pb.environment().put(WorkerConfig.LIFELINE, lifeline.name().toLowerCase());
        pb.redirectInput(stdin).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** The worker's events, as they come. */
    private static LinkedBlockingQueue<WorkerEvent> events(Process p) {
        LinkedBlockingQueue<WorkerEvent> events = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().map(EventCodec::decode).filter(Objects::nonNull).forEach(events::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                // the worker is gone
            }
        });
        return events;
    }

    @Test
    void withTheLifeline_closingStandardInput_endsTheWorkerAtOnce_notAtItsRendezvousTimeout() throws Exception {
        Process p = rank1(WorkerConfig.Lifeline.STDIN, 600, ProcessBuilder.Redirect.PIPE);
        LinkedBlockingQueue<WorkerEvent> events = events(p);
        WorkerEvent first = events.poll(2, TimeUnit.MINUTES);
        assertTrue(first instanceof WorkerEvent.Hello, "the worker started: " + first);
        p.getOutputStream().close();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the worker ended once its standard input closed, not after 600 s");
        assertEquals(WorkerExit.BROKEN.code(), p.exitValue());
        List<WorkerEvent> rest = new ArrayList<>();
        events.drainTo(rest);
        assertTrue(rest.stream().noneMatch(e -> e instanceof WorkerEvent.Done), "it never finished its checks: " + rest);
    }

    @Test
    void withoutTheLifeline_aStandardInputAtEndOfFile_isNoReasonToStop() throws Exception {
        Process p = rank1(WorkerConfig.Lifeline.NONE, 3, ProcessBuilder.Redirect.from(new File("/dev/null")));
        LinkedBlockingQueue<WorkerEvent> events = events(p);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the worker ended on its own");
        List<WorkerEvent> all = new ArrayList<>();
        WorkerEvent e;
        while ((e = events.poll(30, TimeUnit.SECONDS)) != null) {
            all.add(e);
            if (e instanceof WorkerEvent.Done) break;
        }
        assertTrue(all.stream().anyMatch(x -> x instanceof WorkerEvent.Done), "it ran to its end and said so: " + all);
    }
}
