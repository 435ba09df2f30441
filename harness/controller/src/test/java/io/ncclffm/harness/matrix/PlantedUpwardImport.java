package io.ncclffm.harness.matrix;

import io.ncclffm.harness.report.CompatibilityGrid;

/**
 * A deliberately wrong class for {@code ArchitectureTest}: the matrix, the controller's lowest package, importing the
 * report, which depends on the matrix; an upward import and a package cycle at once. It lives in the test sources only.
 */
final class PlantedUpwardImport {

    private PlantedUpwardImport() {
    }

    static String markdown(CompatibilityGrid grid) {
        return grid.toMarkdown();
    }
}
