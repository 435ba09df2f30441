package io.ncclffm.harness.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's options, read from its arguments: options that take a value ({@code --matrix FILE}), flags
 * ({@code --allow-not-started}), each given at most once, and {@code --help}/{@code -h} in an option's place. A value
 * may not look like an option ({@code --cells --matrix} is {@code --cells} without a value). What is wrong is thrown as
 * a {@link UsageError} in the words the usage texts use.
 */
final class Options {

    /** What asks for a command's usage. */
    static final Set<String> HELP = Set.of("--help", "-h", "help");

    private final Map<String, String> values;
    private final boolean help;

    private Options(Map<String, String> values, boolean help) {
        this.values = values;
        this.help = help;
    }

    /**
     * @param valued   the options that take a value
     * @param flags    the options that take none
     * @param expected what an unknown option's error says was expected, e.g. {@code --rebuild RUNDIR}
     */
    static Options parse(String[] args, List<String> valued, List<String> flags, String expected) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (HELP.contains(option)) return new Options(Map.of(), true);
            String value;
            if (flags.contains(option)) {
                value = "true";
            } else if (valued.contains(option)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) throw new UsageError("option " + option + " needs a value");
                value = args[++i];
            } else {
                throw new UsageError("unknown option '" + option + "'; expected " + expected);
            }
            if (values.put(option, value) != null) throw new UsageError("option " + option + " is given twice");
        }
        return new Options(Map.copyOf(values), false);
    }

    /** {@code a, b or c}. */
    static String oneOf(List<String> words) {
        if (words.size() == 1) return words.getFirst();
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
    }

    /** The options a command takes, value options first: {@code --matrix, --into, --cells or --maven-allow-http}. */
    static String oneOf(List<String> valued, List<String> flags) {
        List<String> all = new ArrayList<>(valued);
        all.addAll(flags);
        return oneOf(all);
    }

    /** Whether {@code --help} was asked for, in an option's place. */
    boolean help() {
        return help;
    }

    boolean has(String option) {
        return values.containsKey(option);
    }

    /** The option's value, or {@code null} when it was not given. */
    String get(String option) {
        return values.get(option);
    }

    String getOrDefault(String option, String def) {
        return values.getOrDefault(option, def);
    }

    /** The command line is wrong: the message says how, and the command's usage follows it. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }
}
