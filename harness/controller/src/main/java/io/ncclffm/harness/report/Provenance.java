package io.ncclffm.harness.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Which library files a cell run's ranks really ran, as each worker measured the file it mapped: ranks that ran the
 * same file share one entry. This, not the matrix's word, is what the grid and the Allure report show of a cell
 * run's library, beside the pin the matrix sets.
 *
 * @param files each distinct file, with the ranks that ran it, in rank order
 * @param pins  the sha256 the matrix pins for each rank, where it pins one
 */
public record Provenance(List<RankFiles> files, Map<Integer, String> pins) {

    /** One file and the ranks that ran it. */
    public record RankFiles(List<Integer> ranks, LibraryFile file) {
    }

    /** Whether a file matches what the matrix pins for its ranks. */
    public enum PinState {
        /** The matrix pins this hash for every rank that ran it. */
        MATCHES,
        /** The matrix pins another hash for at least one of its ranks. */
        DIFFERS,
        /** The matrix pins nothing for its ranks. */
        UNPINNED
    }

    /** A cell run of which no rank said what it ran (it never started, say). */
    public static final Provenance NONE = new Provenance(List.of(), Map.of());

    public Provenance {
        files = List.copyOf(files);
        pins = Map.copyOf(pins);
    }

    /** The files of {@code run}'s ranks, from their {@code loaded} events, with each rank's pin. */
    public static Provenance of(CellRun run) {
        Map<String, List<Integer>> ranksByFile = new LinkedHashMap<>();
        Map<String, LibraryFile> byKey = new LinkedHashMap<>();
        Map<Integer, String> pins = new TreeMap<>();
        for (RankOutput r : run.ranks()) {
            String pin = run.cell().forRank(r.rank()).pinnedSha256();
            if (pin != null) pins.put(r.rank(), pin);
            for (WorkerEvent e : r.events()) {
                if (!(e instanceof WorkerEvent.Loaded l)) continue;
                String key = l.library().path() + "|" + l.library().sha256();
                byKey.putIfAbsent(key, l.library());
                ranksByFile.computeIfAbsent(key, k -> new ArrayList<>()).add(r.rank());
                break;
            }
        }
        List<RankFiles> files = new ArrayList<>();
        ranksByFile.forEach((key, ranks) -> files.add(new RankFiles(ranks, byKey.get(key))));
        return new Provenance(files, pins);
    }

    /** Whether {@code f} is what the matrix pins for its ranks. */
    public PinState pinState(RankFiles f) {
        boolean anyPin = false;
        for (int r : f.ranks()) {
            String pin = pins.get(r);
            if (pin == null) continue;
            anyPin = true;
            if (!pin.equalsIgnoreCase(f.file().sha256())) return PinState.DIFFERS;
        }
        return anyPin ? PinState.MATCHES : PinState.UNPINNED;
    }

    /** e.g. {@code ranks 0, 1}, or {@code rank 0}. */
    public static String ranks(List<Integer> ranks) {
        return (ranks.size() == 1 ? "rank " : "ranks ") + String.join(", ", ranks.stream().map(String::valueOf).toList());
    }

    /**
     * One line per file, for logs and attachments: ranks, path, size, sha256, build line, whether the release is newer
     * than the binding knows, and pin.
     */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (RankFiles f : files) {
            LibraryFile l = f.file();
            out.add(ranks(f.ranks()) + ": " + l.path() + " (" + l.size() + " bytes, sha256 " + l.sha256() + ", "
                    + (l.buildLine() != null ? l.buildLine() : "no build line") + ", asked for " + l.requested() + "); "
                    + (l.newerThanBinding() != null ? l.newerThanBinding() + "; " : "")
                    + switch (pinState(f)) {
                        case MATCHES -> "matches the matrix's pin";
                        case DIFFERS -> "NOT the file the matrix pins (" + pins.get(f.ranks().getFirst()) + ")";
                        case UNPINNED -> "not pinned by the matrix";
                    });
        }
        if (out.isEmpty()) out.add("no rank said which library file it ran");
        return out;
    }
}
