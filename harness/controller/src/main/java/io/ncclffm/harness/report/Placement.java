package io.ncclffm.harness.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.ncclffm.harness.launch.CellRun;
import io.ncclffm.harness.launch.RankOutput;
import io.ncclffm.harness.protocol.WorkerEvent;

/**
 * Where a cell run's ranks ran, as each rank's worker named its host in its hello: the nodes Slurm chose and which
 * ranks it put on each, or the one host (or each rank's container) of the other launchers.
 *
 * @param nodes each host, in the order of its lowest rank, with its ranks
 */
public record Placement(List<Node> nodes) {

    public static final Placement NONE = new Placement(List.of());

    /** One host and the ranks that ran there. */
    public record Node(String host, List<Integer> ranks) {
        public Node {
            ranks = List.copyOf(ranks);
        }
    }

    public Placement {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    public static Placement of(CellRun run) {
        Map<String, List<Integer>> byHost = new LinkedHashMap<>();
        for (RankOutput r : run.ranks()) {
            for (WorkerEvent e : r.events()) {
                if (e instanceof WorkerEvent.Hello h) {
                    byHost.computeIfAbsent(h.host(), k -> new ArrayList<>()).add(r.rank());
                    break;
                }
            }
        }
        List<Node> nodes = new ArrayList<>();
        byHost.forEach((host, ranks) -> nodes.add(new Node(host, ranks)));
        return new Placement(nodes);
    }

    /** e.g. {@code c1: 0, 1 · c2: 2, 3}; {@code –} when no rank said hello. */
    @Override
    public String toString() {
        if (nodes.isEmpty()) return "–";
        return nodes.stream().map(n -> n.host() + ": " + n.ranks().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                .collect(Collectors.joining(" · "));
    }
}
