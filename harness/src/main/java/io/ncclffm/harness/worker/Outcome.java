package io.ncclffm.harness.worker;

import java.util.List;
import java.util.Map;

import io.ncclffm.harness.model.CheckStatus;
import io.ncclffm.harness.model.Mismatch;

/** What a check body concluded. */
record Outcome(CheckStatus status, String message, List<Mismatch> mismatches, Map<String, String> data) {

    static Outcome passed(String message) {
        return new Outcome(CheckStatus.PASSED, message, List.of(), Map.of());
    }

    static Outcome passed(String message, Map<String, String> data) {
        return new Outcome(CheckStatus.PASSED, message, List.of(), data);
    }

    static Outcome failed(String message) {
        return new Outcome(CheckStatus.FAILED, message, List.of(), Map.of());
    }

    static Outcome failed(String message, List<Mismatch> mismatches) {
        return new Outcome(CheckStatus.FAILED, message, mismatches, Map.of());
    }

    static Outcome failed(String message, Map<String, String> data) {
        return new Outcome(CheckStatus.FAILED, message, List.of(), data);
    }

    static Outcome skipped(String reason) {
        return new Outcome(CheckStatus.SKIPPED, reason, List.of(), Map.of());
    }

    static Outcome broken(String message) {
        return new Outcome(CheckStatus.BROKEN, message, List.of(), Map.of());
    }
}
