package io.ncclffm.harness.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.protocol.NcclParameterSetting;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Which library files a cell run's ranks really ran, as each worker measured the file it mapped: ranks that ran the
 * same file share one entry. This, not the matrix's word, is what the grid and the Allure report show of a cell
 * run's library, beside the pin the matrix sets.
 *
 * <p>Where the release has NCCL's parameter API (2.30.4+), the settings the ranks ran with are part of it: every
 * parameter NCCL lists, with its value and source, as the ranks' parameter check read them.
 *
 * @param files      each distinct file, with the ranks that ran it, in rank order
 * @param pins       the sha256 the matrix pins for each rank, where it pins one
 * @param parameters each distinct set of NCCL parameters in effect, with the ranks that ran with it; empty where no
 *                   rank could read them (a release without the API, a check not run)
 */
public record Provenance(List<RankFiles> files, Map<Integer, String> pins, List<RankParameters> parameters) {

    /** One file and the ranks that ran it. */
    public record RankFiles(List<Integer> ranks, LibraryFile file) {
    }

    /** One set of NCCL parameters (sorted by key) and the ranks that ran with it. */
    public record RankParameters(List<Integer> ranks, List<NcclParameterSetting> settings) {
        public RankParameters {
            ranks = List.copyOf(ranks);
            settings = List.copyOf(settings);
        }

        /** The settings not at NCCL's default, e.g. {@code NCCL_DEBUG=WARN (environment)}. */
        public List<String> notDefault() {
            return settings.stream().filter(s -> !s.source().equals("default"))
                    .map(NcclParameterSetting::describe).toList();
        }
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
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
    }

    /** Files and pins only: a run whose ranks reported no parameters (and records written before they did). */
    public Provenance(List<RankFiles> files, Map<Integer, String> pins) {
        this(files, pins, List.of());
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
        return new Provenance(files, pins, parameters(run));
    }

    /** The settings each rank's parameter check carried, ranks with the same settings together. */
    private static List<RankParameters> parameters(CellRun run) {
        Map<List<NcclParameterSetting>, List<Integer>> ranksBySettings = new LinkedHashMap<>();
        for (RankOutput r : run.ranks()) {
            for (WorkerEvent e : r.events()) {
                if (!(e instanceof WorkerEvent.Check c)) continue;
                List<NcclParameterSetting> settings = NcclParameterSetting.fromData(c.result().data());
                if (settings.isEmpty()) continue;
                ranksBySettings.computeIfAbsent(settings, k -> new ArrayList<>()).add(r.rank());
                break;
            }
        }
        List<RankParameters> out = new ArrayList<>();
        ranksBySettings.forEach((settings, ranks) -> out.add(new RankParameters(ranks, settings)));
        return out;
    }

    /**
     * The parameters in a line for the grid, e.g. {@code 6 parameters; 1 set: NCCL_DEBUG=WARN (environment)}, per
     * set of ranks where they differ; {@code null} when no rank reported any.
     */
    public String parameterSummary() {
        if (parameters.isEmpty()) return null;
        List<String> parts = new ArrayList<>();
        for (RankParameters p : parameters) {
            List<String> set = p.notDefault();
            parts.add((parameters.size() > 1 ? ranks(p.ranks()) + ": " : "") + p.settings().size() + " parameters; "
                    + (set.isEmpty() ? "all at NCCL's default" : set.size() + " set: " + String.join(", ", set)));
        }
        return String.join(" · ", parts);
    }

    /** Every parameter, one line each, for the report's attachment: ranks, key, value and source. */
    public List<String> parameterLines() {
        List<String> out = new ArrayList<>();
        for (RankParameters p : parameters) {
            for (NcclParameterSetting s : p.settings()) {
                out.add(ranks(p.ranks()) + ": " + s.describe());
            }
        }
        if (out.isEmpty()) out.add("no rank reported NCCL's parameters (the release has no parameter API, or the check did not run)");
        return out;
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
