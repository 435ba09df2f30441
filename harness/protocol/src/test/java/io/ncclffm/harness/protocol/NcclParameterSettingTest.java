package io.ncclffm.harness.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NcclParameterSettingTest {

    @Test
    void settings_roundTripThroughACheckResultsData_evenWithColonsInTheValue() {
        List<NcclParameterSetting> settings = List.of(new NcclParameterSetting("NCCL_DEBUG", "", "default"),
                new NcclParameterSetting("NCCL_DEBUG_FILE", "/tmp/a:b.%h.%p", "environment"));
        Map<String, String> data = new java.util.HashMap<>(NcclParameterSetting.toData(settings));
        data.put("library", "/usr/lib/libnccl.so.2");
        assertEquals(settings, NcclParameterSetting.fromData(data));
    }

    @Test
    void aSettingWithoutASource_isRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NcclParameterSetting.fromData(Map.of("nccl-param:NCCL_DEBUG", "WARN")));
        assertEquals("parameter nccl-param:NCCL_DEBUG has no source: WARN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NcclParameterSetting("", "x", "default"));
    }
}
