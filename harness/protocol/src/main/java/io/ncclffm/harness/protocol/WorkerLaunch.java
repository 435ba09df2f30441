package io.ncclffm.harness.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * How the worker's jar is started, the same way by every launcher: a rank as a local process or inside a container,
 * and the probe. The jar is self-contained (the worker, the binding, the device runtime and the native code they
 * carry); the launcher provides a Java runtime, the jar, and a scratch directory. Paths are strings because a
 * container's paths are not this machine's.
 */
public final class WorkerLaunch {

    /** A rank: configured by its environment ({@link WorkerConfig}), writes {@link WorkerEvent}s on standard output. */
    public static final String RANK_WORKER = "io.ncclffm.harness.worker.RankWorker";
    /** Loads NCCL/RCCL (the path as its one argument, or the binding's default) and prints what it is. */
    public static final String PROBE = "io.ncclffm.harness.worker.Probe";

    /**
     * The worker makes downcalls; ranks are small and short-lived, so the serial collector keeps a rank's JVM from
     * starting a thread per core on a large host. The JVM's own warnings go to standard error: standard output is
     * the event pipe, which carries nothing but events.
     */
    static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
            "-XX:+DisplayVMOutputToStderr");

    private WorkerLaunch() {
    }

    /**
     * The command line of one rank.
     *
     * @param java    the {@code java} executable where the rank runs
     * @param jar     the worker's jar there
     * @param scratch where the worker may unpack the native libraries its jar carries (it becomes the JVM's
     *                temporary directory): writable by the rank's user, on a file system that allows executing
     *                what is there; {@code null} keeps the JVM's default
     */
    public static List<String> rank(String java, String jar, String scratch) {
        return command(java, jar, scratch, RANK_WORKER, List.of());
    }

    /** The command line of the probe of {@code library} (or of the binding's default library when {@code null}). */
    public static List<String> probe(String java, String jar, String library) {
        return command(java, jar, null, PROBE, library == null ? List.of() : List.of(library));
    }

    private static List<String> command(String java, String jar, String scratch, String main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JVM_OPTIONS);
        if (scratch != null) cmd.add("-Djava.io.tmpdir=" + scratch);
        cmd.addAll(List.of("-cp", jar, main));
        cmd.addAll(args);
        return List.copyOf(cmd);
    }
}
