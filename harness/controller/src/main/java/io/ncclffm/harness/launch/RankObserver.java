package io.ncclffm.harness.launch;

import io.ncclffm.harness.protocol.WorkerEvent;

/** Sees every event of every rank as it arrives: progress printing, and fault injection in tests. */
@FunctionalInterface
public interface RankObserver {

    void onEvent(RankHandle rank, WorkerEvent event);

    RankObserver NONE = (rank, event) -> { };
}
