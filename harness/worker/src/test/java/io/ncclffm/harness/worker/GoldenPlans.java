package io.ncclffm.harness.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.protocol.WorkerEvent.PlannedCheck;

/**
 * The plans in the protocol's golden file, captured from the worker's own enumeration of its checks before the
 * protocol had one: for each of a spread of rank configurations, the checks the rank planned, in order, and the
 * {@code load} check every rank reports before its plan.
 */
record GoldenPlans(PlannedCheck load, List<Case> plans) {

    static final Path FILE = Path.of("../protocol/src/test/resources/io/ncclffm/harness/protocol/worker-plans.golden.json");

    /** One rank's configuration, as the environment its worker reads, and the checks it planned. */
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
        try {
            return EventCodec.mapper().readValue(FILE.toFile(), GoldenPlans.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE.toAbsolutePath(), e);
        }
    }
}
