package io.ncclffm.harness.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The {@code waivers} section: every accepted gap names its cells and checks, next to its reason and link. */
final class WaiversValidator {

    private final MatrixErrors errors;

    WaiversValidator(MatrixErrors errors) {
        this.errors = errors;
    }

    List<Waiver> waivers(List<RawMatrix.RawWaiver> raw, Set<String> cellNames) {
        if (raw == null) return List.of();
        List<Waiver> waivers = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) waivers.addAll(waiver(Where.TOP.key("waivers").index(i), raw.get(i), cellNames));
        return List.copyOf(waivers);
    }

    /** One waiver per check the entry names ({@code check} is one id or glob, or a list of them). */
    private List<Waiver> waiver(Where at, RawMatrix.RawWaiver w, Set<String> cellNames) {
        String cell = errors.require(w.cell(), at.key("cell"), "a cell name or glob");
        List<String> checks = checks(at.key("check"), w.check());
        String reason = errors.require(w.reason(), at.key("reason"), "why this gap is accepted");
        String link = errors.require(w.link(), at.key("link"), "an issue or release-note link");
        if (!link.startsWith("http://") && !link.startsWith("https://")) {
            throw errors.at(at.key("link"), "expected an http(s) link, got '" + link + "'");
        }
        Waiver.Kind kind = w.kind() == null ? Waiver.Kind.WAIVER : errors.word(at.key("kind"), w.kind(), Waiver.Kind.class);
        if (cellNames.stream().noneMatch(n -> Glob.matches(cell, n))) {
            throw errors.at(at.key("cell"), "'" + cell + "' matches no cell; cells are " + cellNames);
        }
        if (w.worlds() != null && w.worlds().stream().anyMatch(n -> n == null || n < 1)) {
            throw errors.at(at.key("worlds"), "expected world sizes >= 1, got " + w.worlds());
        }
        int line = errors.line(at.pointer(), 0);
        return checks.stream().map(check -> new Waiver(cell, check, w.worlds(), reason, link, kind, line)).toList();
    }

    private List<String> checks(Where at, List<String> written) {
        if (written == null || written.isEmpty()) throw errors.at(at, "missing; expected a check id or glob, e.g. graph/*, or a list of them");
        List<String> checks = new ArrayList<>();
        for (int k = 0; k < written.size(); k++) {
            checks.add(errors.require(written.get(k), written.size() == 1 ? at : at.index(k), "a check id or glob, e.g. graph/*"));
        }
        return checks;
    }
}
