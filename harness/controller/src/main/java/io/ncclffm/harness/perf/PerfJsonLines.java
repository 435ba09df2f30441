package io.ncclffm.harness.perf;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ncclffm.harness.perf.judge.InitPoint;
import io.ncclffm.harness.protocol.PerfPoint;
import io.ncclffm.harness.protocol.Source;

/**
 * Reads the JSON lines the C baseline (perf/c-baseline) and the Java perf mode print: one object per line, with
 * exactly {@link PerfPoint}'s fields, mixed with event lines ({@code "event":"init"}, ...) that carry other facts.
 *
 * <p>Unknown fields on a point line are an error, not something to skip: a renamed field in one of the two
 * writers would otherwise silently read as 0 and make one side look infinitely fast.
 */
public final class PerfJsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * NCCL's own debug output ({@code NCCL_DEBUG=INFO} without {@code NCCL_DEBUG_FILE} prints to stdout, between the
     * points): {@code host:pid:tid [device] NCCL INFO ...}.
     */
    private static final java.util.regex.Pattern NCCL_LOG = java.util.regex.Pattern.compile("^\\S+:\\d+:\\d+ \\[\\d+\\] NCCL ");

    private PerfJsonLines() {
    }

    /**
     * The points among {@code lines}; blank lines, event lines and NCCL's own debug lines are passed over. Anything
     * else that is not a point is an error naming the line.
     */
    public static List<PerfPoint> points(List<String> lines) {
        List<PerfPoint> points = new ArrayList<>();
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank() || NCCL_LOG.matcher(line).find()) continue;
            try {
                JsonNode node = JSON.readTree(line);
                if (!node.isObject()) throw new IllegalArgumentException("line " + number + " is not a JSON object: " + line);
                if (node.has("event")) continue;
                for (String field : List.of("library", "source", "world", "bytes", "timeUs")) {
                    if (!node.has(field)) {
                        throw new IllegalArgumentException("line " + number + " lacks '" + field + "': " + line);
                    }
                }
                points.add(JSON.treeToValue(node, PerfPoint.class));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("line " + number + " is not a perf point: " + e.getOriginalMessage()
                        + ": " + line, e);
            }
        }
        return points;
    }

    /**
     * The C baseline's {@code "event":"init"} lines as {@link InitPoint}s; other lines are passed over, and an init
     * line without {@code initMs} or {@code commMemoryBytes} is an error naming the line.
     */
    public static List<InitPoint> inits(List<String> lines) {
        List<InitPoint> inits = new ArrayList<>();
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank() || NCCL_LOG.matcher(line).find() || !line.contains("\"init\"")) continue;
            try {
                JsonNode node = JSON.readTree(line);
                if (!node.isObject() || !"init".equals(node.path("event").asText())) continue;
                for (String field : List.of("library", "source", "world", "initMs", "commMemoryBytes")) {
                    if (!node.has(field)) throw new IllegalArgumentException("init line " + number + " lacks '" + field + "': " + line);
                }
                inits.add(new InitPoint(node.get("library").asText(), Source.of(node.get("source").asText()), node.get("world").asInt(),
                        node.get("initMs").asDouble(), node.get("commMemoryBytes").asLong()));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("line " + number + " is not JSON: " + e.getOriginalMessage() + ": " + line, e);
            }
        }
        return inits;
    }
}
