package io.ncclffm.harness.matrix;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The matrix file exactly as written, before validation. Jackson rejects unknown keys and wrong types here, with
 * their location; {@link MatrixLoader} turns this into {@link Matrix}.
 */
record RawMatrix(
        Map<String, RawRange> supported,
        RawDefaults defaults,
        List<RawCell> cells,
        List<RawWaiver> waivers,
        RawPerf perf) {

    /**
     * Perf mode's regression check: the release others are compared with, the tolerated slowdown, and the worlds
     * whose timings are charted but not judged (with why); {@code expect: regression} for a matrix that slows a
     * build on purpose to show the check catches it; how many runs (processes) each perf cell gets; whether a
     * candidate is timed beside the baseline in one process or in processes of its own.
     */
    record RawPerf(String baseline, Double threshold, RawNotJudged notJudged, String expect, Integer runs, String pairing) {
    }

    record RawNotJudged(List<Integer> worlds, String reason) {
    }

    record RawRange(String lowest, String highest) {
    }

    /** The settings {@code defaults} gives every cell, and a cell may set for itself. */
    record RawDefaults(List<Integer> worlds, JsonNode gpu, String timeout, Map<String, String> env, String network,
                       List<Integer> counts, List<String> checks) {
        static final RawDefaults NONE = new RawDefaults(null, null, null, null, null, null, null);
    }

    record RawCell(
            String name,
            String flavor,
            String version,
            RawImage image,
            RawHost host,
            String soPath,
            List<Integer> worlds,
            JsonNode gpu,
            String timeout,
            Map<String, String> env,
            String network,
            List<Integer> counts,
            List<String> checks,
            String mode,
            RawLibrary library,
            String launch,
            String release,
            List<String> mix,
            String launcher,
            RawSlurm slurm) {

        /** The settings this cell writes for itself, as {@code defaults} would write them. */
        RawDefaults settings() {
            return new RawDefaults(worlds, gpu, timeout, env, network, counts, checks);
        }
    }

    /** {@code launcher: slurm}'s settings: nodes, tasks per node, partition, account, time limit, more srun options. */
    record RawSlurm(Integer nodes, Integer tasksPerNode, String partition, String account, String time, List<String> srunOptions) {
    }

    /**
     * A library named by coordinates: one of {@code maven} (with {@code entry}), {@code debian} (with an optional
     * {@code file}), {@code pip} (with {@code entry} and an optional {@code findLinks}) or {@code wheel} (with
     * {@code entry}); {@code sha256} pins the library file it resolves to.
     */
    record RawLibrary(String maven, String entry, RawDebian debian, String file, String pip, String findLinks, String wheel,
                      String sha256) {
    }

    /** A Debian package pinned to one version, from one suite and its components. */
    record RawDebian(@JsonProperty("package") String packageName, String version, String suite, String components) {
    }

    /**
     * One of: {@code build} (a folder under images/ with {@code args}), {@code ref}, or {@code fromHost};
     * {@code sha256} pins the library file the ranks load (fromHost's file, or soPath inside the image).
     */
    record RawImage(String build, Map<String, String> args, String ref, String fromHost, String sha256) {
    }

    /** Process mode: the library on this host; {@code sha256} pins it. */
    record RawHost(String path, String sha256) {
    }

    /** {@code check} is one check id or glob, or a list of them that share the cell, worlds, reason and link. */
    record RawWaiver(String cell, @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> check,
                     List<Integer> worlds, String reason, String link, String kind) {
    }
}
