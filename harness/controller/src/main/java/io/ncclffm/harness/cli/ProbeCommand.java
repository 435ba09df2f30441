package io.ncclffm.harness.cli;

import java.io.PrintStream;
import java.util.List;

import io.ncclffm.harness.launch.HarnessException;
import io.ncclffm.harness.launch.WorkerBundle;
import io.ncclffm.harness.protocol.WorkerLaunch;

/** {@code probe [LIBRARY]}: the worker's probe, in a JVM of its own. */
final class ProbeCommand implements Command {

    private static final String USAGE = """
            usage: %s probe [LIBRARY]

            Loads NCCL/RCCL, in the worker's jar that this jar carries, and prints its version and a fresh unique id.

            arguments:
              LIBRARY   path of libnccl.so / librccl.so; without it, the system's library is searched

            exit status: 0 when the library loaded, 1 when it did not, 2 for a usage error""".formatted(Main.LAUNCH);

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1) throw new Options.UsageError("probe takes at most one LIBRARY, got " + List.of(args));
        try {
            return WorkerJar.run(WorkerLaunch.probe(WorkerJar.thisJava(), WorkerBundle.locateJar().toString(),
                    args.length > 0 ? args[0] : null), out, err);
        } catch (HarnessException e) {
            err.println(e.getMessage());
            return Main.ExitCode.FAILED.code();
        }
    }
}
