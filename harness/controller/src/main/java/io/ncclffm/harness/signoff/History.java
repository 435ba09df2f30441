package io.ncclffm.harness.signoff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.ncclffm.harness.report.Provenance;
import io.ncclffm.harness.report.RunFolder;
import io.ncclffm.harness.report.RunJournal;
import io.ncclffm.harness.report.RunManifest;

/**
 * The recent runs of a reports folder, for flakiness: a check that both passed and failed across the last
 * {@code window} runs of the same cell, world and library (by the sha256 of the files its ranks ran, with the same NCCL
 * settings) on the same host is flaky. Its change between two runs then says nothing of the library, and is neither a regression nor a fix.
 */
final class History {

    private final List<RunManifest> runs;
    private final int window;

    private History(List<RunManifest> runs, int window) {
        this.runs = runs;
        this.window = window;
    }

    /**
     * The runs in the folders beside each of {@code dirs} (their reports folders), newest first; a folder that is no
     * run's, or whose record cannot be read, is left out.
     */
    static History of(List<Path> dirs, int window) {
        Set<Path> roots = new TreeSet<>();
        for (Path d : dirs) {
            Path real = d.toAbsolutePath().normalize();
            try {
                real = d.toRealPath();
            } catch (IOException ignored) {
                // the path as given
            }
            if (real.getParent() != null) roots.add(real.getParent());
        }
        List<RunManifest> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Path root : roots) {
            try (Stream<Path> children = Files.list(root)) {
                for (Path run : children.filter(p -> !p.getFileName().toString().equals(RunFolder.LATEST))
                        .filter(p -> Files.isRegularFile(p.resolve(RunJournal.FILE))).toList()) {
                    RunManifest m = read(run);
                    if (m != null && seen.add(m.run().runId())) out.add(m);
                }
            } catch (IOException ignored) {
                // a reports folder that cannot be listed has no history to offer
            }
        }
        out.sort(Comparator.comparing(History::started).reversed());
        return new History(out, window);
    }

    private static Instant started(RunManifest m) {
        try {
            return Instant.parse(m.run().started());
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static RunManifest read(Path run) {
        try {
            return RunManifest.read(run);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The library a cell run ran: the sorted sha256s of its ranks' files, or {@code null} when no rank said. */
    static String library(RunManifest.CellRun c) {
        if (c.provenance().files().isEmpty()) return null;
        return String.join(",", new TreeSet<>(c.provenance().files().stream().map(Provenance.RankFiles::file)
                .map(f -> f.sha256()).toList()));
    }

    /**
     * Whether {@code check} both passed and failed in the last {@code window} runs on {@code host} of cell run
     * {@code like} with the same library, up to the run {@code of} (later runs are not its history).
     */
    boolean flaky(RunManifest of, RunManifest.CellRun like, String check) {
        String library = like == null ? null : library(like);
        String host = of.host() == null ? null : of.host().name();
        if (library == null || host == null) return false;
        Instant upTo = started(of);
        EnumSet<CheckChange.Outcome> seen = EnumSet.noneOf(CheckChange.Outcome.class);
        int counted = 0;
        for (RunManifest m : runs) {
            if (counted >= window) break;
            if (m.host() == null || !host.equals(m.host().name()) || started(m).isAfter(upTo)) continue;
            RunManifest.CellRun same = m.cellRuns().stream().filter(c -> c.cell().equals(like.cell()) && c.world() == like.world()
                    && c.run() == like.run() && library.equals(library(c)) && c.settings().equals(like.settings())).findFirst().orElse(null);
            if (same == null) continue;
            counted++;
            same.checks().stream().filter(k -> k.id().equals(check)).findFirst()
                    .ifPresent(k -> seen.add(CheckChange.Outcome.of(k)));
        }
        return seen.contains(CheckChange.Outcome.PASSED) && seen.contains(CheckChange.Outcome.FAILED);
    }

}
