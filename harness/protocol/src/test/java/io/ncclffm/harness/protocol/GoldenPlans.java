package io.ncclffm.harness.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.protocol.WorkerEvent.PlannedCheck;

/**
 * {@code worker-plans.golden.json}: the plans the worker made by its own enumeration, before the catalog held it,
 * for a spread of rank configurations; and the {@code load} check every rank reports before its plan. The worker's
 * tests read the same file.
 */
record GoldenPlans(PlannedCheck load, List<Case> plans) {

    /** One rank's configuration, as the environment its worker reads, and the checks it planned, in order. */
    record Case(String name, Map<String, String> environment, List<PlannedCheck> checks) {

        WorkerConfig config() {
            return WorkerConfig.fromEnvironment(environment);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static GoldenPlans read() {
        try (InputStream in = GoldenPlans.class.getResourceAsStream("worker-plans.golden.json")) {
            if (in == null) throw new IllegalStateException("worker-plans.golden.json is not on the test class path");
            return EventCodec.mapper().readValue(in, GoldenPlans.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
