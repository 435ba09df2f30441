package io.ncclffm.harness.worker;

import io.ncclffm.harness.protocol.CheckCatalog;
import io.ncclffm.harness.protocol.CheckKey;

/**
 * Gives each check of the catalog its body: the check class that answers for the check's key makes it. The
 * catalog alone says which checks a rank plans and how each is named; the switch over the sealed keys makes a key
 * without a body a compile error.
 */
final class CheckBodies {

    private final RankSession session;
    /** allReduce host models, shared by the allReduce checks of one plan. */
    private final ReferenceCache cache = new ReferenceCache();

    CheckBodies(RankSession session) {
        this.session = session;
    }

    /** The catalog's check with its body. */
    CheckSpec spec(CheckCatalog.Entry entry) {
        return new CheckSpec(entry.planned(), body(entry.key()));
    }

    private CheckBody body(CheckKey key) {
        RankSession s = session;
        return switch (key) {
            case CheckKey.Library k -> LibraryChecks.body(s, k);
            case CheckKey.Lifecycle k -> CommunicatorChecks.body(s, k);
            case CheckKey.AllReduce k -> AllReduceChecks.body(s, cache, k);
            case CheckKey.Collective k -> CollectiveChecks.body(s, k);
            case CheckKey.GraphAllReduce k -> GraphChecks.body(s, k);
            case CheckKey.UserFeature k -> UserFeatureChecks.body(s, k);
            case CheckKey.PreMulSum k -> UserFeatureChecks.body(s, k);
        };
    }
}
