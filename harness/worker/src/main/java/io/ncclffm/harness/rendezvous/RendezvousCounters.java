package io.ncclffm.harness.rendezvous;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A snapshot of what a {@link RendezvousServer} has done so far.
 *
 * @param servedRanks the ranks that have fetched the ID at least once
 * @param replies     ID replies sent, repeats included (a rank retrying after a lost reply counts twice)
 * @param rejected    rejected connections by reason, every reason present (zero where none)
 */
public record RendezvousCounters(SortedSet<Integer> servedRanks, long replies, Map<RejectReason, Long> rejected) {

    /** Copies the arguments; a reason missing from {@code rejected} counts as zero. */
    public RendezvousCounters {
        servedRanks = Collections.unmodifiableSortedSet(new TreeSet<>(servedRanks));
        EnumMap<RejectReason, Long> all = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) all.put(r, rejected.getOrDefault(r, 0L));
        rejected = Collections.unmodifiableMap(all);
    }

    /** Connections rejected for {@code reason}. */
    public long rejected(RejectReason reason) {
        return rejected.get(reason);
    }

    /** Connections rejected for any reason. */
    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line, naming only the reasons that occurred, e.g. {@code served [1, 2, 3], 4 replies, 2 rejected {BAD_TOKEN=1, TIMEOUT=1}}. */
    @Override
    public String toString() {
        String reasons = rejected.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
        return "served " + servedRanks + ", " + replies + " replies, " + rejectedTotal() + " rejected " + reasons;
    }
}
