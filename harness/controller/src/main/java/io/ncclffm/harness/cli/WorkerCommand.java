package io.ncclffm.harness.cli;

import java.io.PrintStream;
import java.util.List;

import io.ncclffm.harness.launch.WorkerBundle;
import io.ncclffm.harness.protocol.WorkerLaunch;

/** {@code worker}: one rank, from the worker's jar this jar carries; configured by NCCLFFM_* variables only. */
final class WorkerCommand implements Command {

    private static final String USAGE = """
            usage: %s worker

            Runs one rank from the worker's jar that this jar carries. Takes no arguments: the harness starts it and
            configures it through NCCLFFM_* environment variables (rank, world, rendezvous, checks).""".formatted(Main.LAUNCH);

    @Override
    public String name() {
        return "worker";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            throw new Options.UsageError("worker takes no arguments, got " + List.of(args) + "; it is configured by NCCLFFM_* variables");
        }
        return WorkerJar.run(WorkerLaunch.rank(WorkerJar.thisJava(), WorkerBundle.locateJar().toString(), null), out, err);
    }
}
