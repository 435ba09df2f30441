package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ncclffm.harness.protocol.CheckStatus;
import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;
import io.ncclffm.harness.protocol.WorkerExit;

/** A perf rank's event stream against the stub library, whose communicator init fails as NCCL's does without a GPU. */
class PerfModeEventsTest {

    static StubNcclLibrary stub;

    @BeforeAll
    static void build() throws Exception {
        stub = StubNcclLibrary.get();
    }

    @Test
    void aPerfRank_saysHelloFirst_asACheckRankDoes_thenReportsItsLoad() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stub.reset(22203, true);
        System.setProperty("ncclffm.so.path", stub.path.toString());
        WorkerExit exit;
        try {
            exit = new PerfRunner(WorkerSessions.config(WorkerConfig.MODE, "perf"),
                    new Reporter(0, new PrintStream(out, true, StandardCharsets.UTF_8))).run();
        } finally {
            System.clearProperty("ncclffm.so.path");
            stub.reset(22203, false);
        }
        List<WorkerEvent> events = out.toString(StandardCharsets.UTF_8).lines().map(EventCodec::decode).filter(Objects::nonNull).toList();
        assertInstanceOf(WorkerEvent.Hello.class, events.getFirst(), "the controller trusts nothing before the hello: " + events);
        assertEquals(1, events.stream().filter(e -> e instanceof WorkerEvent.Hello).count());
        WorkerEvent.Check load = events.stream().filter(e -> e instanceof WorkerEvent.Check).map(e -> (WorkerEvent.Check) e)
                .findFirst().orElseThrow();
        assertEquals("load", load.result().id());
        assertEquals(CheckStatus.PASSED, load.result().status(), load.result().message());
        assertEquals(WorkerExit.BROKEN, exit, "the stub's communicator init fails");
    }
}
