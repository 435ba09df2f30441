package io.ncclffm.harness.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One NCCL parameter in effect on a rank, as the parameter API reported it (NCCL 2.30.4+): what a sign-off records
 * of the settings a cell ran with. It travels in the {@code data} of the check that read it, one entry per key,
 * written and read here only.
 *
 * @param key    e.g. {@code NCCL_DEBUG}
 * @param value  NCCL's effective value as text; empty when unset
 * @param source where it came from: {@code default}, {@code environment} or {@code env-plugin}
 */
public record NcclParameterSetting(String key, String value, String source) {

    /** The prefix of a check's data keys that carry a setting. */
    static final String PREFIX = "nccl-param:";

    public NcclParameterSetting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(source, "source");
        if (key.isEmpty() || source.contains(":")) {
            throw new IllegalArgumentException("a parameter needs a key and a source without ':', got " + key + " / " + source);
        }
    }

    /** The setting as reports show it, e.g. {@code NCCL_DEBUG=WARN (environment)}. */
    public String describe() {
        return key + "=" + value + " (" + source + ")";
    }

    /** The data entries that carry {@code settings}, in their order. */
    public static Map<String, String> toData(List<NcclParameterSetting> settings) {
        Map<String, String> data = new LinkedHashMap<>();
        for (NcclParameterSetting s : settings) data.put(PREFIX + s.key, s.source + ":" + s.value);
        return data;
    }

    /** The settings among a check's {@code data}, sorted by key (data maps keep no order). */
    public static List<NcclParameterSetting> fromData(Map<String, String> data) {
        List<NcclParameterSetting> out = new ArrayList<>();
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) continue;
            String v = e.getValue();
            int colon = v.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException("parameter " + e.getKey() + " has no source: " + v);
            out.add(new NcclParameterSetting(e.getKey().substring(PREFIX.length()), v.substring(colon + 1), v.substring(0, colon)));
        }
        out.sort(java.util.Comparator.comparing(NcclParameterSetting::key));
        return List.copyOf(out);
    }
}
