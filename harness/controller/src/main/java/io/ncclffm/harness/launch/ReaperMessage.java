package io.ncclffm.harness.launch;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * What the controller tells its reaper ({@link RankReaper}), one JSON line each, encoded and decoded here only.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "message")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ReaperMessage.RankStarted.class, name = "rank-started"),
        @JsonSubTypes.Type(value = ReaperMessage.RankEnded.class, name = "rank-ended"),
        @JsonSubTypes.Type(value = ReaperMessage.DockerInUse.class, name = "docker"),
        @JsonSubTypes.Type(value = ReaperMessage.Finished.class, name = "finished")})
public sealed interface ReaperMessage {

    /** A rank process was started; its start time tells it apart from a later process with the same id. */
    record RankStarted(long pid, long startTicks) implements ReaperMessage {
    }

    /** A rank process ended and was reaped by the controller. */
    record RankEnded(long pid) implements ReaperMessage {
    }

    /** The run creates containers on this daemon ({@link DockerEngine#at}). */
    record DockerInUse(String endpoint) implements ReaperMessage {
    }

    /** The run ended and removed what it started: the reaper has nothing to do. */
    record Finished() implements ReaperMessage {
    }

    ObjectMapper JSON = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    default String encode() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + this, e);
        }
    }

    /** The message a line carries; {@code null} for a line that is none. */
    static ReaperMessage decode(String line) {
        try {
            return JSON.readValue(line, ReaperMessage.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
