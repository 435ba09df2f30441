package io.ncclffm.harness.matrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;
import io.ncclffm.harness.protocol.WorkerConfig.Mode;

/**
 * The {@code cells} section: at least one cell, each named uniquely, with its flavor, version, library source
 * ({@link SourceValidator}), settings over the defaults ({@link DefaultsValidator}) and pin; and the mixed-release
 * cells, which name cells of the same file.
 */
final class CellsValidator {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]*";

    private final MatrixErrors errors;
    private final DefaultsValidator settings;
    private final SourceValidator sources;
    private final SlurmValidator slurm;

    CellsValidator(MatrixErrors errors) {
        this.errors = errors;
        this.settings = new DefaultsValidator(errors);
        this.sources = new SourceValidator(errors);
        this.slurm = new SlurmValidator(errors);
    }

    /** The file's cells, in its order; mixed cells name other cells, so those are read first. */
    List<Cell> cells(List<RawMatrix.RawCell> raw, DefaultsValidator.Settings defaults) {
        Where at = Where.TOP.key("cells");
        if (raw == null || raw.isEmpty()) throw errors.at(at, "expected at least one cell");
        Map<String, Cell> single = new LinkedHashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            RawMatrix.RawCell rc = raw.get(i);
            if (rc != null && rc.mix() == null) single.putIfAbsent(rc.name(), cell(at.index(i), rc, defaults));
        }
        List<Cell> cells = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            RawMatrix.RawCell rc = raw.get(i);
            Cell c = rc != null && rc.mix() != null ? mixed(at.index(i), rc, defaults, single) : cell(at.index(i), rc, defaults);
            Integer previous = names.putIfAbsent(c.name(), c.line());
            if (previous != null) {
                throw errors.at(at.index(i).key("name"), "duplicate cell '" + c.name() + "' (first defined at line " + previous
                        + "); cell names must be unique");
            }
            cells.add(c);
        }
        return List.copyOf(cells);
    }

    private Cell cell(Where at, RawMatrix.RawCell c, DefaultsValidator.Settings defaults) {
        if (c == null) throw errors.at(at, "expected a cell (a mapping with name, flavor, version, ...)");
        String name = name(at, c.name(), "nccl-2.22.3");
        Flavor flavor = errors.word(at.key("flavor"), errors.require(c.flavor(), at.key("flavor"), Words.choices(Flavor.class)),
                Flavor.class);
        NcclVersion version = version(at.key("version"), errors.require(c.version(), at.key("version"),
                "the version the library reports, e.g. 2.22.3"));
        Cell.Source source = sources.source(at, c, flavor);
        String soPath = soPath(at, c.soPath(), source);
        DefaultsValidator.Settings own = settings.settings(at, c.settings(), defaults);
        Mode mode = mode(at, c.mode());
        String release = c.release() == null || c.release().isBlank() ? null : c.release().strip();
        return own.applyTo(Cell.builder(name, flavor, version)).source(source, soPath).mode(mode).line(line(at)).release(release)
                .pinnedSha256(pin(at, c)).slurm(slurm.slurm(at, c, source, false, own.worlds(), own.timeout())).build();
    }

    /**
     * A mixed-release cell: {@code mix} names two or more cells whose libraries its ranks take in turn (rank r runs
     * {@code mix[r % n]}). It has no library of its own, and its members run as processes, since ranks of one
     * communicator share a host.
     */
    private Cell mixed(Where at, RawMatrix.RawCell c, DefaultsValidator.Settings defaults, Map<String, Cell> single) {
        String name = name(at, c.name(), "mix-2.22.3-2.23.4");
        for (String[] k : new String[][] {{"flavor", c.flavor()}, {"version", c.version()}, {"soPath", c.soPath()},
                {"launch", c.launch()}, {"release", c.release()}}) {
            if (k[1] != null) throw errors.at(at.key(k[0]), "a mixed cell takes " + k[0] + " from the cells it mixes; leave it out");
        }
        if (c.image() != null || c.host() != null || c.library() != null) {
            throw errors.at(at, "a mixed cell has no library of its own: 'mix' names the cells whose libraries its ranks run");
        }
        if (c.mix().size() < 2) throw errors.at(at.key("mix"), "expected two or more cell names, got " + c.mix());
        List<Cell> members = new ArrayList<>();
        for (int k = 0; k < c.mix().size(); k++) members.add(member(at.key("mix").index(k), c.mix().get(k), single));
        DefaultsValidator.Settings own = settings.settings(at, c.settings(), defaults);
        Mode mode = mode(at, c.mode());
        if (mode != Mode.CHECK) throw errors.at(at.key("mode"), "a mixed cell runs checks only, got '" + c.mode() + "'");
        Cell first = members.getFirst();
        return own.applyTo(Cell.builder(name, first.flavor(), first.version()))
                .source(first.source(), first.soPath()).mode(mode).line(line(at)).mix(members).pinnedSha256(first.pinnedSha256())
                .slurm(slurm.slurm(at, c, first.source(), true, own.worlds(), own.timeout())).build();
    }

    private Cell member(Where at, String name, Map<String, Cell> single) {
        Cell member = name == null ? null : single.get(name);
        if (member == null) {
            throw errors.at(at, "'" + name + "' is not a cell of this file (mixed cells cannot be mixed); cells are " + single.keySet());
        }
        if (member.source().containerized()) {
            throw errors.at(at, "'" + name + "' runs in containers; a mixed cell's members run as processes (host.path, or library "
                    + "with launch: process)");
        }
        return member;
    }

    private String name(Where at, String written, String example) {
        String name = errors.require(written, at.key("name"), "a cell name such as " + example);
        if (!name.matches(NAME)) throw errors.at(at.key("name"), "'" + name + "' must be letters, digits, '.', '_' or '-'");
        return name;
    }

    private NcclVersion version(Where at, String text) {
        try {
            return NcclVersion.parse(text);
        } catch (IllegalArgumentException e) {
            throw errors.at(at, e.getMessage());
        }
    }

    /** Where the ranks find the library: given for an image, the host path for a host cell, resolved later for a library. */
    private String soPath(Where at, String soPath, Cell.Source source) {
        Where where = at.key("soPath");
        switch (source) {
            case Cell.Coordinates ignored -> {
                if (soPath != null) throw errors.at(where, "a library cell's file is resolved from 'library'; leave soPath out");
            }
            case Cell.HostLibrary h -> {
                if (soPath != null && !soPath.equals(h.path())) throw errors.at(where, "a host cell's library is host.path; leave soPath out");
                soPath = h.path();
            }
            case Cell.HostFilesImage hf -> soPath = soPath != null ? soPath : hf.pathInImage();
            default -> soPath = errors.require(soPath, where, "the library's path inside the image");
        }
        if (soPath != null && !soPath.startsWith("/")) throw errors.at(where, "expected an absolute path, got '" + soPath + "'");
        return soPath;
    }

    private Mode mode(Where at, String written) {
        return written != null ? errors.word(at.key("mode"), written, Mode.class) : Mode.CHECK;
    }

    private int line(Where at) {
        return errors.line(at.pointer(), errors.line(at.key("name").pointer(), 0));
    }

    /**
     * The {@code sha256:} of the cell's library, host or image (exactly one of them is given), in lower case;
     * {@code null} when the cell pins none.
     */
    private String pin(Where at, RawMatrix.RawCell c) {
        String key = c.library() != null ? "library" : c.host() != null ? "host" : "image";
        String text = c.library() != null ? c.library().sha256() : c.host() != null ? c.host().sha256() : c.image().sha256();
        Where where = at.key(key).key("sha256");
        if (text == null) {
            // 'sha256:' written with no value reads as no pin at all; a pin the file meant to give is never dropped.
            if (errors.written(where.pointer())) {
                throw errors.at(where, "missing; expected the library file's SHA-256 as 64 hex digits (as sha256sum prints it), or "
                        + "no sha256 key for an unpinned library");
            }
            return null;
        }
        String hex = text.strip();
        if (!SHA256.matcher(hex).matches()) {
            throw errors.at(where, "expected the library file's SHA-256 as 64 hex digits (as sha256sum prints it), got '" + text + "'"
                    + (hex.length() != 64 ? " (" + hex.length() + " characters)" : ""));
        }
        return hex.toLowerCase(Locale.ROOT);
    }
}
