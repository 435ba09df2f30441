package io.ncclffm.harness.matrix;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A validated matrix file. */
public record Matrix(Path file, List<Cell> cells, List<Waiver> waivers) {

    public Optional<Waiver> waiverFor(String cell, String checkId) {
        return waivers.stream().filter(w -> w.covers(cell, checkId)).findFirst();
    }

    /** Only the named cells (comma-separated names or globs); all when {@code filter} is null or blank. */
    public Matrix select(String filter) {
        if (filter == null || filter.isBlank()) return this;
        List<String> wanted = List.of(filter.split(","));
        List<Cell> chosen = cells.stream()
                .filter(c -> wanted.stream().map(String::strip).anyMatch(w -> Glob.matches(w, c.name()))).toList();
        if (chosen.isEmpty()) {
            throw new MatrixException(file + ": no cell matches '" + filter + "'; cells are "
                    + cells.stream().map(Cell::name).toList());
        }
        return new Matrix(file, chosen, waivers);
    }
}
