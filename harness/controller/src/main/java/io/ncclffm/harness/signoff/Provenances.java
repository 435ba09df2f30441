package io.ncclffm.harness.signoff;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.ncclffm.harness.protocol.LibraryFile;
import io.ncclffm.harness.report.HostFacts;
import io.ncclffm.harness.report.Provenance;
import io.ncclffm.harness.report.RunManifest;

/**
 * What the two sides ran on, where it differs: the library files the ranks ran (sha256 and NCCL's build line), the NCCL
 * settings the matrix set, the GPUs, driver and CUDA, the host, the matrix file and the harness. A sign-off lists these
 * beside the checks: a pass on another GPU model or driver proves something else.
 */
final class Provenances {

    private Provenances() {
    }

    static List<String> changes(Side base, Side candidate, Map<String, RunManifest.CellRun> b, Map<String, RunManifest.CellRun> c) {
        List<String> out = new ArrayList<>();
        RunManifest.Run x = base.manifest().run(), y = candidate.manifest().run();
        differs(out, "matrix file", x.matrix() + " (sha256 " + x.matrixSha256() + ")", y.matrix() + " (sha256 " + y.matrixSha256() + ")");
        differs(out, "harness commit", x.commit(), y.commit());
        HostFacts h = base.manifest().host(), k = candidate.manifest().host();
        if (h == null || k == null) {
            if (h != k) out.add("host: only one side recorded its host (" + (h == null ? "the candidate" : "the base") + ")");
        } else {
            differs(out, "host", h.name(), k.name());
            differs(out, "GPUs", h.gpus().toString(), k.gpus().toString());
            differs(out, "driver", h.driver(), k.driver());
            differs(out, "CUDA", h.cuda(), k.cuda());
        }
        Set<String> slots = new LinkedHashSet<>(b.keySet());
        slots.retainAll(c.keySet());
        for (String slot : slots) {
            RunManifest.CellRun p = b.get(slot), q = c.get(slot);
            differs(out, slot + " library", files(p.provenance()), files(q.provenance()));
            differs(out, slot + " NCCL settings", p.settings().toString(), q.settings().toString());
            differs(out, slot + " release", p.release(), q.release());
        }
        return out;
    }

    private static void differs(List<String> out, String what, String before, String after) {
        if (!Objects.equals(before, after)) out.add(what + ": " + before + " → " + after);
    }

    /** Each distinct file: sha256 (12 hex digits) and build line. */
    private static String files(Provenance p) {
        if (p.files().isEmpty()) return "no rank said";
        Set<String> out = new LinkedHashSet<>();
        for (Provenance.RankFiles f : p.files()) {
            LibraryFile l = f.file();
            out.add(l.sha256().substring(0, Math.min(12, l.sha256().length())) + " (" + (l.buildLine() != null ? l.buildLine() : "no build line")
                    + ")");
        }
        return String.join(", ", out);
    }
}
