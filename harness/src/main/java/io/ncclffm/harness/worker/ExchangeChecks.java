package io.ncclffm.harness.worker;

import java.net.InetSocketAddress;
import java.util.Map;

import io.ncclffm.harness.rendezvous.RendezvousClient;
import io.ncclffm.harness.rendezvous.RendezvousServer;

/**
 * The unique-ID broadcast: rank 0 creates the ID and serves it; every other rank fetches it. Each rank reports
 * the fingerprint of the ID it will use; the harness requires all fingerprints to be equal.
 */
final class ExchangeChecks {

    private ExchangeChecks() {
    }

    static CheckSpec uniqueId(RankSession s) {
        WorkerConfig c = s.config;
        return CheckSpec.of("unique-id", "unique-id", Map.of("world", Integer.toString(c.world())), () -> {
            if (c.rank() == 0) {
                s.uniqueId = s.nccl.newUniqueId();
                if (s.uniqueId.isZero()) return Outcome.failed("ncclGetUniqueId returned 128 zero bytes");
                if (c.world() > 1) {
                    try (RendezvousServer server = RendezvousServer.start(
                            new InetSocketAddress(c.rendezvousBind(), c.rendezvousPort()), c.world(), c.token(), s.uniqueId)) {
                        server.awaitAllRanks(c.rendezvousTimeout());
                        return Outcome.passed("created and served to ranks 1.." + (c.world() - 1) + ": " + server,
                                Map.of("fingerprint", s.uniqueId.fingerprint()));
                    }
                }
                return Outcome.passed("created (world of one: nothing to broadcast)",
                        Map.of("fingerprint", s.uniqueId.fingerprint()));
            }
            s.uniqueId = RendezvousClient.fetch(c.rendezvousHost(), c.rendezvousPort(), c.token(), c.rank(),
                    c.rendezvousTimeout());
            return Outcome.passed("fetched from rank 0 at " + c.rendezvousHost() + ":" + c.rendezvousPort(),
                    Map.of("fingerprint", s.uniqueId.fingerprint()));
        });
    }
}
