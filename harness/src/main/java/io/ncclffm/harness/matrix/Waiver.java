package io.ncclffm.harness.matrix;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;

/**
 * A known gap or a waived failure, declared next to its reason and a link. A waived check that fails is reported
 * as waived (skipped, with the reason) instead of failing the gate; one that passes is reported as passing and
 * the waiver as stale.
 *
 * @param cell   cell name, or a glob such as {@code rccl-*}
 * @param check  check id glob, e.g. {@code graph/*}
 * @param kind   {@code known-gap} (the library lacks it) or {@code waiver} (a failure accepted for now)
 */
public record Waiver(String cell, String check, String reason, String link, String kind, int line) {

    public boolean covers(String cellName, String checkId) {
        return glob(cell).matches(Path.of(cellName)) && glob(check).matches(Path.of(checkId));
    }

    private static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    }
}
