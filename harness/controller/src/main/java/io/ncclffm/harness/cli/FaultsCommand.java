package io.ncclffm.harness.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code faults LIBRARY VERSION}: the GPU fault drill ({@link FaultDrill}). */
final class FaultsCommand implements Command {

    private static final String USAGE = """
            usage: %s faults LIBRARY VERSION

            GPU fault drill: kills (SIGKILL) or freezes (SIGSTOP) a rank in communicator init and in a
            collective, and checks that the failure is reported and no rank is left behind.

            arguments:
              LIBRARY   path of the NCCL library on this host, e.g. /usr/lib/x86_64-linux-gnu/libnccl.so.2
              VERSION   the version it reports, e.g. 2.28.3

            exit status: 0 when every case held, 1 when one did not, 2 for a usage error""".formatted(Main.LAUNCH);

    @Override
    public String name() {
        return "faults";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2) throw new Options.UsageError("faults takes LIBRARY VERSION, got " + List.of(args));
        return FaultDrill.run(args[0], args[1]);
    }
}
