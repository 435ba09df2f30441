package io.ncclffm.harness.worker;

import java.net.InetSocketAddress;

import io.ncclffm.NcclException;
import io.ncclffm.UniqueId;
import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.UniqueIdFingerprint;
import io.ncclffm.harness.protocol.WorkerConfig;
import io.ncclffm.harness.rendezvous.NoUniqueIdException;
import io.ncclffm.harness.rendezvous.RendezvousClient;
import io.ncclffm.harness.rendezvous.RendezvousServer;

/**
 * The unique-ID broadcast: rank 0 creates the ID and serves it; every other rank fetches it. Each rank reports
 * the fingerprint of the ID it will use; the harness requires all fingerprints to be equal.
 */
final class ExchangeChecks {

    private ExchangeChecks() {
    }

    static CheckBody uniqueId(RankSession s) {
        WorkerConfig c = s.config;
        return () -> {
            try {
                s.uniqueId = exchange(s, 0);
            } catch (NcclException e) {
                // Some releases (RCCL 7) cannot make an ID without a device: on a cell that assigns none, a clean
                // error is what a user of that release gets, a gap of the device, not a defect.
                if (c.identity().gpu() == WorkerConfig.Gpu.NONE) {
                    return Outcome.skipped(Cause.DEVICE_GAP, "needs a GPU on this release: ncclGetUniqueId failed cleanly: " + e.getMessage());
                }
                throw e;
            } catch (NoUniqueIdException e) {
                return Outcome.skipped(Cause.BLOCKED, e.getMessage());
            }
            if (s.uniqueId.isZero()) return Outcome.failed(Cause.OTHER_FAILURE, "the unique ID is 128 zero bytes, which ncclGetUniqueId never makes");
            String how = c.rank() == 0
                    ? (c.world() > 1 ? "created and served to ranks 1.." + (c.world() - 1) : "created (world of one: nothing to broadcast)")
                    : "fetched from rank 0 at " + c.rendezvous().host() + ":" + c.rendezvous().port();
            return Outcome.exchanged(how, UniqueIdFingerprint.of(s.uniqueId));
        };
    }

    /**
     * One exchange. Generation {@code g} uses the rendezvous port plus {@code g}, so that a communicator re-created
     * after an error never meets a server of the previous generation.
     */
    static UniqueId exchange(RankSession s, int generation) {
        return exchange(s, s.nccl, generation);
    }

    /** One exchange of an ID that rank 0 makes with {@code nccl} (perf mode's paired baseline has its own library). */
    static UniqueId exchange(RankSession s, io.ncclffm.Nccl nccl, int generation) {
        WorkerConfig c = s.config;
        int port = c.rendezvous().port() == 0 ? 0 : c.rendezvous().port() + generation;
        if (c.rank() == 0) {
            UniqueId id;
            try {
                id = nccl.newUniqueId();
            } catch (NcclException e) {
                if (c.world() > 1) {
                    // Tell the other ranks at once that there is no ID, rather than let them wait out their timeout.
                    try (RendezvousServer server = RendezvousServer.start(new InetSocketAddress(c.rendezvous().bind(), port),
                            c.world(), c.rendezvous().token(), null)) {
                        server.awaitAllRanks(c.timeouts().rendezvous());
                    } catch (RuntimeException notified) {
                        e.addSuppressed(notified);
                    }
                }
                throw e;
            }
            if (c.world() > 1) {
                try (RendezvousServer server = RendezvousServer.start(new InetSocketAddress(c.rendezvous().bind(), port),
                        c.world(), c.rendezvous().token(), id)) {
                    server.awaitAllRanks(c.timeouts().rendezvous());
                }
            }
            return id;
        }
        return RendezvousClient.fetch(c.rendezvous().host(), port, c.rendezvous().token(), c.rank(), c.timeouts().rendezvous());
    }
}
