package io.ncclffm.harness.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ncclffm.NcclException;
import io.ncclffm.NcclParameters;
import io.ncclffm.NcclResult;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.NcclParameterSetting;

/**
 * NCCL's parameter API (2.30.4+) against what the rank was started with: every NCCL parameter key that the rank's
 * environment sets (the cell's {@code env} and the launcher's variables) must read back with that value, by key
 * ({@code ncclParamGetParameter}) and, for a string parameter, through a bound handle ({@code ncclParamBind},
 * {@code ncclParamGetStr}). The result carries every parameter in effect, with its value and source, for the cell
 * run's report ({@link NcclParameterSetting}), and NCCL's own dump ({@code ncclParamDumpAll}, with who set each
 * value) goes to the rank's log.
 *
 * <p>Only keys NCCL lists are comparable: through 2.30.7 NCCL's registry holds its debug and logging settings,
 * not the older ones such as {@code NCCL_PROTO}, which NCCL still reads but the API does not know.
 */
final class ParameterChecks {

    private ParameterChecks() {
    }

    /** What one environment key read back as: by key, and through a handle where the parameter is a string. */
    record ReadBack(String key, String expected, String byKey, String byHandle) {
    }

    static Outcome fromEnvironment(RankSession s) {
        NcclParameters p = s.nccl.parameters();
        List<NcclParameters.Setting> settings = p.settings();
        List<ReadBack> reads = new ArrayList<>();
        for (NcclParameters.Setting setting : settings) {
            String expected = System.getenv(setting.key());
            if (expected == null) continue;
            // A setting's value is what ncclParamGetParameter gave for its key: the read by key.
            reads.add(new ReadBack(setting.key(), expected, setting.value(), stringThroughHandle(p, setting.key())));
        }
        p.dumpAll();
        System.out.flush();
        return verdict(settings.stream().map(ParameterChecks::toProtocol).toList(), reads);
    }

    /** {@code ncclParamGetStr} on a bound handle, or {@code null} when the parameter is not a string. */
    private static String stringThroughHandle(NcclParameters p, String key) {
        try {
            String v = p.bind(key).string();
            return v == null ? "" : v;
        } catch (NcclException e) {
            if (e.rawResult() == NcclResult.INVALID_ARGUMENT.code()) return null;
            throw e;
        }
    }

    static NcclParameterSetting toProtocol(NcclParameters.Setting s) {
        return new NcclParameterSetting(s.key(), s.value(), switch (s.source()) {
            case DEFAULT -> "default";
            case ENVIRONMENT -> "environment";
            case ENV_PLUGIN -> "env-plugin";
        });
    }

    /**
     * The verdict: a skip when the environment sets none of NCCL's keys (nothing to read back), a failure naming each
     * key whose value differs from the environment's, else a pass; every setting rides along in the data.
     */
    static Outcome verdict(List<NcclParameterSetting> settings, List<ReadBack> reads) {
        Map<String, String> data = new LinkedHashMap<>(NcclParameterSetting.toData(settings));
        if (reads.isEmpty()) {
            String keys = String.join(", ", settings.stream().map(NcclParameterSetting::key).toList());
            return new Outcome(io.ncclffm.harness.protocol.CheckStatus.SKIPPED, Cause.NOT_CONFIGURED,
                    "the rank's environment sets none of NCCL's " + settings.size() + " parameter keys (" + keys
                            + "): nothing to read back", List.of(), data);
        }
        List<String> wrong = new ArrayList<>();
        for (ReadBack r : reads) {
            if (!r.expected().equals(r.byKey())) wrong.add(r.key() + " is " + quote(r.byKey()) + " by key");
            if (r.byHandle() != null && !r.expected().equals(r.byHandle())) {
                wrong.add(r.key() + " is " + quote(r.byHandle()) + " through its handle");
            }
        }
        String summary = String.join(", ", reads.stream().map(r -> r.key() + "=" + quote(r.expected())).toList());
        if (!wrong.isEmpty()) {
            return Outcome.failed(Cause.WRONG_VALUES, "the environment sets " + summary + ", but " + String.join("; ", wrong),
                    data);
        }
        return Outcome.passed(reads.size() + " parameter(s) the environment sets read back through NCCL's parameter API ("
                + summary + "); " + settings.size() + " parameter(s) in effect", data);
    }

    private static String quote(String v) {
        return "\"" + v + "\"";
    }
}
