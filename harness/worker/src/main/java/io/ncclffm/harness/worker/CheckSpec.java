package io.ncclffm.harness.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.harness.protocol.Requirement;
import io.ncclffm.harness.protocol.WorkerEvent.PlannedCheck;

/** A planned check (with what it needs from the library and device, as the plan announces it) and its body. */
record CheckSpec(PlannedCheck planned, CheckBody body) {

    static CheckSpec of(String id, String group, Map<String, String> params, CheckBody body) {
        return of(id, group, params, List.of(), body);
    }

    static CheckSpec of(String id, String group, Map<String, String> params, List<Requirement> requirements,
                        CheckBody body) {
        return new CheckSpec(new PlannedCheck(id, group, new LinkedHashMap<>(params), requirements), body);
    }

    String id() {
        return planned.id();
    }

    List<Requirement> requirements() {
        return planned.requirements();
    }
}
