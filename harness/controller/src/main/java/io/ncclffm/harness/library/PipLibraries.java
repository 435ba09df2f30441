package io.ncclffm.harness.library;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.ncclffm.harness.matrix.LibrarySource;

/**
 * Downloads {@link LibrarySource.PipWheel}s with pip ({@code python3 -m pip download}, or the interpreter named by
 * {@code ncclffm.python}) and takes the library out of the wheel. The wheel is asked for by manylinux x86-64
 * platform tags rather than this interpreter's, so the same wheel is chosen whatever Python runs here.
 *
 * <p>A source with {@code findLinks} is downloaded from that folder only: pip runs isolated from its configuration
 * and environment, whose own find-links and indexes it would otherwise search as well. A source without it comes
 * from the indexes pip is configured with, which {@link #indexes()} reports for the cache key.
 */
public final class PipLibraries {

    /**
     * Every manylinux x86-64 tag up to glibc 2.39 (the GPU hosts'): pip matches {@code --platform} tags exactly, so
     * a wheel built for an older glibc is only found when its own tag is listed.
     */
    static final List<String> PLATFORMS = Stream.concat(
            IntStream.iterate(39, minor -> minor >= 5, minor -> minor - 1).mapToObj(minor -> "manylinux_2_" + minor + "_x86_64"),
            Stream.of("manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")).toList();

    /** The settings of {@code pip config list} that decide where pip looks for a wheel. */
    private static final Set<String> WHERE_PIP_LOOKS = Set.of("index-url", "extra-index-url", "find-links", "no-index");

    private final String python;
    private String indexes;

    public PipLibraries(String python) {
        this.python = python;
    }

    public static PipLibraries fromSystemProperties() {
        return new PipLibraries(System.getProperty("ncclffm.python", "python3"));
    }

    /** {@code null} when pip answers, else why it cannot be used (with what it printed). */
    public String problem() {
        try {
            Run r = run(List.of(python, "-m", "pip", "--version"), 60);
            return r.exit == 0 ? null : "'" + python + " -m pip --version' exited with " + r.exit + ": " + tail(r.output);
        } catch (LibraryException e) {
            return e.getMessage();
        }
    }

    /**
     * Where pip looks for a wheel when no find-links folder is given: its configured index-url, extra-index-url,
     * find-links and no-index settings (from its configuration files and {@code PIP_*} variables, as
     * {@code pip config list} shows them), sorted, or {@code pip's default index} when none is set. Asked once.
     */
    public synchronized String indexes() {
        if (indexes != null) return indexes;
        Run r = run(List.of(python, "-m", "pip", "config", "list"), 60);
        if (r.exit != 0) throw new LibraryException("'" + python + " -m pip config list' exited with " + r.exit + ": " + tail(r.output));
        List<String> settings = r.output.lines()
                .filter(line -> line.contains("=") && WHERE_PIP_LOOKS.contains(
                        line.substring(line.lastIndexOf('.', line.indexOf('=')) + 1, line.indexOf('='))))
                .sorted().toList();
        indexes = settings.isEmpty() ? "pip's default index" : String.join(" ", settings);
        return indexes;
    }

    /** Downloads the requirement's wheel into {@code workDir} and copies its entry to {@code target}. */
    void fetch(LibrarySource.PipWheel source, Path workDir, Path target) {
        String problem = problem();
        if (problem != null) throw new LibraryException("pip is needed for " + source.describe() + " and is not usable: " + problem);
        Path wheels;
        try {
            wheels = Files.createDirectories(workDir.resolve("wheels"));
        } catch (IOException e) {
            throw new LibraryException("cannot create " + workDir.resolve("wheels") + ": " + e.getMessage(), e);
        }
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                "--disable-pip-version-check", "--no-cache-dir", "-d", wheels.toString()));
        for (String p : PLATFORMS) cmd.addAll(List.of("--platform", p));
        boolean isolated = source.findLinks() != null;
        if (isolated) cmd.addAll(List.of("--isolated", "--no-index", "--find-links", source.findLinks().toString()));
        cmd.add(source.requirement());
        Run r = run(cmd, 3600, isolated);
        if (r.exit != 0) {
            throw new LibraryException("pip download " + source.requirement() + " failed (exit " + r.exit + "):\n" + tail(r.output));
        }
        Path wheel;
        try (Stream<Path> s = Files.list(wheels)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(".whl")).toList();
            if (found.size() != 1) {
                throw new LibraryException("pip download " + source.requirement() + " left " + found.size()
                        + " wheels in " + wheels + ", expected one:\n" + tail(r.output));
            }
            wheel = found.getFirst();
        } catch (IOException e) {
            throw new LibraryException("cannot list " + wheels + ": " + e.getMessage(), e);
        }
        ArchiveEntry.extract(wheel, source.entry(), target, "wheel " + wheel.getFileName());
    }

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> cmd, int timeoutSeconds) {
        return run(cmd, timeoutSeconds, false);
    }

    /**
     * @param isolated the command already carries {@code --isolated} (no {@code PIP_*} variables); with it, no
     *                 configuration file is read either ({@code PIP_CONFIG_FILE} set to the null device: pip's
     *                 {@code --isolated} alone still reads the global ones)
     */
    private static Run run(List<String> cmd, int timeoutSeconds, boolean isolated) {
        try {
            Path log = Files.createTempFile("ncclffm-pip", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                if (isolated) pb.environment().put("PIP_CONFIG_FILE", "/dev/null");
                Process p = pb.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new LibraryException(String.join(" ", cmd.subList(0, 4)) + " did not finish in " + timeoutSeconds + " s:\n"
                            + tail(Files.readString(log, StandardCharsets.UTF_8)));
                }
                return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new LibraryException("cannot run " + cmd.getFirst() + " (is Python with pip installed? set ncclffm.python to its path): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LibraryException("interrupted while running " + cmd.getFirst(), e);
        }
    }

    private static String tail(String output) {
        String[] lines = output.strip().split("\\R");
        return "  " + String.join("\n  ", Arrays.copyOfRange(lines, Math.max(0, lines.length - 20), lines.length));
    }
}
