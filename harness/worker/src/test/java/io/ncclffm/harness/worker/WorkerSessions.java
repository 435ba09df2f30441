package io.ncclffm.harness.worker;

import java.util.HashMap;
import java.util.Map;

import io.ncclffm.harness.protocol.WorkerConfig;

/** Rank sessions of a world of one on the stub library, with a formed communicator, for worker tests. */
final class WorkerSessions {

    private WorkerSessions() {
    }

    static WorkerConfig config(String... extraEnv) {
        Map<String, String> env = new HashMap<>(Map.of(WorkerConfig.RANK, "0", WorkerConfig.WORLD, "1"));
        for (int i = 0; i < extraEnv.length; i += 2) env.put(extraEnv[i], extraEnv[i + 1]);
        return WorkerConfig.fromEnvironment(env);
    }

    /** Library loaded, unique ID made, communicator formed (non-blocking, as the worker makes it). */
    static RankSession withCommunicator(StubNcclLibrary stub, WorkerConfig config) {
        RankSession s = new RankSession(config);
        s.nccl = stub.load(22203);
        s.uniqueId = s.nccl.newUniqueId();
        s.comm = s.initCommunicator(1, 0, s.uniqueId);
        return s;
    }
}
