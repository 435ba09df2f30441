package io.ncclffm.harness.worker;

import java.io.PrintStream;
import java.nio.file.Path;

import io.ncclffm.Nccl;

/**
 * Loads NCCL/RCCL and prints what it is: its version code, decoded version and a fresh unique ID's fingerprint. The
 * controller's {@code probe} command starts it from the worker's jar ({@link io.ncclffm.harness.protocol.WorkerLaunch#probe}),
 * so that the controller itself makes no native call.
 */
public final class Probe {

    private Probe() {
    }

    /** {@code Probe [LIBRARY]}: exits 0 when the library loaded, 1 when it did not (the binding's error on stderr). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1) {
            err.println("probe takes at most one LIBRARY, got " + args.length + " arguments");
            return 2;
        }
        try {
            Nccl nccl = args.length == 1 ? Nccl.load(Path.of(args[0])) : Nccl.load();
            out.println(nccl + ": version code " + nccl.versionCode() + " = " + nccl.flavor().displayName() + " "
                    + nccl.version() + "; unique id " + nccl.newUniqueId().fingerprint());
            return 0;
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
