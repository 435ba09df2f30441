package io.ncclffm.harness.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.core.type.TypeReference;

import io.ncclffm.harness.protocol.EventCodec;
import io.ncclffm.harness.protocol.WorkerConfig;

/**
 * How the worker runs each planned check (what it needs, what its failure blocks, whether a broken communicator
 * after it is re-created), against {@code worker-steps.golden.json}: captured from the worker's plan before the
 * catalog held the enumeration, for the configurations of the protocol's golden plans. The file holds runs of
 * consecutive checks run alike, {@code [needs, blocksOnFailure, recreateIfBroken, how many]}, in plan order.
 */
class RankWorkerStepsTest {

    static List<GoldenPlans.Case> cases() {
        return GoldenPlans.read().plans();
    }

    private static Map<String, List<List<Object>>> golden() {
        try (InputStream in = RankWorkerStepsTest.class.getResourceAsStream("worker-steps.golden.json")) {
            return EventCodec.mapper().readValue(in, new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The steps as runs of consecutive steps that are run alike. */
    private static List<List<Object>> runs(List<RankWorker.Step> steps) {
        List<List<Object>> runs = new ArrayList<>();
        for (RankWorker.Step st : steps) {
            List<Object> how = Arrays.asList(st.needs().name(), st.blocksOnFailure(), st.recreateIfBroken());
            List<Object> last = runs.isEmpty() ? null : runs.getLast();
            if (last != null && last.subList(0, 3).equals(how)) {
                last.set(3, (Integer) last.get(3) + 1);
            } else {
                List<Object> run = new ArrayList<>(how);
                run.add(1);
                runs.add(run);
            }
        }
        return runs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStep_needsBlocksAndRecreatesAsCaptured(GoldenPlans.Case golden) {
        WorkerConfig config = golden.config();
        RankWorker worker = new RankWorker(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try (RankSession s = new RankSession(config)) {
            assertEquals(golden().get(golden.name()), runs(worker.plan(s)));
        }
    }
}
