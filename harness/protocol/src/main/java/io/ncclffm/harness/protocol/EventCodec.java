package io.ncclffm.harness.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON lines in and out of the worker. */
public final class EventCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {
    }

    public static String encode(WorkerEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event, e);
        }
    }

    /**
     * Parses one output line. Lines that are not worker events (a library printing to stdout, a truncated last
     * line of a killed rank) are returned as {@code null}; the caller keeps them in the rank log.
     */
    public static WorkerEvent decode(String line) {
        String s = line.strip();
        if (!s.startsWith("{\"event\"")) return null;
        try {
            return MAPPER.readValue(s, WorkerEvent.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
