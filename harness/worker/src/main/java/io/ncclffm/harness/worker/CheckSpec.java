package io.ncclffm.harness.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.protocol.WorkerEvent.PlannedCheck;

/** A planned check, what it needs from the library and device, and its body. */
record CheckSpec(PlannedCheck planned, List<Requirement> requirements, CheckBody body) {

    CheckSpec {
        requirements = List.copyOf(requirements);
    }

    static CheckSpec of(String id, String group, Map<String, String> params, CheckBody body) {
        return of(id, group, params, List.of(), body);
    }

    static CheckSpec of(String id, String group, Map<String, String> params, List<Requirement> requirements,
                        CheckBody body) {
        return new CheckSpec(new PlannedCheck(id, group, new LinkedHashMap<>(params)), requirements, body);
    }

    String id() {
        return planned.id();
    }
}
