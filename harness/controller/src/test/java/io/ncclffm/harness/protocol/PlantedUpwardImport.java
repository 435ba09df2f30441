package io.ncclffm.harness.protocol;

import io.ncclffm.harness.launch.CellRun;

/**
 * A deliberately wrong class for {@code ArchitectureTest}: the protocol, which controller and worker share, importing
 * the controller's launcher. It lives in the test sources only, so that the architecture rules can be shown to catch
 * it; no main class may look like it.
 */
final class PlantedUpwardImport {

    private PlantedUpwardImport() {
    }

    static int world(CellRun run) {
        return run.world();
    }
}
