package io.ncclffm.harness.protocol;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.ncclffm.harness.protocol.PerfPoint;

/**
 * One line of a rank worker's event pipe (its standard output as the launcher sees it). Every line is a complete JSON
 * object with an {@code event} field, flushed as soon as it is known, so that whatever a rank measured survives the
 * rank's death.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
@JsonSubTypes({
        @JsonSubTypes.Type(value = WorkerEvent.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = WorkerEvent.Loaded.class, name = "loaded"),
        @JsonSubTypes.Type(value = WorkerEvent.Plan.class, name = "plan"),
        @JsonSubTypes.Type(value = WorkerEvent.Check.class, name = "check"),
        @JsonSubTypes.Type(value = WorkerEvent.Init.class, name = "init"),
        @JsonSubTypes.Type(value = WorkerEvent.Perf.class, name = "perf"),
        @JsonSubTypes.Type(value = WorkerEvent.Progress.class, name = "progress"),
        @JsonSubTypes.Type(value = WorkerEvent.Done.class, name = "done"),
        @JsonSubTypes.Type(value = WorkerEvent.Hung.class, name = "hung"),
        @JsonSubTypes.Type(value = WorkerEvent.Fatal.class, name = "fatal"),
})
public sealed interface WorkerEvent {

    int rank();

    /** The worker started: who and where. */
    record Hello(int rank, int world, long pid, String host, String javaVersion, Map<String, String> environment)
            implements WorkerEvent {
    }

    /** The library loaded: which file the process really runs (sent before the {@code load} check's result). */
    record Loaded(int rank, LibraryFile library) implements WorkerEvent {
    }

    /** The checks this rank will report, known once the library's version is. */
    record Plan(int rank, List<PlannedCheck> checks) implements WorkerEvent {
    }

    /**
     * One check the rank will report.
     *
     * @param requirements what it needs from the library and device; a check the release or device cannot run is
     *                     reported as skipped with the first unmet one
     */
    record PlannedCheck(String id, String group, Map<String, String> params, List<Requirement> requirements) {
        public PlannedCheck {
            params = params == null ? Map.of() : Map.copyOf(params);
            requirements = requirements == null ? List.of() : List.copyOf(requirements);
        }
    }

    record Check(int rank, CheckResult result) implements WorkerEvent {
    }

    /**
     * The rank's communicator was made: what it cost and on which device. Sent as soon as init returns, before the
     * comm-init check says whether the communicator is right.
     *
     * @param initMillis        wall time of the init call
     * @param deviceMemoryBytes drop of the device's free memory across the init call; device-wide, so ranks sharing
     *                          one GPU count together (negative when it grew)
     * @param computeCapability e.g. 90 for sm_90
     * @param driver            the device runtime's own description of the driver
     */
    record Init(int rank, int world, long initMillis, long deviceMemoryBytes, String device, String pciBusId,
                int computeCapability, String driver) implements WorkerEvent {
    }

    record Perf(int rank, PerfPoint point, Map<String, String> extra) implements WorkerEvent {
    }

    /** A phase started; lets the harness say where a rank was when it died or hung. */
    record Progress(int rank, String phase) implements WorkerEvent {
    }

    record Done(int rank, int passed, int failed, int skipped, int broken, long millis) implements WorkerEvent {
    }

    /**
     * A call into the library did not return within its bound, so the rank ends now. A call NCCL never returns from
     * cannot be recovered in that process, and no peer can complete a collective without it. The rank has reported
     * (or reports next) the check the call belonged to as failed with {@link Cause#TIMEOUT}, the rest of its plan as
     * not run, and {@code done}; a call that hung outside any check is followed by {@link Fatal} instead.
     *
     * @param call        the C function, e.g. {@code ncclCommAbort}
     * @param phase       where the rank was: the check it ran, or what it did between checks
     * @param boundMillis the bound the call overran
     */
    record Hung(int rank, String call, String phase, long boundMillis) implements WorkerEvent {
    }

    /** The worker is about to stop abnormally (watchdog, unexpected exception). */
    record Fatal(int rank, String message, String stackTrace) implements WorkerEvent {
    }
}
