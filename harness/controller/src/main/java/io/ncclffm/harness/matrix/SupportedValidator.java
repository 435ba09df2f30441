package io.ncclffm.harness.matrix;

import java.util.List;
import java.util.Map;

import io.ncclffm.Flavor;
import io.ncclffm.NcclVersion;

/**
 * The {@code supported} section, pgjdbc's rule: the lowest and highest supported versions of every flavor are always
 * in the matrix.
 */
final class SupportedValidator {

    private final MatrixErrors errors;

    SupportedValidator(MatrixErrors errors) {
        this.errors = errors;
    }

    void check(Map<String, RawMatrix.RawRange> supported, List<Cell> cells) {
        if (supported == null) return;
        for (var e : supported.entrySet()) {
            Where at = Where.TOP.key("supported").key(e.getKey());
            Flavor flavor = errors.word(at, e.getKey(), Flavor.class);
            RawMatrix.RawRange r = e.getValue();
            bound(at, "lowest", r == null ? null : r.lowest(), flavor, cells);
            bound(at, "highest", r == null ? null : r.highest(), flavor, cells);
        }
    }

    /** One end of the range: a version, which a cell of the flavor must test. */
    private void bound(Where at, String end, String written, Flavor flavor, List<Cell> cells) {
        if (written == null) throw errors.at(at, "expected lowest and highest");
        NcclVersion v;
        try {
            v = NcclVersion.parse(written);
        } catch (IllegalArgumentException e) {
            throw errors.at(at.key(end), e.getMessage());
        }
        if (cells.stream().noneMatch(c -> c.flavor() == flavor && c.version().equals(v))) {
            throw errors.at(at, "no cell tests " + flavor.displayName() + " " + v
                    + "; the lowest and highest supported versions must always be in the matrix");
        }
    }
}
