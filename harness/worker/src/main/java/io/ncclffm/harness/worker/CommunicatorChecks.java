package io.ncclffm.harness.worker;

import static io.ncclffm.harness.protocol.CheckCatalog.HUNG_INIT_TIMEOUT;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ncclffm.Communicator;
import io.ncclffm.InitOptions;
import io.ncclffm.NcclException;
import io.ncclffm.NcclTimeoutException;
import io.ncclffm.UniqueId;
import io.ncclffm.device.DeviceRuntime;
import io.ncclffm.device.DeviceRuntimes;
import io.ncclffm.device.DeviceUnavailableException;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckKey;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent;

/** Communicator life cycle: forming, the no-GPU failure, aborting a hung init, and the collective destroy. */
final class CommunicatorChecks {

    /** Slack for the abort itself and thread scheduling. */
    static final Duration ABORT_SLACK = Duration.ofSeconds(5);

    private CommunicatorChecks() {
    }

    static CheckBody body(RankSession s, CheckKey.Lifecycle key) {
        return switch (key) {
            case UNIQUE_ID -> ExchangeChecks.uniqueId(s);
            case INIT -> init(s);
            case INIT_WITHOUT_GPU -> initWithoutGpu(s);
            case ABORT_HUNG_INIT -> abortHungInit(s);
            case DESTROY -> destroy(s);
        };
    }

    /**
     * On a machine without a GPU, init must fail as a clean {@link NcclException} that carries NCCL's own words,
     * never crash or hang.
     */
    private static CheckBody initWithoutGpu(RankSession s) {
        return () -> {
            try (Communicator c = s.initCommunicator(s.config.world(), s.config.rank(), s.uniqueId)) {
                return Outcome.failed(Cause.OTHER_FAILURE, "init succeeded on a machine the cell declares GPU-less: " + c);
            } catch (NcclException e) {
                if (e.errorString() == null || e.errorString().isBlank()) {
                    return Outcome.failed(Cause.OTHER_FAILURE, "NcclException without ncclGetErrorString text: " + e.getMessage());
                }
                Map<String, String> data = new LinkedHashMap<>();
                data.put("result", e.result().cName());
                data.put("raw", Integer.toString(e.rawResult()));
                data.put("errorString", e.errorString());
                if (e.lastError() != null) data.put("lastError", e.lastError());
                return Outcome.passed("failed cleanly: " + e.getMessage(), data);
            }
        };
    }

    private static CheckBody init(RankSession s) {
        WorkerConfig c = s.config;
        return () -> {
            DeviceRuntime device;
            try {
                device = DeviceRuntimes.open(c.identity().gpu() == WorkerConfig.Gpu.HIP ? DeviceRuntimes.Platform.HIP : DeviceRuntimes.Platform.CUDA);
            } catch (DeviceUnavailableException e) {
                return Outcome.broken("the cell assigns a GPU but none is usable here: " + e.getMessage());
            }
            device.useDevice(c.identity().device());
            s.device = device;
            s.stream = device.createStream();
            DeviceRuntime.MemoryInfo before = device.memoryInfo();
            long t0 = System.nanoTime();
            s.comm = s.initCommunicator(c.world(), c.rank(), s.uniqueId);
            long initMs = (System.nanoTime() - t0) / 1_000_000;
            DeviceRuntime.MemoryInfo after = device.memoryInfo();
            long memory = before.free() - after.free();
            String name = device.deviceName(c.identity().device());
            String pciBusId = device.pciBusId(c.identity().device());
            s.events.accept(new WorkerEvent.Init(c.rank(), c.world(), initMs, memory, name, pciBusId,
                    device.computeCapability(c.identity().device()), device.describe()));
            Map<String, String> data = new LinkedHashMap<>();
            int count = s.comm.count();
            int userRank = s.comm.userRank();
            int cuDevice = s.comm.cuDevice();
            data.put("count", Integer.toString(count));
            data.put("userRank", Integer.toString(userRank));
            data.put("cuDevice", Integer.toString(cuDevice));
            if (count != c.world() || userRank != c.rank()) {
                return Outcome.failed(Cause.OTHER_FAILURE, "communicator formed wrong: ncclCommCount=" + count + " (expected " + c.world()
                        + "), ncclCommUserRank=" + userRank + " (expected " + c.rank() + ")", data);
            }
            if (cuDevice != c.identity().device()) {
                return Outcome.failed(Cause.OTHER_FAILURE, "ncclCommCuDevice=" + cuDevice + ", expected device " + c.identity().device(), data);
            }
            return Outcome.passed("rank " + userRank + " of " + count + " on " + name + " (" + pciBusId
                    + ") in " + initMs + " ms, " + memory / (1 << 20) + " MiB of device memory", data);
        };
    }

    /**
     * A communicator whose peer never arrives must be aborted within its timeout. Rank 0 starts a world of two
     * with a fresh ID nobody else has, non-blocking, and expects {@link NcclTimeoutException} in time.
     */
    private static CheckBody abortHungInit(RankSession s) {
        return () -> {
            UniqueId lonely = s.nccl.newUniqueId();
            long t0 = System.nanoTime();
            try (Communicator c = s.nccl.initRank(2, 0, lonely, InitOptions.nonBlocking(HUNG_INIT_TIMEOUT))) {
                return Outcome.failed(Cause.OTHER_FAILURE, "a world of two formed with only one rank: " + c);
            } catch (NcclTimeoutException e) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                Map<String, String> data = Map.of("elapsedMs", Long.toString(ms), "timeoutMs", Long.toString(HUNG_INIT_TIMEOUT.toMillis()));
                if (ms > HUNG_INIT_TIMEOUT.plus(ABORT_SLACK).toMillis()) {
                    return Outcome.failed(Cause.OTHER_FAILURE, "aborted, but only after " + ms + " ms (timeout " + HUNG_INIT_TIMEOUT.toMillis() + " ms)", data);
                }
                return Outcome.passed("hung init aborted after " + ms + " ms (timeout " + HUNG_INIT_TIMEOUT.toMillis() + " ms): "
                        + e.getMessage(), data);
            }
        };
    }

    private static CheckBody destroy(RankSession s) {
        return () -> {
            long t0 = System.nanoTime();
            Communicator c = s.comm;
            c.close();
            return Outcome.passed("finalized and destroyed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        };
    }
}
