package io.ncclffm.harness.launch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A matrix run as Docker sees it: every container, network and volume the harness creates carries the run's id and
 * its controller ({@link ControllerIdentity}) as labels, so that whatever a run leaves behind can be found, and removed
 * once its controller is provably gone, without touching anything else on the daemon.
 *
 * @param runId      the run's id, as its reports folder names it
 * @param controller the process that runs it
 */
public record RunIdentity(String runId, ControllerIdentity controller) {

    /** Present on everything the harness creates; its value names the cell run. */
    public static final String LABEL = "io.ncclffm.harness";
    /** The matrix run's id. */
    public static final String RUN = LABEL + ".run";

    /** A run of this process. */
    public static RunIdentity of(String runId) {
        return new RunIdentity(runId, ControllerIdentity.current());
    }

    /** The labels of one cell run's resources: this run and its controller, and the cell run under {@link #LABEL}. */
    public Map<String, String> labels(String cellRun) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL, cellRun);
        labels.put(RUN, runId);
        labels.putAll(controller.toLabels());
        return labels;
    }

    /** The run and controller that {@link #labels} wrote; empty when a label is missing. */
    public static Optional<RunIdentity> fromLabels(Map<String, String> labels) {
        if (labels == null || labels.get(RUN) == null || labels.get(RUN).isBlank()) return Optional.empty();
        return ControllerIdentity.fromLabels(labels).map(c -> new RunIdentity(labels.get(RUN), c));
    }
}
