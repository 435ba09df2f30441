package io.ncclffm.harness.worker;

/** The work of one check. Throwing is allowed: {@link Reporter} turns exceptions into outcomes. */
@FunctionalInterface
interface CheckBody {
    Outcome run() throws Exception;
}
