package io.ncclffm.harness.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standalone jar, for GPU hosts without Maven ({@code harness/controller/target/ncclffm-harness-0.1.0-SNAPSHOT-all.jar};
 * docs/gpu-hosts.md), run as {@code java --enable-native-access=ALL-UNNAMED -jar ncclffm-harness-0.1.0-SNAPSHOT-all.jar}:
 * <pre>
 *   matrix --matrix matrix/one-gpu.yaml [--cells GLOB,...] [--reports DIR] [--perf-c FILES]
 *   report --rebuild RUNDIR          (grid and gate of a killed run, from its journal)
 *   compare BASE CANDIDATE           (sign-off: what changed from one run, or cell, to another; GO or NO-GO)
 *   fetch --matrix FILE --into DIR   (the libraries a matrix names, for an offline GPU host)
 *   worker                           (one rank; configured by NCCLFFM_* variables)
 *   probe [PATH]                     (load a library and print what it is)
 *   faults PATH VER                  (GPU fault drill, see FaultDrill)
 *   [COMMAND] --help                 (what a command takes)
 * </pre>
 * Each command is a class of its own ({@link Command}) that reads its arguments with {@link Options}; this class picks
 * the command and prints the usage. The exit status is one of {@link ExitCode}.
 */
public final class Main {

    /** The process's exit status; the usage text lists them. */
    public enum ExitCode {
        /**
         * The gate passed: no unwaived check failed or broke (probe: the library loaded; faults: every case held;
         * help: the text was printed).
         */
        PASSED(0),
        /** The gate failed (probe: the library did not load; faults: a case did not hold). */
        FAILED(1),
        /** The command line or the matrix file is wrong; nothing ran. */
        USAGE_OR_MATRIX_ERROR(2);

        private final int code;

        ExitCode(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    static final String LAUNCH = "java --enable-native-access=ALL-UNNAMED -jar ncclffm-harness-all.jar";

    static final String EXIT_CODES = """
            exit status:
              0  the gate passed (probe: the library loaded; faults: every case held; compare: GO)
              1  the gate failed (probe: the library did not load; faults: a case did not hold; compare: NO-GO)
              2  usage or matrix error, nothing ran: unknown command or option, missing option value,
                 malformed matrix file, --cells matching no cell""";

    private static final String USAGE = """
            usage: %s COMMAND [ARGS]

            commands:
              matrix   run the compatibility matrix and its gate
              report   rebuild the grid and gate of a run from its journal (a run that was killed)
              compare  sign off moving from one run (or cell) to another: what changed, then GO or NO-GO
              fetch    resolve the libraries a matrix names into a folder, for offline GPU hosts
              worker   run one rank (started by the harness; configured by NCCLFFM_* variables)
              probe    load NCCL/RCCL and print its version
              faults   GPU fault drill: kill/freeze a rank in init and in a collective
              help     print this text

            COMMAND --help prints the command's arguments.

            %s""".formatted(LAUNCH, EXIT_CODES);

    /** Every command, in the order the usage lists them. */
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.of(new MatrixCommand(), new ReportCommand(), new CompareCommand(), new FetchCommand(), new WorkerCommand(),
                new ProbeCommand(), new FaultsCommand())) {
            COMMANDS.put(c.name(), c);
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit status (an {@link ExitCode}'s code, or the fault drill's). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("no command given");
            err.println();
            err.println(USAGE);
            return ExitCode.USAGE_OR_MATRIX_ERROR.code();
        }
        String name = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Options.HELP.contains(name)) {
            if (rest.length == 0) return printed(out, USAGE);
            Command c = COMMANDS.get(rest[0]);
            return c != null ? printed(out, c.usage()) : unknownCommand(err, rest[0]);
        }
        Command command = COMMANDS.get(name);
        if (command == null) return unknownCommand(err, name);
        if (command.helpAnywhere() && Arrays.stream(rest).anyMatch(Options.HELP::contains)) return printed(out, command.usage());
        try {
            return command.run(rest, out, err);
        } catch (Options.UsageError e) {
            return usageError(err, e.getMessage(), command.usage());
        }
    }

    private static int printed(PrintStream out, String text) {
        out.println(text);
        return ExitCode.PASSED.code();
    }

    private static int unknownCommand(PrintStream err, String name) {
        return usageError(err, "unknown command '" + name + "'; expected one of " + COMMANDS.keySet(), USAGE);
    }

    private static int usageError(PrintStream err, String message, String usage) {
        err.println(message);
        err.println();
        err.println(usage);
        return ExitCode.USAGE_OR_MATRIX_ERROR.code();
    }
}
