package io.ncclffm.harness.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.ncclffm.harness.launch.DockerEngine.Kind;
import io.ncclffm.harness.launch.DockerEngine.Resource;

/**
 * What runs of the harness left in Docker, found by their labels ({@link RunIdentity}) and removed: containers first
 * (with their anonymous volumes), then networks, then volumes. It only ever touches resources that carry the run
 * label: those of one run ({@link #removeRun}), or those whose controller is provably gone
 * ({@link #removeDeadControllers}). Unlabelled resources, and those of a live controller or of one that cannot be
 * judged from here (another host, boot or PID namespace), are left alone.
 */
public final class DockerLeftovers {

    /** What a sweep removed, and what it could not (with why). */
    public record Sweep(List<Resource> removed, List<String> failures) {
        public boolean foundNothing() {
            return removed.isEmpty() && failures.isEmpty();
        }
    }

    private final DockerEngine docker;

    public DockerLeftovers(DockerEngine docker) {
        this.docker = docker;
    }

    /** Removes every container, network and volume of run {@code runId}. */
    public Sweep removeRun(String runId) {
        return sweep(RunIdentity.RUN + "=" + runId, r -> true);
    }

    /** Removes what runs of controllers that are provably gone ({@link ControllerIdentity#provablyGone()}) left. */
    public Sweep removeDeadControllers() {
        return sweep(RunIdentity.RUN, r -> RunIdentity.fromLabels(r.labels()).map(id -> id.controller().provablyGone()).orElse(false));
    }

    private Sweep sweep(String label, Predicate<Resource> whose) {
        List<Resource> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            List<Resource> found;
            try {
                found = docker.list(kind, label);
            } catch (HarnessException e) {
                failures.add(e.getMessage());
                continue;
            }
            for (Resource r : found) {
                if (!whose.test(r)) continue;
                try {
                    docker.remove(r);
                    removed.add(r);
                } catch (HarnessException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        return new Sweep(List.copyOf(removed), List.copyOf(failures));
    }
}
