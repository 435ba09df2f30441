package io.ncclffm.harness.cli;

import java.io.PrintStream;

/** One command of the standalone jar: its name, its usage text, and what it does with its arguments. */
interface Command {

    String name();

    /** The text {@code COMMAND --help} prints. */
    String usage();

    /**
     * Whether {@code --help} anywhere among the arguments asks for the usage. The matrix command finds it only in an
     * option's place, where a cell could be named "help".
     */
    default boolean helpAnywhere() {
        return true;
    }

    /**
     * Runs the command; returns the exit status.
     *
     * @throws Options.UsageError when the arguments are wrong; the caller prints it with the usage and exits 2
     */
    int run(String[] args, PrintStream out, PrintStream err);
}
