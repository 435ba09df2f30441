package io.ncclffm.harness.worker;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ncclffm.harness.model.WorkerEvent.PlannedCheck;

/** A planned check and its body. */
record CheckSpec(PlannedCheck planned, CheckBody body) {

    static CheckSpec of(String id, String group, Map<String, String> params, CheckBody body) {
        return new CheckSpec(new PlannedCheck(id, group, new LinkedHashMap<>(params)), body);
    }

    String id() {
        return planned.id();
    }
}
